package desktop

import (
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
	"github.com/cartagena-c40/consulta/app/roles"
)

// detail is the right pane: one record in full, with its links, comments
// and history, and what can be done with it.
type detail struct {
	b       *browser
	rec     *app.Record
	content fyne.CanvasObject

	empty                        *widget.Label
	title                        *widget.Label
	meta                         *fyne.Container
	body                         *widget.Label
	links                        *fyne.Container
	comments                     *fyne.Container
	history                      *fyne.Container
	actions                      *fyne.Container
	edit, withdraw, comment, pin *widget.Button
	support, unmerge, resolve    *widget.Button
	attention                    *fyne.Container
	roleNote                     *widget.Label // why an action is disabled, when a role is why
	resolver                     *resolver     // the open conflict window, if any
	box                          *fyne.Container
}

func newDetail(b *browser) *detail {
	d := &detail{b: b}
	d.empty = widget.NewLabel(lang.L("Select a record to read it, or press Ctrl+N to take a note."))
	d.empty.Wrapping = fyne.TextWrapWord
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Wrapping = fyne.TextWrapWord
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.meta = container.New(layout.NewFormLayout())
	d.body = widget.NewLabel("")
	d.body.Wrapping = fyne.TextWrapWord
	d.body.Selectable = true
	d.links = container.NewVBox()
	d.comments = container.NewVBox()
	d.history = container.NewVBox()
	d.edit = widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() {
		if d.rec != nil {
			b.editRecord(d.rec)
		}
	})
	d.withdraw = widget.NewButtonWithIcon(lang.L("Withdraw"), theme.DeleteIcon(), d.confirmWithdraw)
	d.comment = widget.NewButtonWithIcon(lang.L("Comment"), theme.MailReplyIcon(), d.addComment)
	d.pin = widget.NewButtonWithIcon(lang.L("Pin to compare"), theme.ViewRestoreIcon(), b.togglePin)
	d.support = widget.NewButtonWithIcon(lang.L("Support"), theme.ConfirmIcon(), d.toggleSupport)
	d.unmerge = widget.NewButtonWithIcon(lang.L("Unmerge"), theme.ContentUndoIcon(), d.confirmUnmerge)
	d.resolve = widget.NewButtonWithIcon(lang.L("Resolve the conflict"), theme.WarningIcon(), func() { d.openResolver() })
	d.resolve.Importance = widget.WarningImportance
	d.attention = container.NewVBox()
	d.roleNote = newRoleNote()
	// Two rows, so that the pane stays narrow enough for a 1366-pixel screen.
	d.actions = container.NewVBox(container.NewHBox(d.edit, d.withdraw, d.comment), container.NewHBox(d.support, d.unmerge, d.pin), d.roleNote)
	d.box = container.NewVBox(d.empty)
	d.content = container.NewVScroll(container.NewPadded(d.box))
	return d
}

func heading(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// show displays r.
func (d *detail) show(r *app.Record) {
	d.rec = r
	u := d.b.u
	d.title.SetText(r.Title)
	d.meta.Objects = nil
	row := func(k, v string) {
		if v == "" {
			return
		}
		val := widget.NewLabel(v)
		val.Wrapping = fyne.TextWrapWord
		d.meta.Add(widget.NewLabelWithStyle(k, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		d.meta.Add(val)
	}
	labels := func(list string, codes []string) string {
		var out []string
		for _, c := range codes {
			out = append(out, u.label(list, c))
		}
		return strings.Join(out, ", ")
	}
	row(lang.L("Kind"), u.kindLabel(r.Kind))
	row(lang.L("Status"), u.statusLabel(r.Status))
	if r.Meeting != "" {
		if m, err := u.svc.Get(r.Meeting); err == nil {
			row(lang.L("Meeting"), meetingLabel(m))
		}
	}
	row(lang.L("Sub-region"), labels("subregions", []string{string(r.SubRegion)}))
	row(lang.L("Country"), labels("countries", []string{string(r.Country)}))
	row(lang.L("Themes"), labels("themes", strs(r.Themes)))
	row(lang.L("Stakeholder group"), labels("stakeholders", []string{string(r.Stakeholder)}))
	row(lang.L("Populations"), labels("populations", strs(r.Populations)))
	row(lang.L("Age, gender and diversity"), labels("tags", strs(r.Tags)))
	row(lang.L("Author"), r.Author)
	row(lang.L("Organization"), r.Org)
	row(lang.L("Venue"), r.Venue)
	row(lang.L("Date"), r.Date)
	row(lang.L("Language"), languageNames[r.Lang])
	row(lang.L("Created"), shownTime(r.Created))
	row(lang.L("Updated"), shownTime(r.Updated))
	row(lang.L("Device"), string(r.Device))
	row(lang.L("Contributors"), strings.Join(r.Contributors, "; "))
	if len(r.Supporters) > 0 {
		row(lang.L("Supporters"), fmt.Sprintf("%d: %s", len(r.Supporters), strings.Join(r.Supporters, "; ")))
	}
	d.meta.Refresh()
	d.body.SetText(r.Body)

	d.links.Objects = nil
	link := func(label string, id app.RecordID) {
		target, err := u.svc.Get(id)
		text := string(id)
		if err == nil {
			text = target.Title
		}
		// A button does not wrap or truncate: a long title would widen the
		// pane, and the window past the screen.
		d.links.Add(widget.NewButton(clip(label+": "+text, 60), func() { d.b.open(id) }))
	}
	if r.ReplyTo != "" {
		link(lang.L("Replies to"), r.ReplyTo)
	}
	for _, s := range r.Sources {
		link(lang.L("Source"), s)
	}
	for _, m := range r.MergedInto {
		link(lang.L("Merged into"), m)
	}
	d.links.Refresh()

	d.comments.Objects = nil
	if res, err := u.svc.List(app.Filter{RepliesTo: []string{string(r.ID)}}, 0); err == nil && res.Total > 0 {
		d.comments.Add(heading(lang.L("Comments ({{.N}})", map[string]any{"N": res.Total})))
		for _, c := range res.Records {
			l := widget.NewLabel(fmt.Sprintf("%s — %s (%s)\n%s", c.Author, c.Title, c.UpdatedTime().Local().Format("2006-01-02 15:04"), c.Body))
			l.Wrapping = fyne.TextWrapWord
			d.comments.Add(l)
		}
	}
	d.comments.Refresh()

	d.showHistory(r)

	d.attention.Objects = nil
	for _, a := range r.Attention {
		l := widget.NewLabel("⚠ " + attentionText(a))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		d.attention.Add(l)
	}
	var notes []string // why actions are disabled, when a role is why
	if len(r.Conflict) > 0 {
		may, why := u.may(roles.Settle, lang.L("Resolving a conflict"))
		setEnabled(d.resolve, may)
		d.attention.Add(d.resolve)
		if !may {
			note := newRoleNote()
			setNote(note, why)
			d.attention.Add(note)
		}
	}
	d.attention.Refresh()
	if app.Mergeable(r.Kind) && r.Status != app.StatusWithdrawn {
		if slices.Contains(r.Supporters, u.svc.Person()) {
			d.support.SetText(lang.L("Withdraw support"))
		} else {
			d.support.SetText(lang.L("Support"))
		}
		d.support.Show()
	} else {
		d.support.Hide()
	}
	if len(r.Sources) > 0 && r.Status != app.StatusWithdrawn {
		may, why := u.may(roles.Merge, lang.L("Unmerging"))
		setEnabled(d.unmerge, may)
		if why != "" {
			notes = append(notes, why)
		}
		d.unmerge.Show()
	} else {
		d.unmerge.Hide()
	}

	editable, why := d.mayEdit(r)
	if why != "" {
		notes = append(notes, why)
	}
	setEnabled(d.edit, editable)
	setEnabled(d.withdraw, editable && r.Status != app.StatusWithdrawn)
	setNote(d.roleNote, strings.Join(notes, "\n"))
	if r.Kind == app.KindComment || r.Kind == app.KindMeeting {
		d.comment.Hide()
	} else {
		d.comment.Show()
	}
	pinText := lang.L("Pin to compare")
	for _, p := range d.b.pinned {
		if p == r.ID {
			pinText = lang.L("Unpin")
		}
	}
	d.pin.SetText(pinText)
	d.box.Objects = []fyne.CanvasObject{d.title, d.actions, d.attention, d.meta, widget.NewSeparator(), d.body, d.links, d.comments, widget.NewSeparator(), d.history}
	d.box.Refresh()
}

// mayEdit reports whether this laptop's member may edit and withdraw r:
// their own member's records, or anyone's with the secretariat role.
func (d *detail) mayEdit(r *app.Record) (bool, string) {
	u := d.b.u
	if may, _ := u.svc.May(roles.EditAny); may {
		return true, ""
	}
	if me, err := u.svc.Whoami(); err == nil && slices.ContainsFunc(me.Devices, func(l app.Laptop) bool { return l.ID == r.Device }) {
		if may, why := u.may(roles.EditOwn, lang.L("Editing")); !may {
			return false, why // a removed laptop
		}
		return true, ""
	}
	return u.may(roles.EditAny, lang.L("Editing or withdrawing another member's record"))
}

func opLabel(t app.OpType) string {
	switch t {
	case app.OpCreate:
		return lang.L("created")
	case app.OpUpdate:
		return lang.L("edited")
	case app.OpWithdraw:
		return lang.L("withdrawn")
	}
	return string(t)
}

// changeSummary says what a patch changed, in the UI's language.
func changeSummary(u *UI, p *app.Patch) []string {
	if p == nil {
		return nil
	}
	var out []string
	if p.Title != nil {
		out = append(out, lang.L("title")+": "+*p.Title)
	}
	if p.Body != nil {
		out = append(out, lang.L("text ({{.N}} characters)", map[string]any{"N": len([]rune(*p.Body))}))
	}
	if p.Status != nil {
		out = append(out, lang.L("status")+": "+u.statusLabel(*p.Status))
	}
	if p.SubRegion != nil {
		out = append(out, lang.L("sub-region")+": "+u.label("subregions", string(*p.SubRegion)))
	}
	if p.Country != nil {
		out = append(out, lang.L("country")+": "+u.label("countries", string(*p.Country)))
	}
	for _, t := range p.AddThemes {
		out = append(out, "+ "+u.label("themes", string(t)))
	}
	for _, t := range p.DelThemes {
		out = append(out, "− "+u.label("themes", string(t)))
	}
	if len(p.AddSources) > 0 {
		out = append(out, lang.L("merged from {{.N}} records", map[string]any{"N": len(p.AddSources)}))
	}
	for _, m := range p.AddMerged {
		out = append(out, lang.L("merged into {{.ID}}", map[string]any{"ID": string(m)}))
	}
	for _, m := range p.DelMerged {
		out = append(out, lang.L("no longer merged into {{.ID}}", map[string]any{"ID": string(m)}))
	}
	for _, n := range p.AddSupport {
		out = append(out, lang.L("supported by {{.Name}}", map[string]any{"Name": n}))
	}
	for _, n := range p.DelSupport {
		out = append(out, lang.L("support withdrawn by {{.Name}}", map[string]any{"Name": n}))
	}
	if p.Author != nil || p.Org != nil || p.Stakeholder != nil || len(p.AddPops)+len(p.DelPops)+len(p.AddTags)+len(p.DelTags) > 0 {
		out = append(out, lang.L("other fields"))
	}
	return out
}

func (d *detail) confirmWithdraw() {
	d.confirm(lang.L("Withdraw"), func(t map[string]any) string {
		return lang.L("Withdraw “{{.Title}}”? It stays in the records, marked withdrawn.", t)
	}, d.b.u.svc.Withdraw)
}

// confirm asks whether to do something to the shown record (question
// words it, given the record's {{.Title}}), then does it.
func (d *detail) confirm(title string, question func(map[string]any) string, do func(app.RecordID) error) {
	r := d.rec
	if r == nil {
		return
	}
	dialog.ShowConfirm(title, question(map[string]any{"Title": r.Title}), func(ok bool) {
		if ok {
			if err := do(r.ID); err != nil {
				d.b.u.showError(err)
			}
		}
	}, d.b.u.win)
}

// addComment opens a comment form on the shown record.
func (d *detail) addComment() {
	r := d.rec
	if r == nil {
		return
	}
	f := newRecordForm(d.b, app.KindComment, nil)
	f.replyTo = r.ID
	f.title.SetText("Re: " + r.Title)
	d.b.openForm(f)
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
