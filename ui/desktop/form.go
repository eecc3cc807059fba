package desktop

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// escEntry is an Entry that reports Escape, which a plain Entry swallows.
type escEntry struct {
	widget.Entry
	onEsc func()
}

func newEscEntry(multi bool, onEsc func()) *escEntry {
	e := &escEntry{onEsc: onEsc}
	e.MultiLine = multi
	if multi {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEsc != nil {
		e.onEsc()
		return
	}
	e.Entry.TypedKey(k)
}

// codeSelect is a Select over taxonomy codes that shows their labels. It
// extends widget.Select (ExtendBaseWidget on the outer type), so the Select
// finds itself in the canvas tree as the *codeSelect the layout holds: the
// real driver looks an object up by identity when it opens the pop-up.
type codeSelect struct {
	widget.Select
	codes []string
}

func newCodeSelect(codes []string, label func(string) string, none string, changed func(string)) *codeSelect {
	cs := &codeSelect{}
	cs.OnChanged = func(string) {
		if changed != nil {
			changed(cs.code())
		}
	}
	cs.ExtendBaseWidget(cs)
	cs.setCodes(codes, label, none)
	return cs
}

func (cs *codeSelect) setCodes(codes []string, label func(string) string, none string) {
	cs.PlaceHolder = none
	cs.codes = append([]string{""}, codes...)
	opts := []string{none}
	for _, c := range codes {
		opts = append(opts, label(c))
	}
	cs.Options = opts
	cs.Refresh()
}

func (cs *codeSelect) code() string {
	if i := cs.SelectedIndex(); i > 0 {
		return cs.codes[i]
	}
	return ""
}

func (cs *codeSelect) setCode(c string) {
	if i := slices.Index(cs.codes, c); i > 0 {
		cs.SetSelectedIndex(i)
	} else {
		cs.ClearSelected()
	}
}

// codeChecks is a CheckGroup over taxonomy codes that shows their labels. It
// extends widget.CheckGroup, for the same reason as codeSelect.
type codeChecks struct {
	widget.CheckGroup
	codes, labels []string
}

func newCodeChecks(codes []string, label func(string) string, changed func()) *codeChecks {
	cc := &codeChecks{codes: codes}
	for _, c := range codes {
		cc.labels = append(cc.labels, label(c))
	}
	cc.Options = cc.labels
	cc.OnChanged = func([]string) {
		if changed != nil {
			changed()
		}
	}
	cc.ExtendBaseWidget(cc)
	return cc
}

func (cc *codeChecks) selectedCodes() []string {
	var out []string
	for i, l := range cc.labels {
		if slices.Contains(cc.Selected, l) {
			out = append(out, cc.codes[i])
		}
	}
	return out
}

func (cc *codeChecks) setCodes(codes []string) {
	var sel []string
	for i, c := range cc.codes {
		if slices.Contains(codes, c) {
			sel = append(sel, cc.labels[i])
		}
	}
	cc.SetSelected(sel)
}

// recordForm creates or edits one record. Everything typed is kept as a
// draft within draftDelay, so closing the form, the window or losing power
// loses nothing.
type recordForm struct {
	b       *browser
	kind    app.Kind
	editing *app.Record
	replyTo app.RecordID
	content fyne.CanvasObject
	loading bool // set while filling widgets, so that filling is not typing

	heading                  *widget.Label
	message                  *widget.Label
	title, body              *escEntry
	meeting                  *codeSelect
	subregion                *codeSelect
	country                  *codeSelect
	themes                   *codeChecks
	stakeholder              *codeSelect
	populations              *codeChecks
	tags                     *codeChecks
	author, org              *escEntry
	language                 *codeSelect
	venue, date              *escEntry
	status                   *codeSelect
	sensitive                *widget.Check
	sensitiveHint            *widget.Label
	errs                     map[string]*widget.Label
	saveBtn, cancel, discard *widget.Button
}

func newRecordForm(b *browser, k app.Kind, editing *app.Record) *recordForm {
	u := b.u
	f := &recordForm{b: b, kind: k, editing: editing, errs: map[string]*widget.Label{}, loading: true}
	defer func() { f.loading = false }()
	changed := func(string) { f.changed() }
	esc := b.closeForm

	f.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.heading.SizeName = theme.SizeNameSubHeadingText
	f.heading.Truncation = fyne.TextTruncateEllipsis // a long title must not widen the window
	f.message = widget.NewLabel("")
	f.message.Importance = widget.DangerImportance
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()
	f.title = newEscEntry(false, esc)
	f.title.OnChanged = changed
	f.body = newEscEntry(true, esc)
	f.body.SetMinRowsVisible(8)
	f.body.OnChanged = changed
	if k == app.KindNote {
		f.title.SetPlaceHolder(lang.L("Title (optional: the first line of the text is used)"))
		f.body.SetPlaceHolder(lang.L("Type the note here"))
	}

	tax := u.tax
	labelOf := func(list string) func(string) string { return func(c string) string { return u.label(list, c) } }
	f.meeting = newCodeSelect(nil, nil, lang.L("No meeting"), func(id string) {
		if !f.loading && id != "" {
			if m, err := u.svc.Get(app.RecordID(id)); err == nil {
				f.subregion.setCode(string(m.SubRegion))
				f.country.setCode(string(m.Country))
			}
		}
		f.changed()
	})
	f.loadMeetings()
	f.country = newCodeSelect(tax.Codes("countries"), labelOf("countries"), lang.L("No country"), changed)
	f.subregion = newCodeSelect(tax.Codes("subregions"), labelOf("subregions"), lang.L("No sub-region"), func(sr string) {
		f.restrictCountries(sr)
		f.changed()
	})
	themeLabel := func(c string) string {
		if tax.Parent(app.ThemeCode(c)) != "" {
			return "    " + u.label("themes", c)
		}
		return u.label("themes", c)
	}
	f.themes = newCodeChecks(tax.Codes("themes"), themeLabel, f.changed)
	f.stakeholder = newCodeSelect(tax.Codes("stakeholders"), labelOf("stakeholders"), lang.L("None"), changed)
	f.populations = newCodeChecks(tax.Codes("populations"), labelOf("populations"), f.changed)
	f.tags = newCodeChecks(tax.Codes("tags"), labelOf("tags"), f.changed)
	f.author = newEscEntry(false, esc)
	f.author.OnChanged = changed
	f.org = newEscEntry(false, esc)
	f.org.OnChanged = changed
	f.language = newCodeSelect(strs(app.Languages), func(c string) string { return languageNames[app.Lang(c)] }, "—", changed)
	f.sensitive = widget.NewCheck(lang.L("Sensitive record"), func(bool) { changed("") })
	f.sensitiveHint = widget.NewLabel(lang.L("It can name people at risk: it is masked in lists and left out of exports."))
	f.sensitiveHint.Wrapping = fyne.TextWrapWord
	f.sensitiveHint.SizeName = theme.SizeNameCaptionText
	f.venue = newEscEntry(false, esc)
	f.venue.OnChanged = changed
	f.date = newEscEntry(false, esc)
	f.date.SetPlaceHolder("2024-04-02")
	f.date.OnChanged = changed
	f.status = newCodeSelect(strs(app.StatusesFor(k)), func(c string) string { return u.statusLabel(app.Status(c)) }, "—", changed)

	f.saveBtn = widget.NewButtonWithIcon(lang.L("Save (Ctrl+S)"), theme.DocumentSaveIcon(), f.save)
	f.saveBtn.Importance = widget.HighImportance
	f.cancel = widget.NewButton(lang.L("Close (Esc)"), b.closeForm)
	f.discard = widget.NewButtonWithIcon(lang.L("Discard draft"), theme.DeleteIcon(), f.discardDraft)

	grid := container.New(layout.NewFormLayout())
	add := func(label, field string, w fyne.CanvasObject) {
		e := widget.NewLabel("")
		e.Importance = widget.DangerImportance
		e.Wrapping = fyne.TextWrapWord
		e.Hide()
		f.errs[field] = e
		if _, ok := w.(*codeChecks); ok {
			// The longest theme names would make the form wider than its
			// pane, and the window wider than a 1366-pixel laptop screen
			// with the save button off it; they scroll sideways instead.
			w = container.NewHScroll(w)
		}
		grid.Add(widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		grid.Add(container.NewVBox(w, e))
	}
	add(lang.L("Title"), "title", f.title)
	add(lang.L("Text"), "body", f.body)
	switch k {
	case app.KindComment:
	case app.KindMeeting:
		add(lang.L("Sub-region"), "subregion", f.subregion)
		add(lang.L("Country"), "country", f.country)
		add(lang.L("Venue"), "venue", f.venue)
		add(lang.L("Date"), "date", f.date)
		add(lang.L("Themes"), "theme", f.themes)
	default:
		add(lang.L("Meeting"), "meeting", f.meeting)
		add(lang.L("Sub-region"), "subregion", f.subregion)
		add(lang.L("Country"), "country", f.country)
		if k == app.KindProposal {
			add(lang.L("Status"), "status", f.status)
		}
		add(lang.L("Stakeholder group"), "stakeholder", f.stakeholder)
		add(lang.L("Themes"), "theme", f.themes)
		add(lang.L("Populations"), "population", f.populations)
		add(lang.L("Age, gender and diversity"), "tag", f.tags)
	}
	add(lang.L("Author"), "author", f.author)
	add(lang.L("Organization"), "org", f.org)
	add(lang.L("Language"), "lang", f.language)
	if k != app.KindMeeting {
		add(lang.L("Protection"), "sensitive", container.NewVBox(f.sensitive, f.sensitiveHint))
	}

	buttons := container.NewHBox(f.saveBtn, f.cancel, layout.NewSpacer(), f.discard)
	f.content = container.NewBorder(container.NewVBox(f.heading, f.message), buttons, nil, nil,
		container.NewVScroll(container.NewPadded(grid)))
	f.fill()
	return f
}

func (f *recordForm) loadMeetings() {
	res, err := f.b.u.svc.List(app.Filter{Kinds: []string{string(app.KindMeeting)}}, 0)
	if err != nil {
		return
	}
	var ids []string
	labels := map[string]string{}
	for _, m := range res.Records {
		ids = append(ids, string(m.ID))
		labels[string(m.ID)] = meetingLabel(m)
	}
	f.meeting.setCodes(ids, func(id string) string { return labels[id] }, lang.L("No meeting"))
}

// restrictCountries offers only the countries of sub-region sr.
func (f *recordForm) restrictCountries(sr string) {
	tax := f.b.u.tax
	codes := tax.Codes("countries")
	if t, ok := tax.Lookup("subregions", sr); ok && len(t.Countries) > 0 {
		codes = t.Countries
	}
	cur := f.country.code()
	f.country.setCodes(codes, func(c string) string { return f.b.u.label("countries", c) }, lang.L("No country"))
	if slices.Contains(codes, cur) {
		f.country.setCode(cur)
	} else {
		f.country.ClearSelected()
	}
}

// fill puts the record being edited, or the defaults of a new one, into
// the widgets: the current meeting, the themes of the last note, the
// delegate's name and organization.
func (f *recordForm) fill() {
	u := f.b.u
	if r := f.editing; r != nil {
		f.heading.SetText(lang.L("Edit") + ": " + r.Title)
		f.setState(&formState{Kind: r.Kind, EditID: string(r.ID), Title: r.Title, Body: r.Body, Meeting: string(r.Meeting),
			SubRegion: string(r.SubRegion), Country: string(r.Country), Themes: strs(r.Themes), Stakeholder: string(r.Stakeholder),
			Populations: strs(r.Populations), Tags: strs(r.Tags), Author: r.Author, Org: r.Org, Lang: string(r.Lang),
			Venue: r.Venue, Date: r.Date, Status: string(r.Status), Sensitive: r.Sensitive})
		f.discard.Hide()
		return
	}
	switch f.kind {
	case app.KindNote:
		f.heading.SetText(lang.L("New note"))
	case app.KindProposal:
		f.heading.SetText(lang.L("New proposal"))
	case app.KindInput:
		f.heading.SetText(lang.L("New stakeholder input"))
	case app.KindMeeting:
		f.heading.SetText(lang.L("New meeting"))
	case app.KindComment:
		f.heading.SetText(lang.L("New comment"))
	}
	st := &formState{Kind: f.kind, Author: u.svc.Setting(settingAuthor), Org: u.svc.Setting(settingOrg), Lang: string(u.lang)}
	if f.kind != app.KindMeeting && f.kind != app.KindComment {
		st.Meeting = u.svc.Setting(settingMeeting)
		if m, err := u.svc.Get(app.RecordID(st.Meeting)); err == nil {
			st.SubRegion, st.Country = string(m.SubRegion), string(m.Country)
		} else {
			st.Meeting = ""
		}
		st.Themes = list(u.svc.Setting(settingThemes))
	}
	if f.kind == app.KindProposal {
		st.Status = string(app.StatusDraft)
	}
	f.setState(st)
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (f *recordForm) setState(s *formState) {
	f.loading = true
	defer func() { f.loading = false }()
	f.title.SetText(s.Title)
	f.body.SetText(s.Body)
	f.meeting.setCode(s.Meeting)
	f.subregion.setCode(s.SubRegion)
	f.restrictCountries(s.SubRegion)
	f.country.setCode(s.Country)
	f.themes.setCodes(s.Themes)
	f.stakeholder.setCode(s.Stakeholder)
	f.populations.setCodes(s.Populations)
	f.tags.setCodes(s.Tags)
	f.author.SetText(s.Author)
	f.org.SetText(s.Org)
	f.language.setCode(s.Lang)
	f.venue.SetText(s.Venue)
	f.date.SetText(s.Date)
	f.status.setCode(s.Status)
	f.sensitive.SetChecked(s.Sensitive)
	if s.ReplyTo != "" {
		f.replyTo = app.RecordID(s.ReplyTo)
	}
}

func (f *recordForm) state() *formState {
	s := &formState{Kind: f.kind, ReplyTo: string(f.replyTo), Title: f.title.Text, Body: f.body.Text, Meeting: f.meeting.code(),
		SubRegion: f.subregion.code(), Country: f.country.code(), Themes: f.themes.selectedCodes(),
		Stakeholder: f.stakeholder.code(), Populations: f.populations.selectedCodes(), Tags: f.tags.selectedCodes(),
		Author: f.author.Text, Org: f.org.Text, Lang: f.language.code(), Venue: f.venue.Text, Date: f.date.Text,
		Status: f.status.code(), Sensitive: f.sensitive.Checked, Saved: time.Now().UTC()}
	if f.editing != nil {
		s.EditID = string(f.editing.ID)
	}
	return s
}

// restore fills the form from a saved draft.
func (f *recordForm) restore(s *formState) {
	f.setState(s)
	f.message.SetText(lang.L("Unsaved text restored from {{.When}}.", map[string]any{"When": s.Saved.Local().Format("2006-01-02 15:04:05")}))
	f.message.Importance = widget.MediumImportance
	f.message.Show()
}

func (f *recordForm) draftName() string {
	switch {
	case f.editing != nil:
		return "edit/" + string(f.editing.ID)
	case f.replyTo != "":
		return "comment/" + string(f.replyTo)
	}
	return "new/" + string(f.kind)
}

// changed is called on every keystroke and choice.
func (f *recordForm) changed() {
	if f.loading {
		return
	}
	f.b.drafts.put(f.draftName(), f.state().encode())
}

// keepDraft saves the form's state now, if anything was typed.
func (f *recordForm) keepDraft() {
	f.b.drafts.flush()
}

func (f *recordForm) discardDraft() {
	f.b.drafts.put(f.draftName(), "")
	f.b.drafts.flush()
	f.b.form = nil
	f.b.showRight(f.b.detail.content)
}

func (f *recordForm) focusFirst() fyne.Focusable {
	if f.kind == app.KindNote || f.kind == app.KindComment {
		return f.body
	}
	return f.title
}

// save validates and stores the record. Errors appear beside the field
// they concern; nothing typed is lost, since the draft stays until the
// record is stored.
func (f *recordForm) save() {
	u := f.b.u
	for _, e := range f.errs {
		e.Hide()
	}
	f.message.Hide()
	st := f.state()
	f.b.drafts.put(f.draftName(), st.encode())
	title := strings.TrimSpace(st.Title)
	if title == "" && strings.TrimSpace(st.Body) != "" {
		title = firstLine(st.Body, 80)
	}
	var id app.RecordID
	var err error
	if f.editing == nil {
		p := app.Patch{Title: &title, Body: &st.Body, Author: &st.Author, Org: &st.Org}
		setOpt := func(v string, dst **string) {
			if v != "" {
				*dst = &v
			}
		}
		var meeting, sr, country, stake, lng, status string
		setOpt(st.Venue, &p.Venue)
		setOpt(st.Date, &p.Date)
		meeting, sr, country, stake, lng, status = st.Meeting, st.SubRegion, st.Country, st.Stakeholder, st.Lang, st.Status
		if meeting != "" {
			p.Meeting = ptr(app.RecordID(meeting))
		}
		if sr != "" {
			p.SubRegion = ptr(app.SubRegion(sr))
		}
		if country != "" {
			p.Country = ptr(app.CountryCode(country))
		}
		if stake != "" {
			p.Stakeholder = ptr(app.StakeholderCode(stake))
		}
		if lng != "" {
			p.Lang = ptr(app.Lang(lng))
		}
		if status != "" {
			p.Status = ptr(app.Status(status))
		}
		if f.replyTo != "" {
			p.ReplyTo = &f.replyTo
		}
		p.AddThemes = conv[app.ThemeCode](st.Themes)
		p.AddPops = conv[app.PopulationCode](st.Populations)
		p.AddTags = conv[app.TagCode](st.Tags)
		if st.Sensitive {
			p.Sensitive = ptr(true)
		}
		id, err = u.svc.Create(f.kind, p)
	} else {
		id = f.editing.ID
		p := editPatch(f.editing, st, title)
		if p.IsEmpty() {
			f.b.drafts.put(f.draftName(), "")
			f.b.closeForm()
			return
		}
		err = u.svc.Update(id, p)
	}
	if err != nil {
		f.showError(err)
		return
	}
	f.b.drafts.put(f.draftName(), "")
	go f.b.drafts.flush()
	if f.kind != app.KindMeeting && f.kind != app.KindComment {
		u.svc.SetSetting(settingThemes, strings.Join(st.Themes, ","))
		if st.Meeting != "" {
			u.svc.SetSetting(settingMeeting, st.Meeting)
		}
	}
	if f.kind == app.KindMeeting && f.editing == nil {
		u.svc.SetSetting(settingMeeting, string(id)) // a new meeting becomes the current one
		f.b.filters.loadMeetings()
	}
	if st.Author != "" && u.svc.Setting(settingAuthor) == "" {
		u.svc.SetSetting(settingAuthor, st.Author)
	}
	if st.Org != "" && u.svc.Setting(settingOrg) == "" {
		u.svc.SetSetting(settingOrg, st.Org)
	}
	f.b.form = nil
	f.b.refresh()
	f.b.open(id)
	f.b.showRight(f.b.detail.content)
}

// editPatch is what changed between r and the form's state.
func editPatch(r *app.Record, st *formState, title string) app.Patch {
	var p app.Patch
	str := func(old, cur string, dst **string) {
		if old != cur {
			*dst = &cur
		}
	}
	str(r.Title, title, &p.Title)
	str(r.Body, st.Body, &p.Body)
	if r.Sensitive != st.Sensitive {
		p.Sensitive = ptr(st.Sensitive)
	}
	str(r.Author, st.Author, &p.Author)
	str(r.Org, st.Org, &p.Org)
	str(r.Venue, st.Venue, &p.Venue)
	str(r.Date, st.Date, &p.Date)
	if string(r.Meeting) != st.Meeting {
		p.Meeting = ptr(app.RecordID(st.Meeting))
	}
	if string(r.SubRegion) != st.SubRegion {
		p.SubRegion = ptr(app.SubRegion(st.SubRegion))
	}
	if string(r.Country) != st.Country {
		p.Country = ptr(app.CountryCode(st.Country))
	}
	if string(r.Stakeholder) != st.Stakeholder {
		p.Stakeholder = ptr(app.StakeholderCode(st.Stakeholder))
	}
	if string(r.Lang) != st.Lang && st.Lang != "" {
		p.Lang = ptr(app.Lang(st.Lang))
	}
	if string(r.Status) != st.Status && st.Status != "" {
		p.Status = ptr(app.Status(st.Status))
	}
	p.AddThemes, p.DelThemes = app.SetChange(r.Themes, st.Themes)
	p.AddPops, p.DelPops = app.SetChange(r.Populations, st.Populations)
	p.AddTags, p.DelTags = app.SetChange(r.Tags, st.Tags)
	return p
}

func conv[T ~string](xs []string) []T {
	var out []T
	for _, x := range xs {
		out = append(out, T(x))
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// firstLine is the first line of s, at most n characters.
func firstLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// showError puts a validation message beside its field, or above the form.
func (f *recordForm) showError(err error) {
	var e *app.Error
	if errors.As(err, &e) {
		field := e.Field
		if field == "reply-to" || field == "id" {
			field = ""
		}
		if l, ok := f.errs[field]; ok && field != "" {
			l.SetText(fieldMessage(e))
			l.Show()
			// The field may be scrolled out of sight: say it above too.
			f.message.Importance = widget.DangerImportance
			f.message.SetText(lang.L("Not saved:") + " " + fieldMessage(e))
			f.message.Show()
			return
		}
	}
	f.message.Importance = widget.DangerImportance
	if app.KindOf(err) == app.DiskFull {
		// The form stays open with everything in it; the draft waits in
		// memory until the disk has room (drafts.go).
		f.message.SetText(lang.L("Not saved:") + " " + diskFullText(err) + " " + lang.L("Your text stays here: free some space, then save again."))
		f.message.Show()
		f.b.disk.show(err)
		return
	}
	f.message.SetText(err.Error())
	f.message.Show()
}

// fieldMessage words a validation error for the person filling the form:
// the field's name is beside it already, and codes mean nothing to them.
func fieldMessage(e *app.Error) string {
	switch e.Field {
	case "title":
		return lang.L("A title is needed (or some text, whose first line becomes the title).")
	case "theme":
		return lang.L("Choose at least one theme.")
	case "country":
		return lang.L("This country is not in the chosen sub-region.")
	case "date":
		return lang.L("Write the date as YYYY-MM-DD, for example 2024-04-02.")
	case "body":
		return lang.L("The text is too long (at most 1 MiB) or not valid text.")
	}
	return e.Msg
}
