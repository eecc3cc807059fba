package desktop

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

// The rapporteur's work in the desktop app: records are selected with the
// check box of their row (the same selection Compare uses), Merge opens an
// editor with the sources side by side, the detail pane supports, unmerges
// and shows conflicts, and a conflict is resolved in a window that shows
// its competing versions side by side.

// setSelected adds record id to the selection, or takes it out.
func (b *browser) setSelected(id app.RecordID, on bool) {
	i := slices.Index(b.pinned, id)
	switch {
	case on && i < 0:
		b.pinned = append(b.pinned, id)
	case !on && i >= 0:
		b.pinned = slices.Delete(b.pinned, i, i+1)
	default:
		return
	}
	b.selectionChanged()
}

// selectionChanged updates what depends on the selection.
func (b *browser) selectionChanged() {
	counted := func(label string) string { // the count only when something is selected: a narrower toolbar
		if len(b.pinned) == 0 {
			return label
		}
		return fmt.Sprintf("%s (%d)", label, len(b.pinned))
	}
	b.compareBtn.SetText(counted(lang.L("Compare")))
	if len(b.pinned) >= 2 {
		b.compareBtn.Enable()
	} else {
		b.compareBtn.Disable()
	}
	b.mergeBtn.SetText(counted(lang.L("Merge")))
	// The role is said to be why only when nothing else is: two records
	// that can be merged are selected.
	could := len(b.mergeable()) >= 2 && len(b.mergeable()) == len(b.pinned)
	may, why := b.u.may(roles.Merge, lang.L("Merging"))
	setEnabled(b.mergeBtn, could && may)
	if !could {
		why = ""
	}
	setNote(b.roleNote, why)
	b.list.Refresh()
}

// mergeable returns the selected records that can be merged.
func (b *browser) mergeable() []*app.Record {
	var out []*app.Record
	for _, id := range b.pinned {
		if r, err := b.u.svc.Get(id); err == nil && app.Mergeable(r.Kind) && r.Status != app.StatusWithdrawn {
			out = append(out, r)
		}
	}
	return out
}

// mergeDraft is what the merge editor keeps as a draft until it is saved.
type mergeDraft struct {
	Sources []app.RecordID `json:"sources"`
	Title   string         `json:"title"`
	Body    string         `json:"body"`
}

const mergeDraftName = "merge"

// mergeEditor is the window in which a rapporteur writes a consolidated
// proposal with its sources side by side.
type mergeEditor struct {
	b       *browser
	win     fyne.Window
	sources []*app.Record
	title   *widget.Entry
	body    *widget.Entry
	message *widget.Label
	save    *widget.Button
}

// openMerge opens the merge editor on the selected records, prefilled with
// their texts (or with the unsaved draft of the same merge).
func (b *browser) openMerge() *mergeEditor {
	srcs := b.mergeable()
	if len(srcs) < 2 {
		return nil
	}
	m := &mergeEditor{b: b, sources: srcs}
	m.title = widget.NewEntry()
	m.title.SetPlaceHolder(lang.L("Title of the consolidated proposal"))
	m.body = widget.NewMultiLineEntry()
	m.body.Wrapping = fyne.TextWrapWord
	m.message = widget.NewLabel("")
	m.message.Wrapping = fyne.TextWrapWord
	m.message.Importance = widget.DangerImportance
	var texts []string
	for _, r := range srcs {
		if strings.TrimSpace(r.Body) != "" {
			texts = append(texts, strings.TrimSpace(r.Body))
		}
	}
	m.title.SetText(srcs[0].Title)
	m.body.SetText(strings.Join(texts, app.ParagraphSep))
	if d := b.loadMergeDraft(); d != nil && slices.Equal(d.Sources, m.ids()) {
		m.title.SetText(d.Title)
		m.body.SetText(d.Body)
	}
	keep := func(string) { m.keepDraft() }
	m.title.OnChanged, m.body.OnChanged = keep, keep
	m.save = widget.NewButtonWithIcon(lang.L("Merge"), theme.ConfirmIcon(), m.merge)
	m.save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(lang.L("Close"), theme.CancelIcon(), func() { m.win.Close() })

	var cols []fyne.CanvasObject
	for _, r := range srcs {
		cols = append(cols, b.recordColumn(r))
	}
	editor := container.NewBorder(
		container.NewVBox(heading(lang.L("Consolidated proposal")), m.title),
		container.NewVBox(m.message, container.NewHBox(m.save, cancel)), nil, nil, m.body)
	cols = append(cols, editor)
	m.win = b.u.newWindow(lang.L("Merge {{.N}} records", map[string]any{"N": len(srcs)}))
	m.win.SetContent(container.NewGridWithColumns(len(cols), cols...))
	m.win.Resize(fyne.NewSize(float32(380*len(cols)), 680))
	m.win.SetOnClosed(func() {
		b.drafts.flush()
		b.merger = nil
	})
	b.merger = m
	m.win.Show()
	m.win.Canvas().Focus(m.body)
	return m
}

// recordColumn shows r read-only, for side-by-side views.
func (b *browser) recordColumn(r *app.Record) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(r.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	meta := widget.NewLabel(b.u.summary(r))
	meta.Wrapping = fyne.TextWrapWord
	meta.SizeName = theme.SizeNameCaptionText
	body := widget.NewLabel(r.Body)
	body.Wrapping = fyne.TextWrapWord
	body.Selectable = true
	return container.NewBorder(container.NewVBox(title, meta, widget.NewSeparator()), nil, nil, nil, container.NewVScroll(body))
}

func (m *mergeEditor) ids() []app.RecordID {
	out := make([]app.RecordID, len(m.sources))
	for i, r := range m.sources {
		out[i] = r.ID
	}
	return out
}

// keepDraft saves the editor's text, so that it survives a closed window
// or a crash.
func (m *mergeEditor) keepDraft() {
	b, _ := json.Marshal(mergeDraft{Sources: m.ids(), Title: m.title.Text, Body: m.body.Text})
	m.b.drafts.put(mergeDraftName, string(b))
}

func (b *browser) loadMergeDraft() *mergeDraft {
	text, err := b.u.svc.Draft(mergeDraftName)
	if err != nil || text == "" {
		return nil
	}
	var d mergeDraft
	if json.Unmarshal([]byte(text), &d) != nil {
		return nil
	}
	return &d
}

// merge stores the consolidated proposal; on an error the window stays
// open with the text as it was.
func (m *mergeEditor) merge() {
	svc := m.b.u.svc
	title, body := strings.TrimSpace(m.title.Text), m.body.Text
	id, err := svc.Merge(m.ids(), app.Patch{Title: &title, Body: &body})
	if err != nil {
		m.message.SetText(errorText(err))
		return
	}
	m.b.drafts.put(mergeDraftName, "")
	m.b.drafts.flush()
	m.win.SetOnClosed(nil)
	m.win.Close()
	m.b.merger = nil
	m.b.pinned = nil
	m.b.selectionChanged()
	m.b.open(id)
}

// errorText is an error as a person reads it.
func errorText(err error) string {
	if e, ok := err.(*app.Error); ok && e.Msg != "" {
		s := e.Msg
		if e.Field != "" {
			s = e.Field + ": " + s
		}
		return s
	}
	return err.Error()
}

// toggleSupport records that the person using this laptop supports the
// shown record, or takes it back.
func (d *detail) toggleSupport() {
	r := d.rec
	if r == nil {
		return
	}
	svc := d.b.u.svc
	who := svc.Person()
	var err error
	if slices.Contains(r.Supporters, who) {
		err = svc.Unsupport(r.ID, who)
	} else {
		err = svc.Support(r.ID, who)
	}
	if err != nil {
		d.b.u.showError(err)
		return
	}
	if nr, err := svc.Get(r.ID); err == nil {
		d.show(nr)
	}
}

func (d *detail) confirmUnmerge() {
	d.confirm(lang.L("Unmerge"), func(t map[string]any) string {
		return lang.L("Undo the merge that made “{{.Title}}”? It is withdrawn and its sources get back the status they had.", t)
	}, d.b.u.svc.Unmerge)
}

// attentionText says why a record needs attention.
func attentionText(reason string) string {
	switch reason {
	case app.AttentionConflict:
		return lang.L("Edits made without seeing each other changed the same paragraphs: choose or write the text.")
	case app.AttentionEditWithdrawn:
		return lang.L("It was edited and withdrawn by people who had not seen each other's change; the edit is kept.")
	case app.AttentionMergedTwice:
		return lang.L("It is in more than one consolidated proposal, merged on different laptops: unmerge one, or merge them together.")
	}
	return reason
}

// resolver is the window that shows a conflict's competing versions side
// by side, to keep one or write the settled text.
type resolver struct {
	d    *detail
	win  fyne.Window
	rec  *app.Record
	text *widget.Entry
	keep []*widget.Button
	save *widget.Button
}

// openResolver opens the conflict of the shown record.
func (d *detail) openResolver() *resolver {
	r := d.rec
	if r == nil || len(r.Conflict) == 0 {
		return nil
	}
	v := &resolver{d: d, rec: r}
	v.text = widget.NewMultiLineEntry()
	v.text.Wrapping = fyne.TextWrapWord
	v.text.SetText(r.Conflict[0].Body)
	draft := "resolve/" + string(r.ID)
	if t, err := d.b.u.svc.Draft(draft); err == nil && t != "" {
		v.text.SetText(t)
	}
	v.text.OnChanged = func(s string) { d.b.drafts.put(draft, s) }
	var cols []fyne.CanvasObject
	for i, ver := range r.Conflict {
		body := widget.NewLabel(ver.Body)
		body.Wrapping = fyne.TextWrapWord
		body.Selectable = true
		n := i + 1
		keep := widget.NewButtonWithIcon(lang.L("Keep version {{.N}}", map[string]any{"N": n}), theme.ConfirmIcon(), func() { v.resolve(r.Conflict[n-1].Body, draft) })
		v.keep = append(v.keep, keep)
		cols = append(cols, container.NewBorder(heading(lang.L("Version {{.N}}", map[string]any{"N": n})), keep, nil, nil, container.NewVScroll(body)))
	}
	v.save = widget.NewButtonWithIcon(lang.L("Save this text"), theme.DocumentSaveIcon(), func() { v.resolve(v.text.Text, draft) })
	v.save.Importance = widget.HighImportance
	cols = append(cols, container.NewBorder(heading(lang.L("Settled text")), v.save, nil, nil, v.text))
	v.win = d.b.u.newWindow(lang.L("Conflict: {{.Title}}", map[string]any{"Title": r.Title}))
	v.win.SetContent(container.NewGridWithColumns(len(cols), cols...))
	v.win.Resize(fyne.NewSize(float32(360*len(cols)), 640))
	v.win.SetOnClosed(func() {
		d.b.drafts.flush()
		d.resolver = nil
	})
	d.resolver = v
	v.win.Show()
	return v
}

func (v *resolver) resolve(body, draft string) {
	if err := v.d.b.u.svc.Resolve(v.rec.ID, body); err != nil {
		dialog.ShowError(err, v.win)
		return
	}
	v.d.b.drafts.put(draft, "")
	v.d.b.drafts.flush()
	v.win.Close()
	if r, err := v.d.b.u.svc.Get(v.rec.ID); err == nil {
		v.d.show(r)
	}
}

// showHistory fills the history section: each change, who and when, and
// the lines of the text it changed.
func (d *detail) showHistory(r *app.Record) {
	u := d.b.u
	d.history.Objects = []fyne.CanvasObject{heading(lang.L("History"))}
	steps, err := u.svc.Steps(r.ID)
	if err != nil {
		d.history.Refresh()
		return
	}
	prev := ""
	for _, st := range steps {
		o := st.Op
		line := fmt.Sprintf("%s · %s · %s %s", shownTime(o.HLC), opLabel(o.Type), lang.L("device"), o.Device)
		if st.NotApplied != "" { // kept, relayed, shown, but not applied
			line += " — " + notAppliedText(st.NotApplied)
		}
		if s := changeSummary(u, o.Patch); len(s) > 0 {
			line += "\n" + strings.Join(s, "; ")
		}
		if st.Record != nil && st.Record.Body != prev {
			var diff []string
			for _, l := range app.Diff(prev, st.Record.Body) {
				switch {
				case l.Text == "":
				case l.Kind == app.DiffRemoved:
					diff = append(diff, "− "+clip(l.Text, 300))
				case l.Kind == app.DiffAdded:
					diff = append(diff, "+ "+clip(l.Text, 300))
				}
			}
			if len(diff) > 0 {
				line += "\n" + strings.Join(diff, "\n")
			}
			prev = st.Record.Body
		}
		if st.Record != nil && len(st.Record.Conflict) > 0 {
			line += "\n" + lang.L("Conflict: {{.N}} versions", map[string]any{"N": len(st.Record.Conflict)})
		}
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		if st.NotApplied != "" {
			l.Importance = widget.WarningImportance
		}
		d.history.Add(l)
	}
	d.history.Refresh()
}
