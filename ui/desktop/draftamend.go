package desktop

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draft"
)

// amendDraftPrefix names the drafts of amendments being typed: one per
// paragraph, so that an amendment begun on paragraph 3 and one on 7 are
// both kept.
const amendDraftPrefix = "amend/"

func amendDraftName(para app.RecordID) string { return amendDraftPrefix + string(para) }

// amendState is what the amendment form holds, as kept in a draft.
type amendState struct {
	Draft       string    `json:"draft"`
	Paragraph   string    `json:"paragraph"`
	Action      string    `json:"action"`
	Text        string    `json:"text"`
	After       string    `json:"after,omitempty"`
	Author      string    `json:"author,omitempty"`
	Org         string    `json:"org,omitempty"`
	Stakeholder string    `json:"stakeholder,omitempty"`
	Rationale   string    `json:"rationale,omitempty"`
	Saved       time.Time `json:"saved"`
}

func (st *amendState) encode() string {
	b, _ := json.Marshal(st)
	return string(b)
}

func decodeAmendState(text string) (*amendState, error) {
	var st amendState
	if err := json.Unmarshal([]byte(text), &st); err != nil {
		return nil, err
	}
	if st.Paragraph == "" {
		return nil, errors.New("not an amendment's draft")
	}
	return &st, nil
}

// amendForm proposes an amendment to one paragraph: the paragraph's text
// to edit, the change shown as marked insertions and deletions while it
// is typed, who proposes it and why. What is typed is kept as a draft
// within draftDelay, as in every form.
type amendForm struct {
	s       *draftScreen
	para    *app.DraftParagraph
	content fyne.CanvasObject
	loading bool

	heading, message *widget.Label
	action           *widget.Select
	after            *widget.Select // for a move: the paragraph to move it after
	afterIDs         []app.RecordID
	text             *escEntry
	preview          *widget.RichText
	author, org      *escEntry
	stakeholder      *codeSelect
	rationale        *escEntry
	saveBtn          *widget.Button
	closeBtn         *widget.Button
	discard          *widget.Button
	afterRow         []fyne.CanvasObject // the move's row: its label and select
	textRow          []fyne.CanvasObject
}

func newAmendForm(s *draftScreen, para *app.DraftParagraph) *amendForm {
	u := s.u
	f := &amendForm{s: s, para: para, loading: true}
	defer func() { f.loading = false }()
	changed := func(string) { f.changed() }
	esc := s.closeForm

	f.heading = widget.NewLabelWithStyle(lang.L("Amendment to paragraph {{.N}}", map[string]any{"N": para.Number}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.heading.SizeName = theme.SizeNameSubHeadingText
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()
	var acts []string
	for _, a := range app.Actions {
		acts = append(acts, actionText(a))
	}
	f.action = widget.NewSelect(acts, func(string) { f.actionChanged() })
	f.after = widget.NewSelect(nil, changed)
	f.after.PlaceHolder = lang.L("Choose the paragraph")
	if s.text != nil {
		for _, q := range s.text.Paragraphs {
			if q.ID == para.ID || q.Status == app.StatusDeleted {
				continue
			}
			label := clip(q.Number+"  "+q.Body, 70)
			if q.Heading() {
				label = clip("— "+q.Title, 70) // moved after a heading: first in its section
			}
			f.afterIDs = append(f.afterIDs, q.ID)
			f.after.Options = append(f.after.Options, label)
		}
	}
	f.text = newEscEntry(true, esc)
	f.text.SetMinRowsVisible(6)
	f.text.OnChanged = changed
	f.preview = newMarked(nil)
	f.author = newEscEntry(false, esc)
	f.author.OnChanged = changed
	f.org = newEscEntry(false, esc)
	f.org.OnChanged = changed
	f.stakeholder = newCodeSelect(u.tax.Codes("stakeholders"), func(c string) string { return u.label("stakeholders", c) }, lang.L("None"), changed)
	f.rationale = newEscEntry(true, esc)
	f.rationale.SetMinRowsVisible(3)
	f.rationale.SetPlaceHolder(lang.L("Why the change: the gap it fills, the source it comes from"))
	f.rationale.OnChanged = changed

	f.saveBtn = widget.NewButtonWithIcon(lang.L("Save (Ctrl+S)"), theme.DocumentSaveIcon(), f.save)
	f.saveBtn.Importance = widget.HighImportance
	f.closeBtn = widget.NewButton(lang.L("Close (Esc)"), esc)
	f.discard = widget.NewButtonWithIcon(lang.L("Discard draft"), theme.DeleteIcon(), f.discardDraft)

	grid := container.New(layout.NewFormLayout())
	row := func(label string, w fyne.CanvasObject) []fyne.CanvasObject {
		l := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		grid.Add(l)
		grid.Add(w)
		return []fyne.CanvasObject{l, w}
	}
	row(lang.L("Action"), f.action)
	f.afterRow = row(lang.L("Move after"), f.after)
	f.textRow = row(lang.L("Text"), f.text)
	row(lang.L("Change"), container.NewVBox(f.preview, lowLabel(lang.L("{+inserted+} and {−deleted−} words, against the paragraph as it stands."))))
	row(lang.L("Author"), f.author)
	row(lang.L("Organization"), f.org)
	row(lang.L("Stakeholder group"), f.stakeholder)
	row(lang.L("Rationale"), f.rationale)

	current := widget.NewRichText(bracketSegments(para.Body, plainStyle)...)
	current.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(f.heading, f.message)
	buttons := container.NewHBox(f.saveBtn, f.closeBtn, layout.NewSpacer(), f.discard)
	f.content = container.NewBorder(top, buttons, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(lowLabel(lang.L("The paragraph now reads:")), current, widget.NewSeparator(), grid))))
	f.setState(&amendState{Action: string(app.ActionModify), Text: para.Body,
		Author: u.svc.Setting(settingAuthor), Org: u.svc.Setting(settingOrg)})
	return f
}

// actionText is an action as the form offers it.
func actionText(a app.Action) string {
	switch a {
	case app.ActionModify:
		return lang.L("Modify its text")
	case app.ActionDelete:
		return lang.L("Delete it")
	case app.ActionMove:
		return lang.L("Move it")
	case app.ActionAdd:
		return lang.L("Add a new paragraph after it")
	}
	return string(a)
}

func (f *amendForm) actionCode() app.Action {
	if i := f.action.SelectedIndex(); i >= 0 {
		return app.Actions[i]
	}
	return app.ActionModify
}

// actionChanged shows the fields the action needs. Switching between a
// change of the text and a new paragraph carries over what was typed,
// except the paragraph's own text left untouched.
func (f *amendForm) actionChanged() {
	a := f.actionCode()
	show := func(objs []fyne.CanvasObject, on bool) {
		for _, o := range objs {
			if on {
				o.Show()
			} else {
				o.Hide()
			}
		}
	}
	show(f.afterRow, a == app.ActionMove)
	show(f.textRow, a == app.ActionModify || a == app.ActionAdd)
	if !f.loading {
		f.loading = true
		switch {
		case a == app.ActionAdd && f.text.Text == f.para.Body:
			f.text.SetText("")
		case a == app.ActionModify && strings.TrimSpace(f.text.Text) == "":
			f.text.SetText(f.para.Body)
		}
		f.loading = false
	}
	f.changed()
}

func (f *amendForm) setState(st *amendState) {
	f.loading = true
	defer func() { f.loading = false }()
	i := 0
	for j, a := range app.Actions {
		if string(a) == st.Action {
			i = j
		}
	}
	f.action.SetSelectedIndex(i)
	f.text.SetText(st.Text)
	f.after.ClearSelected()
	for j, id := range f.afterIDs {
		if string(id) == st.After {
			f.after.SetSelectedIndex(j)
		}
	}
	f.author.SetText(st.Author)
	f.org.SetText(st.Org)
	f.stakeholder.setCode(st.Stakeholder)
	f.rationale.SetText(st.Rationale)
	f.actionChanged()
}

func (f *amendForm) state() *amendState {
	st := &amendState{Draft: string(f.s.draftID), Paragraph: string(f.para.ID), Action: string(f.actionCode()), Text: f.text.Text,
		Author: f.author.Text, Org: f.org.Text, Stakeholder: f.stakeholder.code(), Rationale: f.rationale.Text, Saved: time.Now().UTC()}
	if i := f.after.SelectedIndex(); i >= 0 && i < len(f.afterIDs) {
		st.After = string(f.afterIDs[i])
	}
	return st
}

// restore fills the form from a kept draft.
func (f *amendForm) restore(st *amendState) {
	f.setState(st)
	f.message.Importance = widget.MediumImportance
	f.message.SetText(lang.L("Unsaved text restored from {{.When}}.", map[string]any{"When": st.Saved.Local().Format("2006-01-02 15:04:05")}))
	f.message.Show()
}

// changed is called on every keystroke and choice: the preview follows
// the text (a paragraph's diff takes a fraction of a millisecond) and the
// draft is kept.
func (f *amendForm) changed() {
	f.updatePreview()
	if f.loading {
		return
	}
	f.s.drafts.put(amendDraftName(f.para.ID), f.state().encode())
}

func (f *amendForm) updatePreview() {
	body := f.para.Body
	var segs []widget.RichTextSegment
	switch f.actionCode() {
	case app.ActionModify:
		segs = markedSegments(draft.Diff(body, f.text.Text))
	case app.ActionDelete:
		segs = markedSegments(draft.Diff(body, ""))
	case app.ActionAdd:
		segs = markedSegments(draft.Diff("", f.text.Text))
	case app.ActionMove:
		after := lang.L("the paragraph chosen")
		if i := f.after.SelectedIndex(); i >= 0 && i < len(f.afterIDs) {
			if q := f.s.paragraph(f.afterIDs[i]); q != nil {
				after = q.Number
				if q.Heading() {
					after = "“" + clip(q.Title, 60) + "”"
				}
			}
		}
		segs = []widget.RichTextSegment{&widget.TextSegment{Style: plainStyle,
			Text: lang.L("Move paragraph {{.N}} after {{.After}}.", map[string]any{"N": f.para.Number, "After": after})}}
	}
	f.preview.Segments = segs
	f.preview.Refresh()
}

func (f *amendForm) keepDraft() { f.s.drafts.flush() }

func (f *amendForm) discardDraft() {
	f.s.drafts.put(amendDraftName(f.para.ID), "")
	f.s.drafts.flush()
	f.s.form = nil
	f.s.showRight()
}

// save proposes the amendment. Nothing typed is lost when it fails: the
// draft stays until the amendment is stored.
func (f *amendForm) save() {
	s, u := f.s, f.s.u
	st := f.state()
	s.drafts.put(amendDraftName(f.para.ID), st.encode())
	a := app.Amendment{Action: app.Action(st.Action), Author: strings.TrimSpace(st.Author), Org: strings.TrimSpace(st.Org),
		Stakeholder: app.StakeholderCode(st.Stakeholder), Rationale: strings.TrimSpace(st.Rationale)}
	switch a.Action {
	case app.ActionModify, app.ActionAdd:
		a.Text = strings.TrimSpace(st.Text)
	case app.ActionMove:
		a.After = app.RecordID(st.After)
	}
	if a.Action == app.ActionModify && a.Text == strings.TrimSpace(f.para.Body) {
		f.fail(lang.L("The text is as the paragraph reads now: change it to propose an amendment."))
		return
	}
	if _, err := u.svc.Amend(f.para.ID, a); err != nil {
		f.fail(amendError(err))
		return
	}
	s.drafts.put(amendDraftName(f.para.ID), "")
	s.drafts.flush() // now, so that the paragraph no longer offers to resume it
	if st.Author != "" && u.svc.Setting(settingAuthor) == "" {
		u.svc.SetSetting(settingAuthor, strings.TrimSpace(st.Author))
	}
	if st.Org != "" && u.svc.Setting(settingOrg) == "" {
		u.svc.SetSetting(settingOrg, strings.TrimSpace(st.Org))
	}
	s.form = nil
	s.reload()
}

func (f *amendForm) fail(msg string) {
	f.message.Importance = widget.DangerImportance
	f.message.SetText(lang.L("Not saved:") + " " + msg)
	f.message.Show()
}

// amendError words what app refused, for the person filling the form.
func amendError(err error) string {
	var e *app.Error
	if errors.As(err, &e) {
		switch e.Field {
		case "text":
			return lang.L("Write the text the paragraph should read.")
		case "after":
			return lang.L("Choose the paragraph to move it after.")
		case "author":
			return lang.L("Say who proposes it: a name or a delegation.")
		}
	}
	if app.KindOf(err) == app.DiskFull {
		return diskFullText(err) + " " + lang.L("Your text stays here: free some space, then save again.")
	}
	return errorText(err)
}
