package desktop

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draft"
	"github.com/cartagena-c40/consulta/app/roles"
)

// paraPane is what shows beside the list: the selected paragraph in full
// with its amendments and what can be done with them, or, when a revision
// is shown, the paragraph as it froze it and the revision's memorandum.
type paraPane struct {
	s       *draftScreen
	content fyne.CanvasObject
	box     *fyne.Container

	hint    *widget.Label
	title   *widget.Label
	badge   *badge
	status  *widget.Select // sets the paragraph's status
	note    *widget.Label  // why status and decisions are disabled, when a role is why
	text    *widget.RichText
	propose *widget.Button
	amends  []*amendView
	memo    []*widget.Label
	hist    []*widget.Label // the paragraph in each revision (history)
	loading bool
}

func newParaPane(s *draftScreen) *paraPane {
	p := &paraPane{s: s, badge: newBadge()}
	p.hint = widget.NewLabel("")
	p.hint.Wrapping = fyne.TextWrapWord
	p.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.SizeName = theme.SizeNameSubHeadingText
	var opts []string
	for _, st := range app.ParagraphStatuses {
		opts = append(opts, s.u.draftStatusLabel(st))
	}
	p.status = widget.NewSelect(opts, func(string) { p.setStatus() })
	p.status.PlaceHolder = lang.L("Status")
	p.note = newRoleNote()
	p.text = newMarked(nil)
	p.propose = widget.NewButtonWithIcon(lang.L("Propose amendment"), theme.DocumentCreateIcon(), s.proposeAmendment)
	p.propose.Importance = widget.HighImportance
	p.box = container.NewVBox(p.hint)
	p.content = container.NewVScroll(container.NewPadded(p.box))
	return p
}

// show fills the pane from the screen's state.
func (p *paraPane) show() {
	s := p.s
	p.amends, p.memo = nil, nil
	var objs []fyne.CanvasObject
	switch {
	case s.draftID == "":
		p.hint.SetText("")
		objs = append(objs, p.hint)
	case s.rev != nil:
		objs = p.revision(s.rev)
	default:
		objs = p.paragraph()
	}
	p.box.Objects = objs
	p.box.Refresh()
}

// paragraph is the selected paragraph of the current text with its
// amendments.
func (p *paraPane) paragraph() []fyne.CanvasObject {
	s, u := p.s, p.s.u
	para := s.paragraph(s.selected)
	if para == nil {
		p.hint.SetText(lang.L("Select a paragraph to read its amendments and propose one. Bracketed language is in bold; {+inserted+} and {−deleted−} words mark a change."))
		return []fyne.CanvasObject{p.hint}
	}
	if para.Heading() {
		p.title.SetText(para.Title)
		p.hint.SetText(lang.L("A section heading. Select a paragraph to amend it."))
		return []fyne.CanvasObject{p.title, p.hint}
	}
	p.title.SetText(lang.L("Paragraph {{.N}}", map[string]any{"N": para.Number}))
	p.badge.set(u, para.Status)
	p.loading = true
	p.status.SetSelectedIndex(slices.Index(app.ParagraphStatuses, para.Status))
	p.loading = false
	p.text.Segments = bracketSegments(para.Body, plainStyle)
	p.text.Refresh()
	p.propose.SetText(lang.L("Propose amendment"))
	if text, err := u.svc.Draft(amendDraftName(para.ID)); err == nil && text != "" {
		p.propose.SetText(lang.L("Resume the unsaved amendment"))
	}
	statusRow := container.NewHBox(p.badge.content, layout.NewSpacer(), widget.NewLabel(lang.L("Set status:")), roomFor(p.status, p.status.Options...))
	may, why := u.may(roles.Decide, lang.L("Deciding an amendment or a paragraph's status"))
	setEnabled(p.status, may)
	setNote(p.note, why)
	objs := []fyne.CanvasObject{p.title, statusRow, p.note, p.text, container.NewHBox(p.propose), widget.NewSeparator()}
	if len(para.Amendments) == 0 {
		objs = append(objs, lowLabel(lang.L("No amendments yet.")))
	} else {
		objs = append(objs, heading(lang.L("Amendments ({{.N}})", map[string]any{"N": len(para.Amendments)})))
	}
	for _, a := range para.Amendments {
		v := newAmendView(s, para, a)
		p.amends = append(p.amends, v)
		objs = append(objs, v.box, widget.NewSeparator())
	}
	return append(objs, p.history(para)...)
}

// history is the paragraph in each revision: its number and status then,
// and what that revision's memorandum says changed it and why.
func (p *paraPane) history(para *app.DraftParagraph) []fyne.CanvasObject {
	s := p.s
	p.hist = nil
	for _, r := range s.revs {
		rp, ok := r.Find(para.ID)
		line := revLabel(r) + ": "
		if ok {
			line += "¶ " + rp.Number + ", " + s.u.draftStatusLabel(rp.Status)
		} else {
			line += lang.L("not in the text")
		}
		for _, e := range r.Memo {
			if e.Paragraph == para.ID {
				line += " — " + s.memoLine(e)
			}
		}
		p.hist = append(p.hist, lowLabel(line))
	}
	if len(p.hist) == 0 {
		return nil
	}
	objs := []fyne.CanvasObject{heading(lang.L("In each revision"))}
	for _, l := range p.hist {
		objs = append(objs, l)
	}
	return objs
}

func lowLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return l
}

func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// setStatus sets the selected paragraph's status as chosen.
func (p *paraPane) setStatus() {
	s := p.s
	para := s.paragraph(s.selected)
	i := p.status.SelectedIndex()
	if p.loading || para == nil || i < 0 || app.ParagraphStatuses[i] == para.Status {
		return
	}
	if err := s.u.svc.SetStatus(para.ID, app.ParagraphStatuses[i]); err != nil {
		s.u.showError(err)
	}
	s.reload()
}

// revision is the selected paragraph as revision r froze it, and r's
// memorandum.
func (p *paraPane) revision(r *app.RevisionText) []fyne.CanvasObject {
	s := p.s
	var objs []fyne.CanvasObject
	p.title.SetText(revLabel(r))
	objs = append(objs, p.title)
	when := ""
	if r.Record != nil {
		when = shownTime(r.Record.Created)
	}
	objs = append(objs, lowLabel(lang.L("Issued by {{.Name}} on {{.When}}. Read only: choose Current text to amend.", map[string]any{"Name": r.By, "When": when})))
	if rp, ok := r.Find(s.selected); ok {
		if rp.Level > 0 {
			objs = append(objs, heading(rp.Text))
		} else {
			p.badge.set(s.u, rp.Status)
			objs = append(objs, container.NewHBox(heading(lang.L("Paragraph {{.N}}", map[string]any{"N": rp.Number})), p.badge.content),
				newMarked(bracketSegments(rp.Text, plainStyle)))
		}
		objs = append(objs, widget.NewSeparator())
	}
	objs = append(objs, heading(lang.L("Memorandum")))
	if r.Number == 0 {
		objs = append(objs, lowLabel(lang.L("The zero draft, as imported.")))
		return objs
	}
	if len(r.Memo) == 0 {
		objs = append(objs, lowLabel(lang.L("Nothing changed since the revision before.")))
	}
	for _, e := range r.Memo {
		l := wrapLabel(s.memoLine(e))
		p.memo = append(p.memo, l)
		objs = append(objs, l)
	}
	return objs
}

// memoLine words one line of a memorandum: the paragraph, what changed,
// and the amendments behind it.
func (s *draftScreen) memoLine(e app.MemoEntry) string {
	num := e.Number
	if e.Was != "" {
		num = lang.L("{{.N}} (was {{.Was}})", map[string]any{"N": e.Number, "Was": e.Was})
	}
	what := changeWord(e.Change)
	if e.Change == app.ChangeStatus {
		what = lang.L("now {{.Status}}", map[string]any{"Status": s.u.draftStatusLabel(e.Status)})
	}
	line := "¶ " + num + ": " + what
	if e.Number == "" && e.Was == "" {
		line = lang.L("Heading") + ": " + what
	}
	var by []string
	for _, id := range e.Amendments {
		if a, err := s.u.svc.Get(id); err == nil {
			by = append(by, actionLabel(a.Action)+" · "+proponent(a)+": "+s.u.draftStatusLabel(a.Status))
		}
	}
	if len(by) > 0 {
		line += " — " + lang.L("amendments: {{.List}}", map[string]any{"List": strings.Join(by, "; ")})
	}
	return line
}

// changeWord words what a revision did to a paragraph (app's Change*).
func changeWord(change string) string {
	switch change {
	case app.ChangeAdded:
		return lang.L("added")
	case app.ChangeDeleted:
		return lang.L("deleted")
	case app.ChangeModified:
		return lang.L("modified")
	case app.ChangeMoved:
		return lang.L("moved")
	case app.ChangeStatus:
		return lang.L("status changed")
	case "":
		return lang.L("unchanged")
	}
	return change
}

// proponent names who proposed amendment a: their organization and name.
func proponent(a *app.Record) string {
	org, who := strings.TrimSpace(a.Org), strings.TrimSpace(a.Author)
	switch {
	case org != "" && who != "":
		return org + " (" + who + ")"
	case org != "":
		return org
	}
	return who
}

// amendView is one amendment beside its paragraph: what it changes,
// marked; who proposed, supports and opposes it; why; its status; and the
// buttons to support, oppose and decide it.
type amendView struct {
	s      *draftScreen
	para   *app.DraftParagraph
	rec    *app.Record
	box    *fyne.Container
	title  *widget.Label
	status *badge
	change *widget.RichText
	// support and oppose record the stance of the person using this
	// laptop; accept and reject decide the amendment, more the rarer
	// decisions (as modified, merged, withdrawn).
	support, oppose, accept, reject *widget.Button
	more                            *widget.Select
}

func newAmendView(s *draftScreen, para *app.DraftParagraph, a *app.Record) *amendView {
	u := s.u
	v := &amendView{s: s, para: para, rec: a, status: newBadge()}
	v.title = widget.NewLabelWithStyle(actionLabel(a.Action)+" · "+proponent(a), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.title.Wrapping = fyne.TextWrapWord
	v.status.set(u, a.Status)
	v.change = newMarked(amendmentChange(s, para, a))
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, v.status.content, v.title)}
	if a.Stakeholder != "" {
		objs = append(objs, lowLabel(u.label("stakeholders", string(a.Stakeholder))))
	}
	objs = append(objs, v.change)
	if len(a.Supporters) > 0 {
		objs = append(objs, wrapLabel(lang.L("Supported by ({{.N}}): {{.Names}}", map[string]any{"N": len(a.Supporters), "Names": strings.Join(a.Supporters, "; ")})))
	}
	if len(a.Opposers) > 0 {
		objs = append(objs, wrapLabel(lang.L("Opposed by ({{.N}}): {{.Names}}", map[string]any{"N": len(a.Opposers), "Names": strings.Join(a.Opposers, "; ")})))
	}
	if strings.TrimSpace(a.Rationale) != "" {
		objs = append(objs, wrapLabel(lang.L("Rationale: {{.Text}}", map[string]any{"Text": a.Rationale})))
	}
	objs = append(objs, lowLabel(lang.L("Proposed {{.When}}", map[string]any{"When": shownTime(a.Created)})))

	who := u.svc.Person()
	v.support = widget.NewButtonWithIcon(lang.L("Support"), theme.ConfirmIcon(), v.doSupport)
	if slices.Contains(a.Supporters, who) {
		v.support.SetText(lang.L("Withdraw support"))
	}
	v.oppose = widget.NewButtonWithIcon(lang.L("Oppose"), theme.CancelIcon(), v.doOppose)
	if slices.Contains(a.Opposers, who) {
		v.oppose.SetText(lang.L("Withdraw opposition"))
	}
	v.accept = widget.NewButtonWithIcon(lang.L("Accept"), theme.ConfirmIcon(), func() { v.decide(app.StatusAccepted) })
	v.accept.Importance = widget.SuccessImportance
	v.reject = widget.NewButtonWithIcon(lang.L("Not retained"), theme.CancelIcon(), func() { v.decide(app.StatusNotRetained) })
	switch a.Status {
	case app.StatusWithdrawn:
		// nothing left to do with it
	case app.StatusPending:
		v.more = widget.NewSelect(otherDecisions(), v.decideOther)
		v.more.PlaceHolder = lang.L("Other decision…")
		if may, _ := u.svc.May(roles.Decide); !may { // the pane says why, once
			v.accept.Disable()
			v.reject.Disable()
			v.more.Disable()
		}
		objs = append(objs, container.NewHBox(v.support, v.oppose), container.NewHBox(v.accept, v.reject, v.more))
	default:
		objs = append(objs, container.NewHBox(v.support, v.oppose))
	}
	v.box = container.NewVBox(objs...)
	return v
}

// amendedText is the text amendment a changes: the paragraph as it
// stands, or, once a is accepted (and the paragraph reads as a says), as
// the last revision before a was proposed froze it.
func amendedText(s *draftScreen, para *app.DraftParagraph, a *app.Record) string {
	if a.Status != app.StatusAccepted && a.Status != app.StatusAcceptedModified {
		return para.Body
	}
	for i := len(s.revs) - 1; i >= 0; i-- {
		if r := s.revs[i]; r.Record != nil && r.Record.Created <= a.Created {
			if rp, ok := r.Find(para.ID); ok {
				return rp.Text
			}
			break
		}
	}
	return para.Body
}

// amendmentChange is what amendment a does to para, marked.
func amendmentChange(s *draftScreen, para *app.DraftParagraph, a *app.Record) []widget.RichTextSegment {
	switch a.Action {
	case app.ActionModify:
		return markedSegments(draft.Diff(amendedText(s, para, a), a.Body))
	case app.ActionDelete:
		return markedSegments(draft.Diff(para.Body, ""))
	case app.ActionAdd:
		intro := &widget.TextSegment{Text: lang.L("New paragraph after {{.N}}:", map[string]any{"N": para.Number}) + " ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Italic: true}}}
		return append([]widget.RichTextSegment{intro}, markedSegments(draft.Diff("", a.Body))...)
	case app.ActionMove:
		after := string(a.After)
		if q := s.paragraph(a.After); q != nil {
			after = q.Number
			if q.Heading() {
				after = "“" + clip(q.Title, 60) + "”"
			}
		}
		return []widget.RichTextSegment{&widget.TextSegment{Text: lang.L("Move paragraph {{.N}} after {{.After}}.", map[string]any{"N": para.Number, "After": after}), Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Italic: true}}}}
	}
	return nil
}

func (v *amendView) doSupport() {
	svc := v.s.u.svc
	var err error
	if slices.Contains(v.rec.Supporters, svc.Person()) {
		err = svc.UnsupportAmendment(v.rec.ID, svc.Person())
	} else {
		err = svc.SupportAmendment(v.rec.ID, svc.Person())
	}
	if err != nil {
		v.s.u.showError(err)
	}
	v.s.reload()
}

func (v *amendView) doOppose() {
	svc := v.s.u.svc
	var err error
	if slices.Contains(v.rec.Opposers, svc.Person()) {
		err = svc.Unoppose(v.rec.ID, svc.Person())
	} else {
		err = svc.Oppose(v.rec.ID, svc.Person())
	}
	if err != nil {
		v.s.u.showError(err)
	}
	v.s.reload()
}

// decide asks to confirm, then records the decision: accepting applies
// the amendment to the draft; every amendment stays readable either way.
func (v *amendView) decide(st app.Status) {
	var title, q string
	data := map[string]any{"Title": actionLabel(v.rec.Action) + " · " + proponent(v.rec), "N": v.para.Number}
	if st == app.StatusAccepted {
		title = lang.L("Accept")
		q = lang.L("Accept the amendment “{{.Title}}” to paragraph {{.N}}? The draft changes accordingly; this and every other amendment to the paragraph stay readable.", data)
	} else {
		title = lang.L("Not retained")
		q = lang.L("Record that the amendment “{{.Title}}” to paragraph {{.N}} is not retained? It stays readable.", data)
	}
	dialog.ShowConfirm(title, q, func(ok bool) {
		if !ok {
			return
		}
		if err := v.s.u.svc.Decide(v.rec.ID, app.Decision{Status: st}); err != nil {
			v.s.u.showError(err)
		}
		v.s.reload()
	}, v.s.u.win)
}

// otherDecisions are the decisions More offers, in the order of
// decisionStatuses.
func otherDecisions() []string {
	return []string{lang.L("Accepted as modified…"), lang.L("Merged with another…"), lang.L("Withdrawn by its proponent")}
}

var decisionStatuses = []app.Status{app.StatusAcceptedModified, app.StatusMerged, app.StatusWithdrawn}

// decideOther asks what a rarer decision needs (the text as accepted, the
// amendment it was merged with, a confirmation) and records it.
func (v *amendView) decideOther(choice string) {
	i := slices.Index(otherDecisions(), choice)
	if i < 0 {
		return
	}
	d := app.Decision{Status: decisionStatuses[i]}
	var items []*widget.FormItem
	switch d.Status {
	case app.StatusAcceptedModified:
		text := widget.NewMultiLineEntry()
		text.Wrapping = fyne.TextWrapWord
		text.SetText(v.rec.Body)
		text.SetMinRowsVisible(5)
		items = append(items, widget.NewFormItem(lang.L("Text as accepted"), text))
		v.confirm(choice, items, func() app.Decision { d.Text = text.Text; return d })
		return
	case app.StatusMerged:
		others, labels := v.siblings()
		if len(others) == 0 {
			v.more.ClearSelected()
			v.s.u.showError(errors.New(lang.L("No other amendment to this paragraph to merge it with.")))
			return
		}
		into := widget.NewSelect(labels, nil)
		into.SetSelectedIndex(0)
		items = append(items, widget.NewFormItem(lang.L("Merged with"), into))
		v.confirm(choice, items, func() app.Decision { d.Into = others[max(0, into.SelectedIndex())]; return d })
		return
	}
	items = append(items, widget.NewFormItem("", wrapLabel(lang.L("It stays readable, with its text and supporters."))))
	v.confirm(choice, items, func() app.Decision { return d })
}

// siblings are the other amendments to the same paragraph, with labels.
func (v *amendView) siblings() ([]app.RecordID, []string) {
	var ids []app.RecordID
	var labels []string
	for _, a := range v.para.Amendments {
		if a.ID != v.rec.ID {
			ids = append(ids, a.ID)
			labels = append(labels, actionLabel(a.Action)+" · "+proponent(a))
		}
	}
	return ids, labels
}

// confirm shows a form for decision title and records what decision
// returns when it is confirmed; the drop-down shows the decision until
// then.
func (v *amendView) confirm(title string, items []*widget.FormItem, decision func() app.Decision) {
	dlg := dialog.NewForm(strings.TrimSuffix(title, "…"), lang.L("Record the decision"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			v.more.ClearSelected()
			return
		}
		if err := v.s.u.svc.Decide(v.rec.ID, decision()); err != nil {
			v.s.u.showError(err)
		}
		v.s.reload()
	}, v.s.u.win)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

// compareView compares two revisions paragraph by paragraph in a window
// of its own.
type compareView struct {
	s        *draftScreen
	win      fyne.Window
	from, to *widget.Select
	all      *widget.Check
	summary  *widget.Label
	body     *fyne.Container
	revs     []*app.RevisionText
	diffs    []app.ParagraphDiff
	marked   []*widget.RichText // one per paragraph shown
}

// openCompare opens the comparison of the last two revisions; either can
// then be changed.
func (s *draftScreen) openCompare() *compareView {
	if len(s.revs) < 2 {
		return nil
	}
	if s.compare != nil {
		s.compare.win.Close()
	}
	c := &compareView{s: s, revs: s.revs}
	var labels []string
	for _, r := range c.revs {
		labels = append(labels, revLabel(r))
	}
	c.from = widget.NewSelect(labels, func(string) { c.update() })
	c.to = widget.NewSelect(labels, func(string) { c.update() })
	c.all = widget.NewCheck(lang.L("Show unchanged paragraphs"), func(bool) { c.update() })
	c.summary = widget.NewLabel("")
	c.body = container.NewVBox()
	legend := lowLabel(lang.L("{+inserted+} and {−deleted−} words, against the earlier revision."))
	top := container.NewVBox(
		container.NewHBox(widget.NewLabel(lang.L("From")), roomFor(c.from, labels...), widget.NewLabel(lang.L("to")), roomFor(c.to, labels...), c.all),
		c.summary, legend, widget.NewSeparator())
	title := lang.L("Compare revisions")
	for _, d := range s.docs {
		if d.ID == s.draftID {
			title += " · " + clip(d.Title, 60)
		}
	}
	c.win = s.u.newWindow(title)
	c.win.SetContent(container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewPadded(c.body))))
	c.win.Resize(fyne.NewSize(900, 700))
	c.win.SetOnClosed(func() {
		if s.compare == c {
			s.compare = nil
		}
	})
	s.compare = c
	c.from.SetSelectedIndex(len(c.revs) - 2)
	c.to.SetSelectedIndex(len(c.revs) - 1)
	c.win.Show()
	return c
}

func (c *compareView) update() {
	i, j := c.from.SelectedIndex(), c.to.SelectedIndex()
	if i < 0 || j < 0 {
		return
	}
	a, b := c.revs[i], c.revs[j]
	c.diffs = app.Compare(a, b)
	c.marked = nil
	var objs []fyne.CanvasObject
	changed := 0
	for _, d := range c.diffs {
		if d.Change != "" {
			changed++
		} else if !c.all.Checked {
			continue
		}
		segs := markedSegments(d.Marked)
		if d.Level > 0 { // a heading reads as one, its change word above it when it changed
			for _, seg := range segs {
				ts := seg.(*widget.TextSegment)
				ts.Style.TextStyle.Bold = true
				ts.Style.SizeName = theme.SizeNameSubHeadingText
			}
			if d.Change != "" {
				objs = append(objs, lowLabel(c.diffHeading(d)))
			}
		} else {
			objs = append(objs, heading(c.diffHeading(d)))
		}
		rt := newMarked(segs)
		c.marked = append(c.marked, rt)
		objs = append(objs, rt)
	}
	c.summary.SetText(lang.L("{{.From}} → {{.To}}: paragraphs and headings changed: {{.N}}", map[string]any{"From": revLabel(a), "To": revLabel(b), "N": changed}))
	if changed == 0 && !c.all.Checked {
		objs = append(objs, lowLabel(lang.L("No paragraph changed between these revisions.")))
	}
	c.body.Objects = objs
	c.body.Refresh()
}

// diffHeading names a compared paragraph: its numbers in both revisions
// and what changed.
func (c *compareView) diffHeading(d app.ParagraphDiff) string {
	num := d.To
	switch {
	case d.Level > 0:
		num = lang.L("Heading")
	case d.To == "":
		num = d.From
	case d.From != "" && d.From != d.To:
		num = lang.L("{{.N}} (was {{.Was}})", map[string]any{"N": d.To, "Was": d.From})
	}
	what := changeWord(d.Change)
	if d.Change == app.ChangeStatus {
		was, _ := c.revs[c.from.SelectedIndex()].Find(d.ID)
		now, _ := c.revs[c.to.SelectedIndex()].Find(d.ID)
		what += ": " + c.s.u.draftStatusLabel(was.Status) + " → " + c.s.u.draftStatusLabel(now.Status)
	}
	if d.Level > 0 {
		return fmt.Sprintf("%s · %s", num, what)
	}
	return fmt.Sprintf("¶ %s · %s", num, what)
}
