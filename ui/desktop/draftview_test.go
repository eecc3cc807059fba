package desktop

import (
	"os"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// zeroDraft imports a small zero draft: a chapter with three paragraphs
// (the third with brackets), a sub-section with one.
func zeroDraft(t testing.TB, svc *app.Service) app.RecordID {
	t.Helper()
	id, err := svc.ImportDraft(app.NewDraft{Title: "Plan de Acción de Chile", Lang: "es", Blocks: []app.DraftBlock{
		{Level: 1, Text: "Capítulo I: Protección internacional"},
		{Text: "Reafirmamos la definición ampliada de refugiado de la Declaración de Cartagena."},
		{Text: "Fortalecer los sistemas nacionales de asilo."},
		{Text: "Promover [mecanismos/procedimientos] de determinación de la condición de refugiado."},
		{Level: 2, Text: "Soluciones duraderas"},
		{Text: "Impulsar la integración local y las vías complementarias."},
	}}, "Secretaría Técnica")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// openDraftTab builds the UI over svc and shows the Draft tab.
func openDraftTab(t *testing.T, svc *app.Service) (*UI, *draftScreen) {
	t.Helper()
	u := newTestUI(t, svc)
	u.tabs.SelectIndex(draftTab)
	if !u.drafting.loaded {
		t.Fatal("the Draft tab did not load when shown")
	}
	return u, u.drafting
}

// rowTexts is what the list shows, row by row: "number status text" for
// a paragraph, the heading's text for a heading.
func rowTexts(s *draftScreen) []string {
	var out []string
	for _, p := range s.shown {
		if p.level > 0 {
			out = append(out, p.text)
		} else {
			out = append(out, p.number+" "+s.u.draftStatusLabel(p.status)+" "+p.text)
		}
	}
	return out
}

func selectNumber(t *testing.T, s *draftScreen, n string) {
	t.Helper()
	if !s.selectNumber(n) {
		t.Fatalf("no paragraph %s in %q", n, rowTexts(s))
	}
}

func TestDraftTabEmpty(t *testing.T) {
	svc := newStore(t, true)
	_, s := openDraftTab(t, svc)
	if s.body.Objects[0] != s.empty || !strings.Contains(s.emptyMsg.Text, "consulta draft import FILE") {
		t.Fatalf("no draft: the tab should say how to import one, shows %v", s.body.Objects)
	}
	if !s.reviseBtn.Disabled() || !s.compareBtn.Disabled() {
		t.Error("revise and compare should wait for a draft")
	}
}

func TestDraftTabShowsTheDocument(t *testing.T) {
	svc := newStore(t, true)
	id := zeroDraft(t, svc)
	_, s := openDraftTab(t, svc)
	if s.draftID != id || len(s.pick.Options) != 1 || s.pick.Selected != "Plan de Acción de Chile" {
		t.Fatalf("draft drop-down: %q selected %q", s.pick.Options, s.pick.Selected)
	}
	want := []string{
		"Capítulo I: Protección internacional",
		"1 Open Reafirmamos la definición ampliada de refugiado de la Declaración de Cartagena.",
		"2 Open Fortalecer los sistemas nacionales de asilo.",
		"3 Bracketed Promover [mecanismos/procedimientos] de determinación de la condición de refugiado.",
		"Soluciones duraderas",
		"4 Open Impulsar la integración local y las vías complementarias.",
	}
	if got := rowTexts(s); !slices.Equal(got, want) {
		t.Fatalf("rows:\n%q\nwant\n%q", got, want)
	}
	if s.count.Text != "4 paragraphs" {
		t.Errorf("count %q", s.count.Text)
	}
	// The rows the list drew show the number, the status as a word, and
	// the bracketed passage as a segment of its own, in bold.
	var row3 *draftRow
	for _, r := range s.rows {
		if r.para != nil && r.para.number == "3" {
			row3 = r
		}
	}
	if row3 == nil {
		t.Fatal("the list drew no row for paragraph 3")
	}
	if row3.number.Text != "3" || row3.status.word.Text != "Bracketed" {
		t.Errorf("row 3: %q %q", row3.number.Text, row3.status.word.Text)
	}
	var bold []string
	for _, seg := range row3.text.Segments {
		if ts, ok := seg.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold {
			bold = append(bold, ts.Text)
		}
	}
	if !slices.Equal(bold, []string{"[mecanismos/procedimientos]"}) {
		t.Errorf("bold passages of paragraph 3: %q", bold)
	}
}

func TestDraftFilters(t *testing.T) {
	svc := newStore(t, true)
	zeroDraft(t, svc)
	_, s := openDraftTab(t, svc)
	p4 := s.all[5].id
	if _, err := svc.Amend(p4, app.Amendment{Action: app.ActionDelete, Org: "Brasil"}); err != nil {
		t.Fatal(err)
	}
	s.reload()

	s.statusF.SetSelectedIndex(slices.Index(app.ParagraphStatuses, app.StatusBracketed) + 1)
	if got, want := rowTexts(s), []string{"Capítulo I: Protección internacional", "3 Bracketed Promover [mecanismos/procedimientos] de determinación de la condición de refugiado."}; !slices.Equal(got, want) {
		t.Fatalf("bracketed: %q", got)
	}
	if s.count.Text != "1 of 4 paragraphs" {
		t.Errorf("count %q", s.count.Text)
	}
	s.statusF.SetSelectedIndex(0)
	s.sectionF.SetSelected(s.sectionF.Options[2]) // the sub-section
	if got := rowTexts(s); len(got) != 3 || got[1] != "Soluciones duraderas" {
		t.Fatalf("section: %q", got)
	}
	s.sectionF.SetSelectedIndex(0)
	if !slices.Equal(s.proponentF.Options, []string{"All proponents", "Brasil"}) {
		t.Fatalf("proponents: %q", s.proponentF.Options)
	}
	s.proponentF.SetSelected("Brasil")
	if got := rowTexts(s); len(got) != 3 || !strings.HasPrefix(got[2], "4 Open") {
		t.Fatalf("proponent: %q", got)
	}
	s.statusF.SetSelectedIndex(slices.Index(app.ParagraphStatuses, app.StatusAgreed) + 1)
	if !s.noMatch.Visible() || len(s.shown) != 0 {
		t.Errorf("no agreed paragraph: %q, message shown %v", rowTexts(s), s.noMatch.Visible())
	}
	s.statusF.SetSelectedIndex(0)
	s.proponentF.SetSelectedIndex(0)
	if len(s.shown) != len(s.all) || s.noMatch.Visible() {
		t.Errorf("no filter shows %d of %d rows", len(s.shown), len(s.all))
	}
}

// TestProposeSupportDecide is the delegate's journey: select a paragraph,
// propose an amendment by typing it and see the change marked while
// typing, save it, see it listed with its marked change, support it; then
// the secretariat accepts it.
func TestProposeSupportDecide(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingAuthor, "Rosa Mamani")
	svc.SetSetting(settingOrg, "Bolivia")
	zeroDraft(t, svc)
	u, s := openDraftTab(t, svc)
	selectNumber(t, s, "2")
	if s.pane.title.Text != "Paragraph 2" || !strings.Contains(markedText(s.pane.text), "sistemas nacionales") {
		t.Fatalf("pane: %q %q", s.pane.title.Text, markedText(s.pane.text))
	}
	test.Tap(s.pane.propose)
	f := s.form
	if f == nil || f.text.Text != "Fortalecer los sistemas nacionales de asilo." || f.author.Text != "Rosa Mamani" || f.org.Text != "Bolivia" {
		t.Fatalf("form: %+v", f)
	}
	// Type at the end: the change is marked as it is typed.
	f.text.CursorRow, f.text.CursorColumn = 0, len([]rune(f.text.Text))-1
	test.Type(f.text, " y de protección")
	if got := markedText(f.preview); got != "Fortalecer los sistemas nacionales de asilo{+ y de protección+}." {
		t.Fatalf("preview while typing: %q", got)
	}
	test.Type(f.rationale, "Incluye la protección")
	test.Tap(f.saveBtn)
	if s.form != nil {
		t.Fatalf("form still open: %s", f.message.Text)
	}
	if len(s.pane.amends) != 1 {
		t.Fatalf("%d amendments shown", len(s.pane.amends))
	}
	v := s.pane.amends[0]
	if v.title.Text != "Modify · Bolivia (Rosa Mamani)" || v.status.word.Text != "Pending" {
		t.Errorf("amendment: %q %q", v.title.Text, v.status.word.Text)
	}
	if got := markedText(v.change); got != "Fortalecer los sistemas nacionales de asilo{+ y de protección+}." {
		t.Errorf("marked change: %q", got)
	}
	row := s.shown[slices.IndexFunc(s.shown, func(p *shownPara) bool { return p.number == "2" })]
	if row.amendments != 1 {
		t.Errorf("the row counts %d amendments", row.amendments)
	}
	if d, _ := svc.Draft(amendDraftName(row.id)); d != "" {
		t.Errorf("the saved amendment's draft is still kept: %s", d)
	}

	test.Tap(v.support)
	v = s.pane.amends[0]
	if v.support.Text != "Withdraw support" || !slices.Equal(v.rec.Supporters, []string{"Rosa Mamani"}) {
		t.Fatalf("after support: %q %v", v.support.Text, v.rec.Supporters)
	}
	test.Tap(v.support) // taken back, then given again
	v = s.pane.amends[0]
	if v.support.Text != "Support" || len(v.rec.Supporters) != 0 {
		t.Fatalf("after withdrawing support: %q %v", v.support.Text, v.rec.Supporters)
	}
	test.Tap(v.support)
	v = s.pane.amends[0]
	test.Tap(v.oppose)
	v = s.pane.amends[0]
	if !slices.Equal(v.rec.Opposers, []string{"Rosa Mamani"}) || len(v.rec.Supporters) != 0 || v.oppose.Text != "Withdraw opposition" {
		t.Fatalf("after oppose: %v %v %q", v.rec.Opposers, v.rec.Supporters, v.oppose.Text)
	}
	test.Tap(v.oppose)
	v = s.pane.amends[0]
	if len(v.rec.Opposers) != 0 {
		t.Fatalf("opposition not withdrawn: %v", v.rec.Opposers)
	}

	test.Tap(v.accept)
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Yes"))
	v = s.pane.amends[0]
	if v.status.word.Text != "Accepted" {
		t.Fatalf("after accepting: %q", v.status.word.Text)
	}
	if got := s.paragraph(s.selected).Body; got != "Fortalecer los sistemas nacionales de asilo y de protección." {
		t.Errorf("the paragraph reads %q", got)
	}
	// Accepted, it still shows what it changed: against the zero draft.
	if got := markedText(v.change); got != "Fortalecer los sistemas nacionales de asilo{+ y de protección+}." {
		t.Errorf("accepted amendment's change: %q", got)
	}
}

func TestAmendmentActions(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingAuthor, "Ana")
	zeroDraft(t, svc)
	_, s := openDraftTab(t, svc)
	selectNumber(t, s, "1")

	// Delete: the whole paragraph marked deleted.
	test.Tap(s.pane.propose)
	f := s.form
	f.action.SetSelectedIndex(slices.Index(app.Actions, app.ActionDelete))
	if f.text.Visible() || !strings.HasPrefix(markedText(f.preview), "{−Reafirmamos") {
		t.Fatalf("delete: text shown %v, preview %q", f.text.Visible(), markedText(f.preview))
	}
	test.Tap(f.saveBtn)

	// Add: a new paragraph, all inserted.
	test.Tap(s.pane.propose)
	f = s.form
	f.action.SetSelectedIndex(slices.Index(app.Actions, app.ActionAdd))
	if f.text.Text != "" {
		t.Fatalf("a new paragraph starts empty, has %q", f.text.Text)
	}
	test.Type(f.text, "Nuevo párrafo")
	if got := markedText(f.preview); got != "{+Nuevo párrafo+}" {
		t.Fatalf("add preview %q", got)
	}
	test.Tap(f.saveBtn)

	// Move: needs the paragraph to move after.
	test.Tap(s.pane.propose)
	f = s.form
	f.action.SetSelectedIndex(slices.Index(app.Actions, app.ActionMove))
	if !f.after.Visible() {
		t.Fatal("move: no paragraph to choose")
	}
	test.Tap(f.saveBtn)
	if s.form == nil || !strings.Contains(f.message.Text, "Choose the paragraph to move it after") {
		t.Fatalf("move without a place: %q", f.message.Text)
	}
	f.after.SetSelectedIndex(slices.IndexFunc(f.afterIDs, func(id app.RecordID) bool { return s.paragraph(id).Number == "3" }))
	if got := markedText(f.preview); got != "Move paragraph 1 after 3." {
		t.Fatalf("move preview %q", got)
	}
	test.Tap(f.saveBtn)
	if s.form != nil {
		t.Fatalf("move not saved: %s", f.message.Text)
	}

	// Modify with the text unchanged is refused, kindly.
	test.Tap(s.pane.propose)
	f = s.form
	test.Tap(f.saveBtn)
	if s.form == nil || !f.message.Visible() {
		t.Fatal("an unchanged text was saved")
	}
	s.closeForm()

	var got []string
	for _, v := range s.pane.amends {
		got = append(got, v.title.Text+": "+markedText(v.change))
	}
	want := []string{
		"Delete · Ana: {−Reafirmamos la definición ampliada de refugiado de la Declaración de Cartagena.−}",
		"Add after · Ana: New paragraph after 1: {+Nuevo párrafo+}",
		"Move · Ana: Move paragraph 1 after 3.",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("amendments:\n%q\nwant\n%q", got, want)
	}
}

// TestAmendmentKeptWhileTyping: what is typed in the amendment form is
// kept as a draft, per paragraph, and comes back when the form is opened
// again, after the window closed.
func TestAmendmentKeptWhileTyping(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingAuthor, "Ana")
	zeroDraft(t, svc)
	u, s := openDraftTab(t, svc)
	selectNumber(t, s, "4")
	para := s.selected
	test.Tap(s.pane.propose)
	test.Type(s.form.rationale, "Texto a medias")
	u.Close() // flushes the drafts, as closing the window does

	kept, err := svc.Draft(amendDraftName(para))
	if err != nil || !strings.Contains(kept, "Texto a medias") {
		t.Fatalf("kept %q (%v)", kept, err)
	}
	// The records screen does not take it for one of its forms.
	u2, s2 := openDraftTab(t, svc)
	if u2.browser.form != nil {
		t.Fatalf("the records screen opened a form for the amendment's draft")
	}
	selectNumber(t, s2, "4")
	if s2.pane.propose.Text != "Resume the unsaved amendment" {
		t.Errorf("propose button: %q", s2.pane.propose.Text)
	}
	test.Tap(s2.pane.propose)
	if s2.form.rationale.Text != "Texto a medias" || !strings.HasPrefix(s2.form.message.Text, "Unsaved text restored") {
		t.Fatalf("restored: %q, %q", s2.form.rationale.Text, s2.form.message.Text)
	}
	test.Tap(s2.form.discard)
	if kept, _ := svc.Draft(amendDraftName(para)); kept != "" {
		t.Errorf("discarded, still kept: %q", kept)
	}
}

// TestRevisionsSwitchAndIssue: switch to Rev.0 and back, issue Rev.1 and
// see it with its memorandum, compare the two.
func TestRevisionsSwitchAndIssue(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingAuthor, "Secretaría")
	zeroDraft(t, svc)
	u, s := openDraftTab(t, svc)
	if !slices.Equal(s.view.Options, []string{"Current text", "Rev.0 (zero draft)"}) || s.view.Selected != "Current text" {
		t.Fatalf("revisions: %q, %q", s.view.Options, s.view.Selected)
	}
	selectNumber(t, s, "2")
	id := s.selected
	if _, err := svc.Amend(id, app.Amendment{Action: app.ActionModify, Text: "Fortalecer los sistemas de asilo.", Org: "Chile"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Amend(id, app.Amendment{Action: app.ActionAdd, Text: "Un párrafo nuevo.", Org: "Perú"}); err != nil {
		t.Fatal(err)
	}
	s.reload()
	for _, v := range s.pane.amends {
		test.Tap(v.accept)
		test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Yes"))
	}
	if got := rowTexts(s); !slices.Contains(got, "2 bis Open Un párrafo nuevo.") {
		t.Fatalf("after accepting an addition: %q", got)
	}

	s.view.SetSelected("Rev.0 (zero draft)")
	if s.rev == nil || s.rev.Number != 0 {
		t.Fatal("Rev.0 not shown")
	}
	if got := rowTexts(s); got[2] != "2 Open Fortalecer los sistemas nacionales de asilo." || len(got) != 6 {
		t.Fatalf("Rev.0 rows: %q", got)
	}
	if s.pane.propose.Visible() && slices.Contains(s.pane.box.Objects, fyne.CanvasObject(s.pane.propose)) {
		t.Error("a revision offers to amend")
	}
	if !s.reviseBtn.Disabled() {
		t.Error("a revision can be revised")
	}
	s.view.SetSelected("Current text")
	if s.rev != nil || !slices.Contains(rowTexts(s), "2 Open Fortalecer los sistemas de asilo.") {
		t.Fatalf("back to the current text: %q", rowTexts(s))
	}

	test.Tap(s.reviseBtn)
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Yes"))
	if !slices.Equal(s.view.Options, []string{"Current text", "Rev.0 (zero draft)", "Rev.1"}) || s.view.Selected != "Rev.1" {
		t.Fatalf("after revising: %q, %q", s.view.Options, s.view.Selected)
	}
	if got := rowTexts(s); !slices.Contains(got, "3 Open Un párrafo nuevo.") {
		t.Errorf("Rev.1 renumbers 2 bis as 3: %q", got)
	}
	var memo []string
	for _, l := range s.pane.memo {
		memo = append(memo, l.Text)
	}
	if len(memo) < 2 || !strings.Contains(strings.Join(memo, "\n"), "¶ 2: modified — amendments: Modify · Chile: Accepted") ||
		!strings.Contains(strings.Join(memo, "\n"), "¶ 3: added — amendments: Add after · Perú: Accepted") {
		t.Errorf("memorandum: %q", memo)
	}

	if s.compareBtn.Disabled() {
		t.Fatal("two revisions, and no comparison")
	}
	c := s.openCompare()
	if c.from.Selected != "Rev.0 (zero draft)" || c.to.Selected != "Rev.1" {
		t.Fatalf("compare %q → %q", c.from.Selected, c.to.Selected)
	}
	var marked []string
	for _, rt := range c.marked {
		marked = append(marked, markedText(rt))
	}
	want := []string{"Fortalecer los sistemas {−nacionales −}de asilo.", "{+Un párrafo nuevo.+}"}
	if !slices.Equal(marked, want) || !strings.Contains(c.summary.Text, "paragraphs and headings changed: 2") {
		t.Errorf("comparison %q (%s), want %q", marked, c.summary.Text, want)
	}
	test.Tap(c.all)
	if len(c.marked) != 7 {
		t.Errorf("with unchanged paragraphs: %d", len(c.marked))
	}

	// The paragraph in each revision, and why it changed.
	s.view.SetSelected("Current text")
	selectNumber(t, s, "2")
	var hist []string
	for _, l := range s.pane.hist {
		hist = append(hist, l.Text)
	}
	if len(hist) != 2 || !strings.HasPrefix(hist[0], "Rev.0 (zero draft): ¶ 2, Open") ||
		!strings.Contains(hist[1], "Rev.1: ¶ 2, Open — ¶ 2: modified — amendments: Modify · Chile: Accepted") {
		t.Errorf("history of paragraph 2: %q", hist)
	}
}

// TestDraftFollowsChanges: an amendment written elsewhere (a peer's, or
// the command line's) appears without touching the tab.
func TestDraftFollowsChanges(t *testing.T) {
	svc := newStore(t, true)
	zeroDraft(t, svc)
	_, s := openDraftTab(t, svc)
	selectNumber(t, s, "3")
	if _, err := svc.Amend(s.selected, app.Amendment{Action: app.ActionModify, Text: "Promover mecanismos de determinación.", Org: "Ecuador"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the amendment to appear", func() bool { return len(s.pane.amends) == 1 })
	if got := markedText(s.pane.amends[0].change); got != "Promover {−[mecanismos/procedimientos] de determinación de la condición de refugiado−}{+mecanismos de determinación+}." {
		t.Errorf("marked %q", got)
	}
	// A second draft imported elsewhere joins the drop-down.
	if _, err := svc.ImportDraft(app.NewDraft{Title: "Declaración", DocKind: app.DocDeclaration, Blocks: []app.DraftBlock{{Text: "Uno."}}}, "S"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the second draft", func() bool { return len(s.pick.Options) == 2 })
	s.pick.SetSelected("Declaración")
	if got := rowTexts(s); !slices.Equal(got, []string{"1 Open Uno."}) {
		t.Errorf("second draft: %q", got)
	}
}

func TestImportThroughPreview(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingAuthor, "Secretaría")
	u, s := openDraftTab(t, svc)
	path := t.TempDir() + "/borrador.md"
	writeFile(t, path, "# Plan de Acción\n\n## Protección\n\nPrimer párrafo del plan.\n\nSegundo párrafo [con corchetes].\n")
	p := s.previewImport(path)
	if p == nil {
		t.Fatal("no preview")
	}
	if p.title.Text != "Plan de Acción" || !strings.Contains(p.summary.Text, "Paragraphs: 2") {
		t.Fatalf("preview: %q\n%s", p.title.Text, p.summary.Text)
	}
	if ds, _ := svc.DraftDocs(); len(ds) != 0 {
		t.Fatal("the preview wrote the draft")
	}
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Import"))
	if got := rowTexts(s); !slices.Equal(got, []string{"Protección", "1 Open Primer párrafo del plan.", "2 Bracketed Segundo párrafo [con corchetes]."}) {
		t.Fatalf("imported: %q", got)
	}
	if s.view.Options[1] != "Rev.0 (zero draft)" {
		t.Errorf("revisions %q", s.view.Options)
	}
	// A file that is no draft says why and writes nothing.
	bad := t.TempDir() + "/x.pdf"
	writeFile(t, bad, "%PDF-1.4 garbage")
	if s.previewImport(bad) != nil {
		t.Error("a PDF was previewed")
	}
	testQueue.drain()
}

// TestDraftRowHeights: the estimate of a row's height grows with its
// text and shrinks with the list's width, never past maxRowLines.
func TestDraftRowHeights(t *testing.T) {
	test.NewTempApp(t)
	m := newRowMetrics()
	short := &shownPara{text: "Uno."}
	long := &shownPara{text: strings.Repeat("protección internacional ", 12)}
	huge := &shownPara{text: strings.Repeat("protección internacional ", 400)}
	h := func(p *shownPara, w float32) float32 { v, _ := m.height(p, w); return v }
	if h(short, 600) >= h(long, 600) || h(long, 900) >= h(long, 400) {
		t.Errorf("heights: short %v, long %v at 600, %v at 900, %v at 400", h(short, 600), h(long, 600), h(long, 900), h(long, 400))
	}
	if hh, cut := m.height(huge, 300); hh != h(&shownPara{text: strings.Repeat("x ", 10000)}, 300) || cut == 0 || cut >= len(huge.text) {
		t.Errorf("a very long paragraph is not capped: %v, cut at %d", hh, cut)
	}
	for _, c := range []struct {
		text string
		per  int
		want int
	}{{"", 10, 1}, {"uno dos tres", 12, 1}, {"uno dos tres", 11, 2}, {strings.Repeat("a", 25), 10, 3}} {
		if got := wrappedLines(c.text, c.per); got != c.want {
			t.Errorf("wrappedLines(%q, %d) = %d, want %d", c.text, c.per, got, c.want)
		}
	}
	// The estimate leaves the text room: a paragraph laid out at the
	// estimated height does not run over the next row.
	for _, n := range []int{1, 3, 6, 40} {
		r := newDraftRow()
		p := &shownPara{number: "12 bis", status: app.StatusBracketed, text: strings.Repeat("Los Estados [promoverán] la protección de las personas refugiadas. ", n)}
		w := float32(500)
		est, cut := m.height(p, w)
		p.cut = cut
		r.show(&UI{}, p)
		r.Resize(fyne.NewSize(w, est))
		if need := max(r.side.MinSize().Height, r.text.MinSize().Height); need > est+1 {
			t.Errorf("%d sentences: a row needs %v, the estimate gives %v", n, need, est)
		}
	}
}

func TestDraftTabFitsLaptopScreen(t *testing.T) {
	for _, l := range []string{"es", "en", "pt", "fr"} {
		svc := newStore(t, true)
		svc.SetSetting(settingLang, l)
		zeroDraft(t, svc)
		a := test.NewTempApp(t)
		w := a.NewWindow("Consulta")
		u := New(a, w, svc)
		u.Show()
		u.tabs.SelectIndex(draftTab)
		u.drafting.selectNumber("2")
		u.drafting.proposeAmendment()
		if m := w.Content().MinSize(); m.Width > 1366 || m.Height > 740 {
			t.Errorf("%s, amendment form open: the window needs %.0f×%.0f", l, m.Width, m.Height)
		}
		u.Close()
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOtherDecisions: accepted as modified (with the text as accepted),
// merged with another amendment, and withdrawn by its proponent, each
// through its form.
func TestOtherDecisions(t *testing.T) {
	svc := newStore(t, true)
	zeroDraft(t, svc)
	u, s := openDraftTab(t, svc)
	selectNumber(t, s, "2")
	para := s.selected
	for _, org := range []string{"Chile", "Perú", "México"} {
		if _, err := svc.Amend(para, app.Amendment{Action: app.ActionModify, Text: "Fortalecer los sistemas de asilo de " + org + ".", Org: org}); err != nil {
			t.Fatal(err)
		}
	}
	s.reload()
	// decide picks choice for the i-th amendment shown and returns its
	// id and the form that opens.
	decide := func(i int, choice string) (app.RecordID, fyne.CanvasObject) {
		t.Helper()
		v := s.pane.amends[i]
		if v.more == nil {
			t.Fatalf("amendment %d offers no other decision", i)
		}
		v.more.SetSelected(choice)
		return v.rec.ID, u.win.Canvas().Overlays().Top()
	}
	id, form := decide(0, "Accepted as modified…")
	findEntry(t, form).SetText("Fortalecer los sistemas nacionales de asilo, con recursos.")
	test.Tap(findButton(t, form, "Record the decision"))
	if a, _ := svc.Get(id); a.Status != app.StatusAcceptedModified {
		t.Fatalf("as modified: %s", a.Status)
	}
	if p, _ := svc.Get(para); p.Body != "Fortalecer los sistemas nacionales de asilo, con recursos." {
		t.Fatalf("the paragraph reads %q", p.Body)
	}
	id, form = decide(1, "Merged with another…")
	test.Tap(findButton(t, form, "Record the decision"))
	if a, _ := svc.Get(id); a.Status != app.StatusMerged || len(a.MergedInto) != 1 {
		t.Fatalf("merged: %s %v", a.Status, a.MergedInto)
	}
	id, form = decide(2, "Withdrawn by its proponent")
	test.Tap(findButton(t, form, "Record the decision"))
	if a, _ := svc.Get(id); a.Status != app.StatusWithdrawn {
		t.Fatalf("withdrawn: %s", a.Status)
	}
}

// findEntry is the first entry under o.
func findEntry(t *testing.T, o fyne.CanvasObject) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil {
			return
		}
		switch v := o.(type) {
		case *widget.Entry:
			found = v
			return
		case fyne.Widget:
			r := test.TempWidgetRenderer(t, v)
			for _, c := range r.Objects() {
				walk(c)
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	if found == nil {
		t.Fatal("no entry")
	}
	return found
}
