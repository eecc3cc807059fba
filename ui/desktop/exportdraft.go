package desktop

// The drafting documents in the export window: the compilation of
// amendments, a revision clean, a revision compared with another (Word
// tracked changes), and the status table with the memoranda, as
// app/draftdoc writes them. The window says what the chosen document will
// hold before it is written, worked out off the UI goroutine.

import (
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draftdoc"
)

// exportChoices are what the window exports: the records, or one of the
// drafting documents (draftdoc.Kinds, in that order).
func exportChoices() []string {
	return []string{
		lang.L("Records (consolidated input)"),
		lang.L("Compilation of amendments"),
		lang.L("Revision, clean"),
		lang.L("Revision compared (tracked changes)"),
		lang.L("Status table and memoranda"),
	}
}

// draftExport is the part of the export window that chooses a drafting
// document: which draft, which revisions, which amendments, and what the
// document will hold.
type draftExport struct {
	e                  *exporter
	draft              *widget.Select // shown when the workspace holds more than one draft
	draftName          *widget.Label  // the only draft
	rev, against       *widget.Select
	pending, anonymous *widget.Check
	section, proponent *widget.Select
	preview            *widget.Label

	docs     []*app.Record
	revs     []*app.RevisionText // of the chosen draft, Rev.0 first
	headings []app.RecordID      // the section select's options after the first
	read     bool                // docs and the chosen draft have been read
	loading  bool                // set while filling selects, so that filling is not choosing
	loads    int                 // the reading asked for last; older answers are dropped
	gen      int                 // the preview asked for last; older answers are dropped
	previews int                 // previews shown (tests)
}

func newDraftExport(e *exporter) *draftExport {
	d := &draftExport{e: e}
	changed := func(string) {
		if !d.loading {
			d.refresh()
		}
	}
	d.draft = widget.NewSelect(nil, func(string) {
		if !d.loading {
			d.load()
		}
	})
	d.draftName = widget.NewLabel("")
	d.draftName.Wrapping = fyne.TextWrapWord
	d.rev = widget.NewSelect(nil, func(string) {
		if !d.loading {
			d.againstBefore()
			d.refresh()
		}
	})
	d.against = widget.NewSelect(nil, changed)
	d.pending = widget.NewCheck(lang.L("Only pending amendments"), func(bool) { d.refresh() })
	d.anonymous = widget.NewCheck(lang.L("Withhold the names of proponents, supporters and opposers"), func(bool) { d.refresh() })
	d.section = widget.NewSelect(nil, changed)
	d.section.PlaceHolder = lang.L("All sections")
	d.proponent = widget.NewSelect(nil, changed)
	d.proponent.PlaceHolder = lang.L("All proponents")
	d.preview = widget.NewLabel("")
	d.preview.Wrapping = fyne.TextWrapWord
	return d
}

// form is the window's form for document k.
func (d *draftExport) form(k draftdoc.Kind) *widget.Form {
	e := d.e
	var draft fyne.CanvasObject = d.draftName
	if len(d.docs) > 1 {
		draft = d.draft
	}
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Export"), e.what), widget.NewFormItem(lang.L("Draft"), draft)}
	switch k {
	case draftdoc.Revision:
		items = append(items, widget.NewFormItem(lang.L("Revision"), d.rev))
	case draftdoc.Changes:
		items = append(items, widget.NewFormItem(lang.L("Revision"), d.rev), widget.NewFormItem(lang.L("Compared with"), d.against))
	case draftdoc.Compilation:
		items = append(items, widget.NewFormItem(lang.L("Amendments"), d.pending),
			widget.NewFormItem(lang.L("Section"), d.section),
			widget.NewFormItem(lang.L("Proponent"), d.proponent),
			widget.NewFormItem(lang.L("Names"), d.anonymous))
	case draftdoc.Status:
		items = append(items, widget.NewFormItem(lang.L("Section"), d.section))
	}
	return widget.NewForm(append(items,
		widget.NewFormItem(lang.L("Format"), e.format),
		widget.NewFormItem(lang.L("Language"), e.language),
		widget.NewFormItem(lang.L("Save as"), e.saveAs),
		widget.NewFormItem(lang.L("Includes"), d.preview))...)
}

// shown is called when a drafting document is chosen: the first time, the
// drafts are read; then the preview follows the choice.
func (d *draftExport) shown() {
	if !d.read {
		d.read = true
		d.load()
		return
	}
	d.refresh()
}

// load reads the workspace's drafts and the chosen one's revisions,
// headings and proponents off the UI goroutine, fills the selects, and
// asks for a preview.
func (d *draftExport) load() {
	svc := d.e.u.svc
	docs := d.docs
	var id app.RecordID
	if i := d.draft.SelectedIndex(); i >= 0 && i < len(docs) {
		id = docs[i].ID
	} else if s := d.e.u.drafting; s != nil {
		id = s.draftID // the draft the Draft tab shows
	}
	d.preview.SetText(lang.L("Reading the draft…"))
	d.loads++
	gen := d.loads
	go func() {
		var text *app.DraftText
		var revs []*app.RevisionText
		var err error
		if docs == nil {
			docs, err = svc.DraftDocs()
		}
		if err == nil && len(docs) > 0 {
			if !slices.ContainsFunc(docs, func(r *app.Record) bool { return r.ID == id }) {
				id = docs[0].ID // the newest
			}
			if text, err = svc.ReadDraft(id); err == nil {
				revs, err = svc.Revisions(id)
			}
		}
		dispatch(func() {
			if gen == d.loads {
				d.loaded(docs, id, text, revs, err)
			}
		})
	}()
}

// loaded fills the selects with what load read.
func (d *draftExport) loaded(docs []*app.Record, id app.RecordID, text *app.DraftText, revs []*app.RevisionText, err error) {
	switch {
	case err != nil:
		d.preview.SetText(errorText(err))
		return
	case len(docs) == 0:
		d.preview.SetText(lang.L("This workspace has no draft yet: import a zero draft in the Draft tab first."))
		return
	}
	d.loading = true
	d.docs, d.revs = docs, revs
	var titles []string
	for _, r := range docs {
		titles = append(titles, r.Title)
		if r.ID == id {
			d.draftName.SetText(r.Title)
		}
	}
	d.draft.SetOptions(titles)
	d.draft.SetSelectedIndex(slices.IndexFunc(docs, func(r *app.Record) bool { return r.ID == id }))

	var labels []string
	for _, r := range revs {
		labels = append(labels, revLabel(r))
	}
	d.rev.SetOptions(labels)
	d.against.SetOptions(labels)
	d.rev.SetSelectedIndex(len(revs) - 1)
	d.againstBefore()

	d.headings = nil
	sections := []string{lang.L("All sections")}
	people := map[string]bool{}
	for _, p := range text.Paragraphs {
		if p.Heading() {
			d.headings = append(d.headings, p.ID)
			sections = append(sections, strings.Repeat("   ", int(p.Level)-1)+p.Title)
		}
		for _, a := range p.Amendments {
			if w := proponentOf(a); w != "" {
				people[w] = true
			}
		}
	}
	d.section.SetOptions(sections)
	d.section.SetSelectedIndex(0)
	d.proponent.SetOptions(append([]string{lang.L("All proponents")}, slices.Sorted(maps.Keys(people))...))
	d.proponent.SetSelectedIndex(0)
	d.loading = false
	d.e.showForm() // the draft's row is a select when there are several
	d.refresh()
}

// proponentOf is who proposes amendment a, as draftdoc selects it: the
// delegation, or the person.
func proponentOf(a *app.Record) string {
	if o := strings.TrimSpace(a.Org); o != "" {
		return o
	}
	return strings.TrimSpace(a.Author)
}

// againstBefore makes the comparison one with the revision before the
// chosen one, when there is one.
func (d *draftExport) againstBefore() {
	if i := d.rev.SelectedIndex(); i > 0 {
		was := d.loading
		d.loading = true
		d.against.SetSelectedIndex(i - 1)
		d.loading = was
	} else {
		d.against.ClearSelected()
	}
}

// options are the document options the window shows for document k.
func (d *draftExport) options(k draftdoc.Kind) draftdoc.Options {
	e := d.e
	o := draftdoc.Options{Kind: k, Format: e.code(), Lang: e.lang(), Rev: draftdoc.Latest, Against: draftdoc.Latest}
	if i := d.draft.SelectedIndex(); i >= 0 && i < len(d.docs) {
		o.Draft = d.docs[i].ID
	}
	if i := d.rev.SelectedIndex(); i >= 0 && i < len(d.revs) {
		o.Rev = d.revs[i].Number
	}
	if i := d.against.SelectedIndex(); i >= 0 && i < len(d.revs) {
		o.Against = d.revs[i].Number
	}
	if k == draftdoc.Compilation || k == draftdoc.Status {
		if i := d.section.SelectedIndex(); i > 0 && i <= len(d.headings) {
			o.Section = string(d.headings[i-1])
		}
	}
	if k == draftdoc.Compilation {
		o.PendingOnly, o.Anonymous = d.pending.Checked, d.anonymous.Checked
		if d.proponent.SelectedIndex() > 0 {
			o.Proponent = d.proponent.Selected
		}
	}
	return o
}

// refresh works out, off the UI goroutine, what the chosen document will
// hold, and says it; an answer to an older choice is dropped.
func (d *draftExport) refresh() {
	k := d.e.kind()
	if k == "" || !d.read || len(d.docs) == 0 {
		return
	}
	opts := d.options(k)
	d.gen++
	gen := d.gen
	svc := d.e.u.svc
	go func() {
		doc, err := draftdoc.Collect(svc, opts)
		dispatch(func() {
			if gen != d.gen {
				return
			}
			d.previews++
			d.preview.SetText(previewText(doc, err))
		})
	}()
}

// previewText says what doc holds, or why it cannot be written.
func previewText(doc *draftdoc.Doc, err error) string {
	if err != nil {
		return lang.L("Cannot be written: {{.Err}}", map[string]any{"Err": errorText(err)})
	}
	switch doc.Opts.Kind {
	case draftdoc.Revision:
		return lang.L("{{.Rev}}: {{.N}} paragraphs", map[string]any{"Rev": revLabel(doc.Rev), "N": revParagraphs(doc.Rev)})
	case draftdoc.Changes:
		n := 0
		for _, p := range doc.Diffs {
			if p.Level == 0 && p.Change != "" {
				n++
			}
		}
		return lang.L("{{.Rev}} compared with {{.Against}}: {{.N}} paragraphs changed",
			map[string]any{"Rev": revLabel(doc.Rev), "Against": revLabel(doc.Against), "N": n})
	case draftdoc.Status:
		return lang.L("Status table: {{.N}} paragraphs; memoranda: {{.M}} entries", map[string]any{"N": len(doc.Rows), "M": len(doc.Memo)})
	}
	paras, amends, proposed := doc.Count()
	return lang.L("Compilation: {{.Paragraphs}} paragraphs, {{.Amendments}} amendments, {{.Proposed}} proposed new paragraphs",
		map[string]any{"Paragraphs": paras, "Amendments": amends, "Proposed": proposed})
}

func revParagraphs(r *app.RevisionText) int {
	n := 0
	for _, p := range r.Paragraphs {
		if p.Level == 0 {
			n++
		}
	}
	return n
}

// start writes document k to path off the UI goroutine.
func (d *draftExport) start(k draftdoc.Kind, path string) {
	opts := d.options(k)
	d.e.launch(path, "", func(progress func(done, total int)) error {
		opts.Progress = progress
		return draftdoc.Write(d.e.u.svc, opts, path)
	})
}
