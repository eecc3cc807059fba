package desktop

// Importing a zero draft from a file: the file is read and summarised
// first (app/draftimport), and nothing is written until the person has
// seen what was found and said Import.

import (
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draftimport"
)

// chooseImport asks for the file of a zero draft.
func (s *draftScreen) chooseImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		s.previewImport(path)
	}, s.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".docx", ".md", ".markdown", ".txt"}))
	d.Show()
}

// importPreview is the dialog that shows what a file holds before it is
// imported.
type importPreview struct {
	dlg       dialog.Dialog
	title     *widget.Entry
	kind      *widget.Select
	numbering *widget.Select
	language  *widget.Select
	summary   *widget.Label
	outline   *draftimport.Outline
}

var (
	docKinds   = []app.DocKind{app.DocDeclaration, app.DocPlan, app.DocOther}
	numberings = []app.Numbering{app.NumberPlain, app.NumberPPOP}
)

// previewImport reads the file at path and shows what it holds; Import
// then writes the draft and freezes it as Rev.0.
func (s *draftScreen) previewImport(path string) *importPreview {
	o, err := draftimport.ReadFile(path)
	if err != nil {
		s.u.showError(err)
		return nil
	}
	p := &importPreview{outline: o}
	sum := draftimport.Preview(o)
	p.title = widget.NewEntry()
	p.title.SetText(firstNonEmpty(o.Title, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))))
	p.kind = widget.NewSelect([]string{lang.L("Declaration"), lang.L("Plan of action"), lang.L("Other document")}, nil)
	p.kind.SetSelectedIndex(1)
	p.numbering = widget.NewSelect([]string{lang.L("1, 2, 2 bis"), lang.L("PP1, OP1, OP2 bis")}, nil)
	p.numbering.SetSelectedIndex(0)
	if sum.Preambular > 0 {
		p.numbering.SetSelectedIndex(1)
	}
	var langs []string
	for _, l := range app.Languages {
		langs = append(langs, languageNames[l])
	}
	p.language = widget.NewSelect(langs, nil)
	p.language.SetSelectedIndex(0) // Spanish, as most zero drafts of the region are (and as the command line assumes)
	p.summary = widget.NewLabel(importSummary(sum))
	p.summary.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Title"), p.title),
		widget.NewFormItem(lang.L("Kind"), p.kind),
		widget.NewFormItem(lang.L("Numbering"), p.numbering),
		widget.NewFormItem(lang.L("Language"), p.language),
	)
	scroll := container.NewVScroll(p.summary)
	scroll.SetMinSize(fyne.NewSize(560, 220))
	content := container.NewBorder(form, nil, nil, nil, scroll)
	p.dlg = dialog.NewCustomConfirm(lang.L("Import a zero draft"), lang.L("Import"), lang.L("Cancel"), content, func(ok bool) {
		if ok {
			s.importOutline(p)
		}
	}, s.u.win)
	p.dlg.Show()
	return p
}

// importOutline writes the draft the preview shows.
func (s *draftScreen) importOutline(p *importPreview) {
	d := app.NewDraft{Title: strings.TrimSpace(p.title.Text), DocKind: docKinds[max(0, p.kind.SelectedIndex())],
		Numbering: numberings[max(0, p.numbering.SelectedIndex())], Lang: app.Languages[max(0, p.language.SelectedIndex())]}
	for _, b := range p.outline.Blocks {
		d.Blocks = append(d.Blocks, app.DraftBlock{Level: b.Level, Text: b.Text, Part: app.Part(b.Part)})
	}
	id, err := s.u.svc.ImportDraft(d, s.u.svc.Person())
	if err != nil {
		s.u.showError(err)
		return
	}
	s.setDraft(id)
	s.reload()
	s.scrollTop()
}

// importSummary words what an import found, in the UI's language.
func importSummary(sum draftimport.Summary) string {
	lines := []string{
		lang.L("Sections: {{.N}}", map[string]any{"N": sum.Sections}),
		lang.L("Paragraphs: {{.N}} ({{.Words}} words)", map[string]any{"N": sum.Paragraphs, "Words": sum.Words}),
	}
	if sum.Preambular+sum.Operative > 0 {
		lines = append(lines, lang.L("Preambular: {{.P}}, operative: {{.O}}", map[string]any{"P": sum.Preambular, "O": sum.Operative}))
	}
	for i, w := range sum.FirstWords {
		lines = append(lines, "¶"+strconv.Itoa(i+1)+"  "+w)
	}
	for _, w := range sum.Warnings {
		lines = append(lines, "⚠ "+importWarning(w))
	}
	lines = append(lines, "", lang.L("Nothing is written until you press Import. The draft is then frozen as Rev.0, the zero draft."))
	return strings.Join(lines, "\n")
}

// importWarning words a warning of the import in the UI's language; one
// this version does not know keeps the reader's English.
func importWarning(w draftimport.Warning) string {
	n := map[string]any{"N": w.Count}
	switch w.Code {
	case draftimport.WarnTableCells:
		return lang.L("Tables were read cell by cell, each cell a paragraph.")
	case draftimport.WarnTrackedChanges:
		return lang.L("The document has tracked changes: insertions were kept, deletions left out.")
	case draftimport.WarnTextBoxes:
		return lang.L("Text boxes, shapes or pictures were left out.")
	case draftimport.WarnWindows1252:
		return lang.L("The file is not in UTF-8 and was read as Windows-1252: check that accents look right.")
	case draftimport.WarnNoTitle:
		return lang.L("No title was found: give the draft one above.")
	case draftimport.WarnNoHeadings:
		return lang.L("No headings were found: every paragraph goes in one section.")
	case draftimport.WarnBeforeHeading:
		return lang.L("{{.N}} paragraphs come before the first heading.", n)
	case draftimport.WarnEmptySections:
		return lang.L("{{.N}} sections have no paragraphs.", n)
	case draftimport.WarnLongParagraphs:
		return lang.L("{{.N}} paragraphs are very long: several may have run together.", n)
	case draftimport.WarnShortParagraphs:
		return lang.L("{{.N}} paragraphs have three words or fewer: if they are headings, give them a heading style and import again.", n)
	}
	return w.Message
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
