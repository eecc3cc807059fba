package desktop

import (
	"errors"
	"fmt"
	"hash/fnv"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

// draftScreen is the Draft tab: the plan's text as it stands or as a
// revision froze it, with its numbers, section headings, bracketed
// language and each paragraph's status; beside it the selected
// paragraph's amendments, the form proposing one, or a revision's
// memorandum.
type draftScreen struct {
	u       *UI
	content fyne.CanvasObject
	loaded  bool // the tab reads the store the first time it is shown

	pick       *widget.Select // which draft
	view       *widget.Select // the current text, or a revision
	compareBtn *widget.Button
	reviseBtn  *widget.Button
	importBtn  *widget.Button
	importHere *widget.Button // in the empty tab
	roleNote   *widget.Label  // why revising and importing are disabled, when a role is why
	emptyNote  *widget.Label  // the same, in the empty tab
	statusF    *widget.Select
	sectionF   *widget.Select
	proponentF *widget.Select
	count      *widget.Label
	noMatch    *widget.Label // said when the filters let no paragraph through
	emptyMsg   *widget.Label
	empty      fyne.CanvasObject // what shows when the workspace has no draft
	split      *container.Split
	body       *fyne.Container // empty or split
	listBox    *fyne.Container // holds list, which is replaced when the rows change
	list       *widget.List
	rows       []*draftRow // the rows list made, for the probe
	right      *fyne.Container
	pane       *paraPane
	form       *amendForm // the open amendment form, if any
	compare    *compareView

	docs      []*app.Record
	draftID   app.RecordID
	text      *app.DraftText       // the draft as it stands
	revs      []*app.RevisionText  // its revisions, Rev.0 first
	rev       *app.RevisionText    // the revision shown, nil for the current text
	all       []*shownPara         // the paragraphs of what is shown, in order
	byID      map[app.RecordID]int // index in all
	shown     []*shownPara         // those the filters let through
	heights   []float32
	selected  app.RecordID
	sections  []app.RecordID // the section filter's headings, in its options' order
	people    []string       // the proponent filter's names
	fStatus   app.Status
	fSection  app.RecordID
	fProposer string

	loading   bool // set while filling selects, so that filling is not choosing
	selecting bool // set while the list is told which row is selected
	sig       string
	cancel    chan struct{}
	drafts    *draftSaver
	metrics   rowMetrics
	width     float32
	reflowGen int
}

// shownPara is one paragraph or heading as the list shows it.
type shownPara struct {
	id         app.RecordID
	level      int // 0 a paragraph, 1… a heading
	number     string
	text       string
	status     app.Status
	amendments int
	cut        int            // the row shows this many characters (0: all)
	sections   []app.RecordID // the headings it is under, outermost first
	proponents []string       // who proposed its amendments (names and organizations)
	para       *app.DraftParagraph
}

func newDraftScreen(u *UI) *draftScreen {
	s := &draftScreen{u: u, drafts: newDraftSaver(u.svc, u.showError), metrics: newRowMetrics(), width: 600}
	s.pick = widget.NewSelect(nil, func(string) {
		if !s.loading {
			s.pickDraft()
		}
	})
	s.pick.PlaceHolder = lang.L("Choose a draft")
	s.view = widget.NewSelect(nil, func(string) {
		if !s.loading {
			s.pickView()
		}
	})
	s.view.PlaceHolder = lang.L("Current text")
	s.compareBtn = widget.NewButtonWithIcon(lang.L("Compare revisions…"), theme.ViewRestoreIcon(), func() { s.openCompare() })
	s.reviseBtn = widget.NewButtonWithIcon(lang.L("Issue revision…"), theme.DocumentSaveIcon(), s.confirmRevise)
	s.importBtn = widget.NewButtonWithIcon(lang.L("Import…"), theme.FolderOpenIcon(), s.chooseImport)

	s.statusF = widget.NewSelect(nil, func(string) { s.filterChanged() })
	s.statusF.PlaceHolder = lang.L("All statuses")
	s.sectionF = widget.NewSelect(nil, func(string) { s.filterChanged() })
	s.sectionF.PlaceHolder = lang.L("All sections")
	s.proponentF = widget.NewSelect(nil, func(string) { s.filterChanged() })
	s.proponentF.PlaceHolder = lang.L("All proponents")
	s.count = widget.NewLabel("")
	s.noMatch = lowLabel(lang.L("No paragraph matches these filters."))
	s.noMatch.Hide()

	s.emptyMsg = widget.NewLabel(lang.L("This workspace has no draft yet. Import a zero draft (Word .docx, Markdown or plain text) with Import…, or on the command line: consulta draft import FILE"))
	s.emptyMsg.Wrapping = fyne.TextWrapWord
	s.importHere = widget.NewButtonWithIcon(lang.L("Import a zero draft…"), theme.FolderOpenIcon(), s.chooseImport)
	s.roleNote, s.emptyNote = newRoleNote(), newRoleNote()
	s.roleNote.Alignment = fyne.TextAlignTrailing
	s.empty = container.NewVBox(s.emptyMsg, container.NewHBox(s.importHere), s.emptyNote)

	s.listBox = container.New(&widthLayout{onWidth: s.widthChanged})
	s.pane = newParaPane(s)
	s.right = container.NewStack(s.pane.content)
	// The list keeps room for a readable paragraph; the pane beside it,
	// whose wrapped text asks for width, takes the rest.
	listRoom := canvas.NewRectangle(color.Transparent)
	listRoom.SetMinSize(fyne.NewSize(360, 0))
	s.split = container.NewHSplit(container.NewBorder(s.noMatch, nil, nil, nil, container.NewStack(listRoom, s.listBox)), s.right)
	s.split.Offset = 0.55
	s.body = container.NewStack(s.empty)

	top := container.NewBorder(nil, nil, nil, container.NewHBox(roomFor(s.view, lang.L("Rev.0 (zero draft)"), lang.L("Current text")), s.compareBtn, s.reviseBtn, s.importBtn), s.pick)
	filters := container.NewBorder(nil, nil, nil, s.count, container.NewGridWithColumns(3, s.statusF, s.sectionF, s.proponentF))
	s.content = container.NewBorder(container.NewVBox(top, s.roleNote, filters), nil, nil, nil, s.body)
	s.setFilterOptions()
	s.enableButtons()
	return s
}

// widthLayout gives its objects its whole size and says when its width
// changed, so that the rows' heights follow the list's width.
type widthLayout struct{ onWidth func(float32) }

func (l *widthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if l.onWidth != nil && size.Width > 0 {
		l.onWidth(size.Width)
	}
}

func (l *widthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// open reads the store the first time the tab is shown.
func (s *draftScreen) open() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.refresh()
}

// refresh reads the drafts and the one shown, and shows them. It is also
// how the tab follows changes made elsewhere (an amendment that arrived
// from a peer): see watch.
func (s *draftScreen) refresh() {
	sig, changed, err := s.signature()
	if err != nil {
		s.u.showError(err)
		return
	}
	s.sig = sig
	s.loadDocs()
	s.load()
	s.watch(changed)
}

// signature sums up every drafting record's version, so that a change
// elsewhere in the workspace (a note) does not make the tab read the
// draft again.
func (s *draftScreen) signature() (string, <-chan struct{}, error) {
	res, err := s.u.svc.List(app.Filter{Kinds: strs(app.DraftingKinds)}, 0)
	if err != nil {
		return "", nil, err
	}
	h := fnv.New64a()
	for _, r := range res.Records {
		fmt.Fprintf(h, "%s %s %d\n", r.ID, r.Version.Device, r.Version.Seq)
	}
	return fmt.Sprintf("%d/%x", res.Total, h.Sum64()), res.Changed, nil
}

func (s *draftScreen) watch(changed <-chan struct{}) {
	if s.cancel != nil {
		close(s.cancel)
	}
	cancel := make(chan struct{})
	s.cancel = cancel
	go func() {
		select {
		case <-changed:
			time.Sleep(50 * time.Millisecond) // a burst of writes, one read
			dispatch(func() {
				if s.cancel == cancel {
					s.refreshIfChanged()
				}
			})
		case <-cancel:
		}
	}()
}

func (s *draftScreen) refreshIfChanged() {
	sig, changed, err := s.signature()
	if err != nil {
		s.u.showError(err)
		return
	}
	if sig != s.sig {
		s.sig = sig
		s.loadDocs()
		s.load()
	}
	s.watch(changed)
}

// reload reads again after a change made here.
func (s *draftScreen) reload() {
	if sig, _, err := s.signature(); err == nil {
		s.sig = sig
	}
	s.loadDocs()
	s.load()
}

func (s *draftScreen) stop() {
	delete(listRows, s.list)
	if s.cancel != nil {
		close(s.cancel)
		s.cancel = nil
	}
}

// flushDrafts writes the unsaved amendment now.
func (s *draftScreen) flushDrafts() {
	if s.form != nil {
		s.form.keepDraft()
	}
	s.drafts.flush()
}

// loadDocs reads the workspace's drafts into the drop-down, keeping the
// one shown (or choosing the newest).
func (s *draftScreen) loadDocs() {
	docs, err := s.u.svc.DraftDocs()
	if err != nil {
		s.u.showError(err)
		return
	}
	s.docs = docs
	var opts []string
	at := -1
	titles := map[string]int{}
	for _, d := range docs {
		titles[d.Title]++
	}
	for i, d := range docs {
		label := draftLabel(d)
		if titles[d.Title] > 1 { // two drafts of one title are told apart by when they were imported
			label += " (" + d.CreatedTime().Local().Format("2006-01-02 15:04:05") + ")"
		}
		opts = append(opts, label)
		if d.ID == s.draftID {
			at = i
		}
	}
	if at < 0 && len(docs) > 0 {
		at = 0
		s.setDraft(docs[0].ID)
	}
	if len(docs) == 0 {
		s.setDraft("")
	}
	s.loading = true
	s.pick.Options = opts
	if at >= 0 {
		s.pick.SetSelectedIndex(at)
	} else {
		s.pick.ClearSelected()
	}
	s.pick.Refresh()
	s.loading = false
	if len(docs) == 0 {
		s.body.Objects = []fyne.CanvasObject{s.empty}
	} else {
		s.body.Objects = []fyne.CanvasObject{s.split}
	}
	s.body.Refresh()
}

// draftLabel names a draft in the drop-down.
func draftLabel(d *app.Record) string {
	return clip(d.Title, 90)
}

// setDraft makes id the draft shown, from its current text.
func (s *draftScreen) setDraft(id app.RecordID) {
	if id == s.draftID {
		return
	}
	s.closeForm()
	s.draftID, s.rev, s.selected = id, nil, ""
	s.fSection, s.fProposer = "", ""
}

func (s *draftScreen) pickDraft() {
	i := s.pick.SelectedIndex()
	if i < 0 || i >= len(s.docs) {
		return
	}
	s.setDraft(s.docs[i].ID)
	s.load()
	s.scrollTop()
}

// load reads the draft shown (its current text or the revision chosen)
// and shows it.
func (s *draftScreen) load() {
	s.text = nil
	s.all = nil
	s.revs = nil
	if s.draftID != "" {
		revs, err := s.u.svc.Revisions(s.draftID)
		if err != nil {
			s.u.showError(err)
		}
		s.revs = revs
		if s.rev != nil {
			s.rev = s.findRev(s.rev.Record.ID)
		}
		if s.rev != nil {
			s.all = revisionRows(s.rev)
		} else if t, err := s.u.svc.ReadDraft(s.draftID); err != nil {
			s.u.showError(err)
		} else {
			s.text = t
			s.all = currentRows(t)
		}
	}
	s.byID = make(map[app.RecordID]int, len(s.all))
	for i, p := range s.all {
		s.byID[p.id] = i
	}
	if _, ok := s.byID[s.selected]; !ok {
		s.selected = ""
	}
	s.setViewOptions()
	s.setFilterOptions()
	s.applyFilters(true)
	s.enableButtons()
	s.showRight()
}

func (s *draftScreen) findRev(id app.RecordID) *app.RevisionText {
	for _, r := range s.revs {
		if r.Record.ID == id {
			return r
		}
	}
	return nil
}

// currentRows is the draft as it stands, row by row.
func currentRows(t *app.DraftText) []*shownPara {
	out := make([]*shownPara, 0, len(t.Paragraphs))
	var heads []*shownPara // the headings the next paragraph is under
	for _, p := range t.Paragraphs {
		sp := &shownPara{id: p.ID, level: int(p.Level), number: p.Number, text: p.Body, status: p.Status,
			amendments: len(p.Amendments), para: p}
		if p.Heading() {
			sp.text = p.Title
		}
		for _, a := range p.Amendments {
			for _, who := range []string{strings.TrimSpace(a.Org), strings.TrimSpace(a.Author)} {
				if who != "" && !slices.Contains(sp.proponents, who) {
					sp.proponents = append(sp.proponents, who)
				}
			}
		}
		heads = placeUnder(sp, heads)
		out = append(out, sp)
	}
	return out
}

// revisionRows is revision r, row by row.
func revisionRows(r *app.RevisionText) []*shownPara {
	out := make([]*shownPara, 0, len(r.Paragraphs))
	var heads []*shownPara
	for _, p := range r.Paragraphs {
		sp := &shownPara{id: p.ID, level: p.Level, number: p.Number, text: p.Text, status: p.Status}
		heads = placeUnder(sp, heads)
		out = append(out, sp)
	}
	return out
}

// placeUnder records the headings sp is under and returns the headings
// the next row is under.
func placeUnder(sp *shownPara, heads []*shownPara) []*shownPara {
	if sp.level > 0 {
		for len(heads) > 0 && heads[len(heads)-1].level >= sp.level {
			heads = heads[:len(heads)-1]
		}
	}
	for _, h := range heads {
		sp.sections = append(sp.sections, h.id)
	}
	if sp.level > 0 {
		heads = append(heads, sp)
	}
	return heads
}

// setViewOptions fills the revision switcher: the current text, then
// each revision.
func (s *draftScreen) setViewOptions() {
	opts := []string{lang.L("Current text")}
	at := 0
	for i, r := range s.revs {
		opts = append(opts, revLabel(r))
		if s.rev != nil && r.Record.ID == s.rev.Record.ID {
			at = i + 1
		}
	}
	s.loading = true
	s.view.Options = opts
	s.view.SetSelectedIndex(at)
	s.loading = false
}

// revLabel names a revision: "Rev.0 (zero draft)", "Rev.2".
func revLabel(r *app.RevisionText) string {
	if r.Number == 0 {
		return lang.L("Rev.0 (zero draft)")
	}
	return lang.L("Rev.{{.N}}", map[string]any{"N": r.Number})
}

func (s *draftScreen) pickView() {
	i := s.view.SelectedIndex()
	if i <= 0 || i > len(s.revs) {
		s.showRevision(nil)
		return
	}
	s.showRevision(s.revs[i-1])
}

// showRevision shows revision r read-only, or the current text when r is
// nil.
func (s *draftScreen) showRevision(r *app.RevisionText) {
	s.closeForm()
	s.rev = r
	s.load()
}

// setFilterOptions fills the filters from what is shown, keeping what
// was chosen when it is still there.
func (s *draftScreen) setFilterOptions() {
	s.loading = true
	defer func() { s.loading = false }()
	st := []string{lang.L("All statuses")}
	for _, x := range app.ParagraphStatuses {
		st = append(st, s.u.draftStatusLabel(x))
	}
	s.statusF.Options = st
	if i := slices.Index(app.ParagraphStatuses, s.fStatus); i >= 0 {
		s.statusF.SetSelectedIndex(i + 1)
	} else {
		s.fStatus = ""
		s.statusF.SetSelectedIndex(0)
	}

	s.sections = nil
	sec := []string{lang.L("All sections")}
	for _, p := range s.all {
		if p.level > 0 {
			s.sections = append(s.sections, p.id)
			sec = append(sec, strings.Repeat("    ", p.level-1)+clip(p.text, 70))
		}
	}
	s.sectionF.Options = sec
	if i := slices.Index(s.sections, s.fSection); i >= 0 {
		s.sectionF.SetSelectedIndex(i + 1)
	} else {
		s.fSection = ""
		s.sectionF.SetSelectedIndex(0)
	}

	s.people = nil
	for _, p := range s.all {
		for _, who := range p.proponents {
			if !slices.Contains(s.people, who) {
				s.people = append(s.people, who)
			}
		}
	}
	slices.SortFunc(s.people, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	s.proponentF.Options = append([]string{lang.L("All proponents")}, s.people...)
	if i := slices.Index(s.people, s.fProposer); i >= 0 {
		s.proponentF.SetSelectedIndex(i + 1)
	} else {
		s.fProposer = ""
		s.proponentF.SetSelectedIndex(0)
	}
	if s.rev != nil || len(s.people) == 0 { // a revision has no amendments
		s.proponentF.Disable()
	} else {
		s.proponentF.Enable()
	}
}

func (s *draftScreen) filterChanged() {
	if s.loading {
		return
	}
	s.fStatus, s.fSection, s.fProposer = "", "", ""
	if i := s.statusF.SelectedIndex(); i > 0 {
		s.fStatus = app.ParagraphStatuses[i-1]
	}
	if i := s.sectionF.SelectedIndex(); i > 0 && i <= len(s.sections) {
		s.fSection = s.sections[i-1]
	}
	if i := s.proponentF.SelectedIndex(); i > 0 && i <= len(s.people) {
		s.fProposer = s.people[i-1]
	}
	s.applyFilters(false)
	s.scrollTop()
}

// applyFilters chooses the rows the filters let through: the paragraphs
// that match and the headings above them (with no filter, every heading,
// an empty section too).
func (s *draftScreen) applyFilters(keepOffset bool) {
	filtering := s.fStatus != "" || s.fSection != "" || s.fProposer != ""
	keep := make([]bool, len(s.all))
	heads := map[app.RecordID]bool{}
	shownParas, total := 0, 0
	for i, p := range s.all {
		if p.level > 0 {
			continue
		}
		total++
		switch {
		case s.fStatus != "" && p.status != s.fStatus && !(s.fStatus == app.StatusOpen && p.status == ""):
		case s.fSection != "" && !slices.Contains(p.sections, s.fSection):
		case s.fProposer != "" && !slices.Contains(p.proponents, s.fProposer):
		default:
			keep[i] = true
			shownParas++
			for _, h := range p.sections {
				heads[h] = true
			}
		}
	}
	shown := make([]*shownPara, 0, len(s.all))
	for i, p := range s.all {
		if keep[i] || p.level > 0 && (!filtering || heads[p.id]) {
			shown = append(shown, p)
		}
	}
	if filtering {
		s.count.SetText(lang.L("{{.Shown}} of {{.Total}} paragraphs", map[string]any{"Shown": shownParas, "Total": total}))
	} else {
		s.count.SetText(lang.L("{{.Total}} paragraphs", map[string]any{"Total": total}))
	}
	if filtering && shownParas == 0 {
		s.noMatch.Show()
	} else {
		s.noMatch.Hide()
	}
	s.setShown(shown, keepOffset)
}

// setShown puts rows in the list. When the rows are the same paragraphs
// as before, the list only redraws; otherwise a new list replaces it,
// its heights set before it is drawn, which costs far less than setting
// each height of a list on screen (each redraws the list).
func (s *draftScreen) setShown(shown []*shownPara, keepOffset bool) {
	same := s.list != nil && len(shown) == len(s.shown)
	for i := 0; same && i < len(shown); i++ {
		same = shown[i].id == s.shown[i].id
	}
	s.shown = shown
	old := s.heights
	s.heights = make([]float32, len(shown))
	for i, p := range shown {
		s.heights[i], p.cut = s.metrics.height(p, s.width)
	}
	if same {
		for i, h := range s.heights {
			if h != old[i] {
				s.list.SetItemHeight(i, h)
			}
		}
		s.list.Refresh()
		s.reselect()
		return
	}
	var offset float32
	if keepOffset && s.list != nil {
		offset = s.list.GetScrollOffset()
	}
	if s.list != nil {
		delete(listRows, s.list)
	}
	s.rows = nil
	l := widget.NewList(
		func() int { return len(s.shown) },
		func() fyne.CanvasObject {
			r := newDraftRow()
			s.rows = append(s.rows, r)
			return r
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(s.shown) {
				o.(*draftRow).show(s.u, s.shown[i])
			}
		})
	for i, h := range s.heights {
		l.SetItemHeight(i, h)
	}
	l.OnSelected = func(i widget.ListItemID) {
		if !s.selecting && i < len(s.shown) {
			s.selectPara(s.shown[i].id)
		}
	}
	s.list = l
	listRows[l] = func() []fyne.CanvasObject {
		out := make([]fyne.CanvasObject, len(s.rows))
		for i, r := range s.rows {
			out[i] = r
		}
		return out
	}
	s.listBox.Objects = []fyne.CanvasObject{l}
	s.listBox.Refresh()
	if offset > 0 {
		l.ScrollToOffset(offset)
	}
	s.reselect()
}

// reselect marks the selected paragraph's row, if it is shown.
func (s *draftScreen) reselect() {
	s.selecting = true
	defer func() { s.selecting = false }()
	for i, p := range s.shown {
		if p.id == s.selected {
			s.list.Select(i)
			return
		}
	}
	s.list.UnselectAll()
}

func (s *draftScreen) scrollTop() {
	if s.list != nil {
		s.list.ScrollToTop()
	}
}

// widthChanged follows the list's width: the rows' heights are estimated
// again a moment after it stops changing (dragging the divider changes it
// at every frame).
func (s *draftScreen) widthChanged(w float32) {
	if w-s.width < 2 && s.width-w < 2 {
		return
	}
	s.width = w
	s.reflowGen++
	gen := s.reflowGen
	time.AfterFunc(150*time.Millisecond, func() {
		dispatch(func() {
			if gen == s.reflowGen {
				s.reflow()
			}
		})
	})
}

func (s *draftScreen) reflow() {
	if s.list == nil {
		return
	}
	cuts := false
	for i, p := range s.shown {
		h, cut := s.metrics.height(p, s.width)
		cuts = cuts || cut != p.cut
		p.cut = cut
		if h != s.heights[i] {
			s.heights[i] = h
			s.list.SetItemHeight(i, h)
		}
	}
	if cuts {
		s.list.Refresh()
	}
}

// selectPara shows paragraph id beside the list.
func (s *draftScreen) selectPara(id app.RecordID) {
	if s.form != nil {
		s.closeForm()
	}
	s.selected = id
	s.showRight()
}

// selectNumber selects the paragraph numbered n ("3 bis"), for tests and
// the probe's journeys; it reports whether there is one.
func (s *draftScreen) selectNumber(n string) bool {
	for i, p := range s.shown {
		if p.level == 0 && p.number == n {
			s.list.Select(i)
			return true
		}
	}
	return false
}

// paragraph is paragraph id of the current text, or nil.
func (s *draftScreen) paragraph(id app.RecordID) *app.DraftParagraph {
	if i, ok := s.byID[id]; ok && s.rev == nil {
		return s.all[i].para
	}
	return nil
}

// showRight shows, beside the list, the open form, else the selected
// paragraph (with its amendments, or as the revision froze it).
func (s *draftScreen) showRight() {
	if s.form != nil {
		s.setRight(s.form.content)
		return
	}
	s.pane.show()
	s.setRight(s.pane.content)
}

func (s *draftScreen) setRight(o fyne.CanvasObject) {
	if len(s.right.Objects) == 1 && s.right.Objects[0] == o {
		return
	}
	s.right.Objects = []fyne.CanvasObject{o}
	s.right.Refresh()
}

func (s *draftScreen) enableButtons() {
	has := s.draftID != ""
	setEnabled(s.view, has)
	setEnabled(s.pick, len(s.docs) > 0)
	may, why := s.u.may(roles.Revise, lang.L("Issuing a revision or importing a draft"))
	setEnabled(s.reviseBtn, has && s.rev == nil && may)
	setEnabled(s.importBtn, may)
	setEnabled(s.importHere, may)
	setNote(s.roleNote, why)
	setNote(s.emptyNote, why)
	setEnabled(s.compareBtn, len(s.revs) >= 2)
	setEnabled(s.statusF, has)
	setEnabled(s.sectionF, has && len(s.sections) > 0)
}

func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// proposeAmendment opens the amendment form on the selected paragraph, or
// the amendment left unsaved there.
func (s *draftScreen) proposeAmendment() {
	p := s.paragraph(s.selected)
	if p == nil || p.Heading() {
		return
	}
	f := newAmendForm(s, p)
	if text, err := s.u.svc.Draft(amendDraftName(p.ID)); err == nil && text != "" {
		if st, err := decodeAmendState(text); err == nil {
			f.restore(st)
		}
	}
	s.form = f
	s.setRight(f.content)
	s.u.win.Canvas().Focus(f.text)
}

// closeForm closes the amendment form; what was typed stays as a draft
// unless it was saved.
func (s *draftScreen) closeForm() {
	if s.form == nil {
		return
	}
	s.form.keepDraft()
	s.form = nil
	s.showRight()
}

// confirmRevise asks the secretariat to confirm, then issues the next
// revision, signed by the person using this laptop.
func (s *draftScreen) confirmRevise() {
	if s.draftID == "" || s.text == nil {
		return
	}
	who := s.u.svc.Person()
	if who == "" {
		s.u.showError(errors.New(lang.L("Set your name in the settings first: a revision is signed by whoever issues it.")))
		return
	}
	next := 0
	if n := len(s.revs); n > 0 {
		next = s.revs[n-1].Number + 1
	}
	q := lang.L("Issue Rev.{{.N}} of “{{.Title}}”, signed by {{.Name}}? The draft is renumbered (bis and ter become numbers, deleted paragraphs leave it) and frozen as it stands now, with a memorandum of what changed since the last revision.",
		map[string]any{"N": next, "Title": s.text.Draft.Title, "Name": who})
	dialog.ShowConfirm(lang.L("Issue revision"), q, func(ok bool) {
		if ok {
			s.revise()
		}
	}, s.u.win)
}

// revise issues the next revision and shows it with its memorandum.
func (s *draftScreen) revise() {
	t, err := s.u.svc.Revise(s.draftID, s.u.svc.Person())
	if err != nil {
		s.u.showError(err)
		return
	}
	s.reload()
	for i := len(s.revs) - 1; i >= 0; i-- {
		if s.revs[i].Number == t.Number {
			s.showRevision(s.revs[i])
			return
		}
	}
}
