package desktop

import (
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// browser is the main screen: filters on the left, the list of records in
// the middle, and on the right the selected record or the form being
// filled in.
type browser struct {
	u       *UI
	content fyne.CanvasObject

	search      *widget.Entry
	filters     *filterPanel
	list        *widget.List
	count       *widget.Label
	syncStatus  *widget.Label
	relayStatus *widget.Label // the relay's part of the status line (relay.go)
	right       *fyne.Container
	detail      *detail
	form        *recordForm
	compareBtn  *widget.Button
	mergeBtn    *widget.Button
	roleNote    *widget.Label // why Merge stays disabled, when a role is why
	merger      *mergeEditor  // the open merge editor, if any
	reminder    *backupReminder

	filter   app.Filter
	meetings int // meetings in the last unfiltered-by-kind result, to notice new ones
	records  []*app.Record
	facets   *app.Facets
	selected app.RecordID
	pinned   []app.RecordID

	cancel chan struct{} // stops the watch of the current result
	drafts *draftSaver
	disk   *diskBanner  // shown while the disk is full
	rows   []*recordRow // every row the list made, for the probe
}

func newBrowser(u *UI) *browser {
	b := &browser{u: u, drafts: newDraftSaver(u.svc, u.showError), disk: newDiskBanner(u)}
	b.drafts.onFull = func(err error) { dispatch(func() { b.disk.show(err) }) }
	b.search = widget.NewEntry()
	b.search.SetPlaceHolder(lang.L("Search titles and text (Ctrl+F)"))
	b.search.OnChanged = func(s string) {
		b.filter.Text = s
		b.refresh()
	}
	b.filters = newFilterPanel(u, func(f func(*app.Filter)) {
		f(&b.filter)
		b.refresh()
	})
	b.count = widget.NewLabel("")
	b.syncStatus = widget.NewLabel("")
	b.syncStatus.Importance = widget.LowImportance
	b.relayStatus = widget.NewLabel("")
	b.relayStatus.Importance = widget.LowImportance
	b.relayStatus.Hide()
	b.list = widget.NewList(
		func() int { return len(b.records) },
		func() fyne.CanvasObject {
			r := newRecordRow(b.setSelected)
			b.rows = append(b.rows, r)
			return r
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(b.records) {
				o.(*recordRow).show(u, b.records[i], slices.Contains(b.pinned, b.records[i].ID))
			}
		})
	listRows[b.list] = func() []fyne.CanvasObject {
		out := make([]fyne.CanvasObject, len(b.rows))
		for i, r := range b.rows {
			out[i] = r
		}
		return out
	}
	b.list.OnSelected = func(i widget.ListItemID) {
		if i < len(b.records) {
			b.open(b.records[i].ID)
		}
	}
	b.detail = newDetail(b)
	b.right = container.NewStack(b.detail.content)

	newButton := func(label string, k app.Kind) *widget.Button {
		return widget.NewButtonWithIcon(label, theme.ContentAddIcon(), func() { b.newRecord(k) })
	}
	b.compareBtn = widget.NewButtonWithIcon(lang.L("Compare"), theme.ViewRestoreIcon(), b.compare)
	b.compareBtn.Disable()
	b.mergeBtn = widget.NewButtonWithIcon(lang.L("Merge"), theme.ContentPasteIcon(), func() { b.openMerge() })
	b.mergeBtn.Disable()
	toolbar := container.NewHBox(
		newButton(lang.L("Note"), app.KindNote),
		newButton(lang.L("Proposal"), app.KindProposal),
		newButton(lang.L("Input"), app.KindInput),
		newButton(lang.L("Meeting"), app.KindMeeting),
		b.compareBtn,
		b.mergeBtn,
		widget.NewButtonWithIcon(lang.L("Export"), theme.DocumentSaveIcon(), func() { u.showExport() }),
		widget.NewButtonWithIcon("", theme.SettingsIcon(), u.showSettings),
	)
	b.roleNote = newRoleNote()
	b.roleNote.Alignment = fyne.TextAlignTrailing
	top := container.NewVBox(container.NewBorder(nil, nil, nil, toolbar, b.search), b.roleNote, b.disk.content)
	// The list keeps room for a readable title; the detail pane, whose
	// wrapped text asks for width, takes the rest.
	listRoom := canvas.NewRectangle(color.Transparent)
	listRoom.SetMinSize(fyne.NewSize(400, 0))
	b.reminder = newBackupReminder(u)
	middle := container.NewBorder(nil, container.NewVBox(b.reminder.content, container.NewHBox(b.count, b.syncStatus), b.relayStatus), nil, nil, container.NewStack(listRoom, b.list))
	split := container.NewHSplit(middle, b.right)
	split.Offset = 0.45
	outer := container.NewHSplit(b.filters.content, split)
	outer.Offset = 0.27
	b.content = container.NewBorder(top, nil, nil, nil, outer)
	return b
}

// refresh runs the current filter and shows its result. It is also how the
// screen follows changes made elsewhere: each result carries a channel that
// the store closes when the result may have changed.
func (b *browser) refresh() {
	res, err := b.u.svc.List(b.filter, 0)
	if err != nil {
		b.u.showError(err)
		return
	}
	b.records, b.facets = res.Records, res.Facets
	b.list.Refresh()
	b.count.SetText(lang.L("Records: {{.Shown}}", map[string]any{"Shown": res.Total}))
	b.filters.update(res.Facets)
	if n := res.Facets.Kind[string(app.KindMeeting)]; n != b.meetings && len(b.filter.Kinds)+len(b.filter.Meetings) == 0 {
		b.meetings = n // a meeting was added, here or by a peer
		b.filters.loadMeetings()
	}
	if b.selected != "" {
		if r, err := b.u.svc.Get(b.selected); err == nil && (b.detail.rec == nil || b.detail.rec.Version != r.Version) {
			b.detail.show(r)
		}
	}
	b.watch(res.Changed)
}

func (b *browser) watch(changed <-chan struct{}) {
	if b.cancel != nil {
		close(b.cancel)
	}
	cancel := make(chan struct{})
	b.cancel = cancel
	go func() {
		select {
		case <-changed:
			// Coalesce bursts of writes into one refresh.
			time.Sleep(50 * time.Millisecond)
			dispatch(func() {
				if b.cancel == cancel {
					b.refresh()
				}
			})
		case <-cancel:
		}
	}()
}

func (b *browser) stop() {
	b.disk.close()
	delete(listRows, b.list)
	if b.cancel != nil {
		close(b.cancel)
		b.cancel = nil
	}
}

// open shows record id in the detail pane.
func (b *browser) open(id app.RecordID) {
	r, err := b.u.svc.Get(id)
	if err != nil {
		b.u.showError(err)
		return
	}
	b.selected = id
	b.detail.show(r)
	if b.form == nil {
		b.showRight(b.detail.content)
	}
}

func (b *browser) showRight(o fyne.CanvasObject) {
	b.right.Objects = []fyne.CanvasObject{o}
	b.right.Refresh()
}

// newRecord opens an empty form for a record of kind k, or the draft of one
// if a form was left unsaved.
func (b *browser) newRecord(k app.Kind) {
	if b.form != nil && b.form.kind == k && b.form.editing == nil && b.form.replyTo == "" {
		b.u.win.Canvas().Focus(b.form.focusFirst())
		return // already open
	}
	f := newRecordForm(b, k, nil)
	if text, err := b.u.svc.Draft(f.draftName()); err == nil && text != "" {
		if st, err := decodeFormState(text); err == nil {
			f.restore(st)
		}
	}
	b.openForm(f)
}

// editRecord opens the form on an existing record.
func (b *browser) editRecord(r *app.Record) {
	b.openForm(newRecordForm(b, r.Kind, r))
}

func (b *browser) openForm(f *recordForm) {
	if b.form != nil {
		b.form.keepDraft()
	}
	b.form = f
	b.showRight(f.content)
	b.u.win.Canvas().Focus(f.focusFirst())
}

// closeForm closes the form; its draft stays unless it was saved.
func (b *browser) closeForm() {
	if b.form == nil {
		return
	}
	b.form.keepDraft()
	b.form = nil
	b.showRight(b.detail.content)
}

func (b *browser) saveForm() {
	if b.form != nil {
		b.form.save()
	}
}

// flushDrafts writes pending drafts now.
func (b *browser) flushDrafts() {
	if b.form != nil {
		b.form.keepDraft()
	}
	b.drafts.flush()
}

// restoreDrafts reopens the form of the most recent unsaved draft, so that
// text typed before a crash or a closed window comes back.
func (b *browser) restoreDrafts() {
	drafts, err := b.u.svc.Drafts()
	if err != nil || len(drafts) == 0 {
		return
	}
	var best *formState
	for name, text := range drafts {
		if name == mergeDraftName || strings.HasPrefix(name, "resolve/") || strings.HasPrefix(name, amendDraftPrefix) {
			continue // the merge editor, the conflict window and the Draft tab keep their own
		}
		st, err := decodeFormState(text)
		if err != nil {
			continue
		}
		st.name = name
		if best == nil || st.Saved.After(best.Saved) {
			best = st
		}
	}
	if best == nil {
		return
	}
	var rec *app.Record
	if best.EditID != "" {
		r, err := b.u.svc.Get(app.RecordID(best.EditID))
		if err != nil {
			return
		}
		rec = r
	}
	f := newRecordForm(b, best.Kind, rec)
	f.restore(best)
	b.openForm(f)
}

// togglePin adds the selected record to the comparison, or removes it.
func (b *browser) togglePin() {
	if b.selected == "" {
		return
	}
	b.setSelected(b.selected, !slices.Contains(b.pinned, b.selected))
	if r, err := b.u.svc.Get(b.selected); err == nil {
		b.detail.show(r)
	}
}

// compare opens the pinned records side by side in a window of their own.
func (b *browser) compare() {
	if len(b.pinned) < 2 {
		return
	}
	var cols []fyne.CanvasObject
	for _, id := range b.pinned {
		r, err := b.u.svc.Get(id)
		if err != nil {
			continue
		}
		title := widget.NewLabelWithStyle(r.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Wrapping = fyne.TextWrapWord
		meta := widget.NewLabel(b.u.summary(r))
		meta.Wrapping = fyne.TextWrapWord
		body := widget.NewLabel(r.Body)
		body.Wrapping = fyne.TextWrapWord
		body.Selectable = true
		// All of a column scrolls: wrapped labels outside a scroll ask for
		// the height they would take in a narrow window, which made the
		// window taller than the screen.
		cols = append(cols, container.NewVScroll(container.NewVBox(title, meta, widget.NewSeparator(), body)))
	}
	w := b.u.newWindow(lang.L("Compare") + fmt.Sprintf(" (%d)", len(cols)))
	w.SetContent(container.NewGridWithColumns(len(cols), cols...))
	w.Resize(fyne.NewSize(float32(min(420*len(cols), 1280)), 700))
	w.Show()
}

// summary is a one-line description of a record's place: kind, sub-region,
// country, themes, author.
func (u *UI) summary(r *app.Record) string {
	parts := []string{u.kindLabel(r.Kind)}
	if r.SubRegion != "" {
		parts = append(parts, u.label("subregions", string(r.SubRegion)))
	}
	if r.Country != "" {
		parts = append(parts, u.label("countries", string(r.Country)))
	}
	var themes []string
	for _, t := range r.Themes {
		themes = append(themes, u.label("themes", string(t)))
	}
	if len(themes) > 0 {
		parts = append(parts, strings.Join(themes, ", "))
	}
	if r.Author != "" {
		parts = append(parts, r.Author)
	}
	return strings.Join(parts, " · ")
}

func (u *UI) kindLabel(k app.Kind) string {
	switch k {
	case app.KindMeeting:
		return lang.L("Meeting")
	case app.KindNote:
		return lang.L("Note")
	case app.KindProposal:
		return lang.L("Proposal")
	case app.KindInput:
		return lang.L("Input")
	case app.KindComment:
		return lang.L("Comment")
	}
	return string(k)
}

func (u *UI) statusLabel(s app.Status) string {
	switch s {
	case app.StatusDraft:
		return lang.L("Draft")
	case app.StatusSubmitted:
		return lang.L("Submitted")
	case app.StatusUnderReview:
		return lang.L("Under review")
	case app.StatusMerged:
		return lang.L("Merged")
	case app.StatusAdopted:
		return lang.L("Adopted")
	case app.StatusWithdrawn:
		return lang.L("Withdrawn")
	case app.StatusActive:
		return lang.L("Active")
	}
	return string(s)
}

func kindIcon(k app.Kind) fyne.Resource {
	switch k {
	case app.KindMeeting:
		return theme.CalendarIcon()
	case app.KindNote:
		return theme.DocumentIcon()
	case app.KindProposal:
		return theme.FileTextIcon()
	case app.KindInput:
		return theme.MailComposeIcon()
	case app.KindComment:
		return theme.MailReplyIcon()
	}
	return theme.FileIcon()
}

// recordRow is one line of the record list.
type recordRow struct {
	widget.BaseWidget
	check *widget.Check // selects the record, to compare or merge
	icon  *widget.Icon
	title *widget.Label
	meta  *widget.Label
	when  *widget.Label

	id       app.RecordID
	onSelect func(app.RecordID, bool)
}

func newRecordRow(onSelect func(app.RecordID, bool)) *recordRow {
	r := &recordRow{icon: widget.NewIcon(theme.DocumentIcon()), title: widget.NewLabel(""), meta: widget.NewLabel(""), when: widget.NewLabel(""), onSelect: onSelect}
	r.check = widget.NewCheck("", nil)
	r.title.TextStyle.Bold = true
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.meta.Truncation = fyne.TextTruncateEllipsis
	r.meta.SizeName = theme.SizeNameCaptionText
	r.when.SizeName = theme.SizeNameCaptionText
	r.ExtendBaseWidget(r)
	return r
}

func (r *recordRow) show(u *UI, rec *app.Record, pinned bool) {
	r.id = rec.ID
	r.check.OnChanged = nil // setting the state is not the user choosing
	r.check.SetChecked(pinned)
	r.check.OnChanged = func(on bool) {
		if r.onSelect != nil {
			r.onSelect(r.id, on)
		}
	}
	r.icon.SetResource(kindIcon(rec.Kind))
	if rec.Sensitive { // masked until opened: a list can be read over a shoulder
		r.title.SetText("🔒 " + lang.L("Sensitive record: open it to read it"))
		r.meta.SetText(clip(u.kindLabel(rec.Kind)+" · "+u.label("subregions", string(rec.SubRegion)), 150))
		r.when.SetText(rec.UpdatedTime().Local().Format("02/01 15:04"))
		return
	}
	title := rec.Title
	if rec.Status == app.StatusWithdrawn {
		title += " (" + lang.L("Withdrawn") + ")"
	} else if rec.Status == app.StatusMerged {
		title += " (" + lang.L("Merged") + ")"
	}
	if len(rec.Conflict) > 0 {
		title = "⚠ " + title + " (" + lang.L("Conflict") + ")"
	} else if len(rec.Attention) > 0 {
		title = "⚠ " + title
	}
	// Clip before the label truncates: Fyne shapes the whole string to find
	// where the ellipsis goes, and a row never shows more than this.
	r.title.SetText(clip(title, 110))
	meta := u.summary(rec)
	if app.Mergeable(rec.Kind) {
		n, _ := u.svc.CommentCount(rec.ID)
		meta = lang.L("{{.S}} supporters · {{.C}} comments", map[string]any{"S": len(rec.Supporters), "C": n}) + " · " + meta
	}
	r.meta.SetText(clip(meta, 150))
	r.when.SetText(rec.UpdatedTime().Local().Format("02/01 15:04"))
}

func (r *recordRow) CreateRenderer() fyne.WidgetRenderer {
	text := container.NewVBox(r.title, r.meta)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, container.NewHBox(r.check, r.icon), r.when, text))
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
