package desktop

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/draftdoc"
)

// TestExportDialog: the secretariat filters the list, opens Export, picks
// Markdown and a file, and gets the file with the current filter applied
// and a message saying where it is.
func TestExportDialog(t *testing.T) {
	svc := newStore(t, true)
	add(t, svc, app.KindProposal, "Asilo en los Andes", "Texto andino.", "andes", "PE", "broad-protection")
	add(t, svc, app.KindProposal, "Asilo en Centroamérica", "Texto mesoamericano.", "mesoamerica", "GT", "broad-protection")
	u := newTestUI(t, svc)
	u.browser.filters.pick("subregion", "andes")
	e := u.showExport()
	if !e.current.Checked || !strings.Contains(e.current.Text, "(1)") {
		t.Fatalf("the current filter is not the default: %q", e.current.Text)
	}
	e.format.SetSelectedIndex(4) // Markdown
	if !strings.HasSuffix(e.path.Text, ".md") {
		t.Fatalf("the file name does not follow the format: %q", e.path.Text)
	}
	if !e.bom.Disabled() || !e.hxl.Disabled() {
		t.Fatal("spreadsheet options offered for Markdown")
	}
	path := filepath.Join(t.TempDir(), "consolidado.md")
	e.path.SetText(path)
	test.Tap(e.run)
	eventually(t, "the export to end", func() bool {
		select {
		case <-e.done:
			return true
		default:
			return false
		}
	})
	if !strings.Contains(e.message.Text, path) {
		t.Fatalf("message %q", e.message.Text)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Asilo en los Andes") || strings.Contains(string(b), "Centroamérica") {
		t.Fatalf("the export did not follow the list's filter:\n%s", b)
	}
	// A folder that does not exist: a message, no file.
	e.path.SetText(filepath.Join(t.TempDir(), "missing", "x.md"))
	test.Tap(e.run)
	eventually(t, "the failed export to end", func() bool {
		select {
		case <-e.done:
			return true
		default:
			return false
		}
	})
	if !strings.Contains(e.message.Text, "does not exist") {
		t.Fatalf("message %q", e.message.Text)
	}
}

// exportEnds waits for the export e started to end.
func exportEnds(t *testing.T, e *exporter) {
	t.Helper()
	eventually(t, "the export to end", func() bool {
		select {
		case <-e.done:
			return true
		default:
			return false
		}
	})
}

// docxText is the document.xml of the DOCX at path.
func docxText(t *testing.T, path string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s is not a DOCX: %v", path, err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s has no word/document.xml", path)
	return ""
}

// previewAfter waits for a preview newer than the n-th and returns it.
func previewAfter(t *testing.T, e *exporter, n int) string {
	t.Helper()
	eventually(t, "the preview", func() bool { return e.draft.previews > n })
	return e.draft.preview.Text
}

// TestExportDraftingDocuments: the secretariat opens Export from the Draft
// tab, gets the compilation of the sample plan with a preview of what it
// holds, narrows it to a section, writes it as DOCX; then the revision
// compared with the one before, as Word tracked changes; then the status
// table as CSV. The records' options are not offered for a document.
func TestExportDraftingDocuments(t *testing.T) {
	svc := newStore(t, true)
	id, err := demo.LoadPlan(svc, 1, "Secretaría Técnica")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := openDraftTab(t, svc)
	e := u.showExport()
	if e.kind() != draftdoc.Compilation {
		t.Fatalf("opened from the Draft tab, Export offers %q first", e.what.Selected)
	}
	want, err := draftdoc.Collect(svc, draftdoc.Options{Kind: draftdoc.Compilation})
	if err != nil {
		t.Fatal(err)
	}
	paras, amends, proposed := want.Count()
	got := previewAfter(t, e, 0)
	if w := fmt.Sprintf("Compilation: %d paragraphs, %d amendments, %d proposed new paragraphs", paras, amends, proposed); got != w || paras == 0 || amends == 0 {
		t.Fatalf("preview %q, want %q", got, w)
	}
	if !slices.Equal(e.format.Options, []string{"DOCX (Word, LibreOffice)", "PDF", "Markdown"}) {
		t.Fatalf("formats offered for the compilation: %q", e.format.Options)
	}
	if shown := formLabels(e); slices.Contains(shown, "Records") || slices.Contains(shown, "Spreadsheets") || !slices.Contains(shown, "Proponent") {
		t.Fatalf("the compilation's form: %q", shown)
	}
	if !strings.HasSuffix(e.path.Text, ".docx") || !strings.Contains(e.path.Text, "Compilation of amendments") {
		t.Fatalf("default file name %q", e.path.Text)
	}

	// One section: fewer paragraphs, as draftdoc counts them.
	n := e.draft.previews
	e.draft.section.SetSelectedIndex(2)
	inSection, err := draftdoc.Collect(svc, draftdoc.Options{Kind: draftdoc.Compilation, Section: string(e.draft.headings[1])})
	if err != nil {
		t.Fatal(err)
	}
	sp, sa, sprop := inSection.Count()
	if got, w := previewAfter(t, e, n), fmt.Sprintf("Compilation: %d paragraphs, %d amendments, %d proposed new paragraphs", sp, sa, sprop); got != w || sp >= paras {
		t.Fatalf("preview of a section %q, want %q (whole draft: %d paragraphs)", got, w, paras)
	}
	e.draft.section.SetSelectedIndex(0)

	dir := t.TempDir()
	path := filepath.Join(dir, "compilacion.docx")
	e.path.SetText(path)
	test.Tap(e.run)
	exportEnds(t, e)
	if !strings.Contains(e.message.Text, "Saved: "+path) {
		t.Fatalf("message %q", e.message.Text)
	}
	text, err := svc.ReadDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	doc := docxText(t, path)
	for _, p := range text.Paragraphs[:6] {
		if w := html.EscapeString(p.Title + p.Body); !strings.Contains(doc, w) {
			t.Fatalf("the compilation lacks paragraph %s %q", p.Number, w)
		}
	}

	// Rev.2 against Rev.1, in Word's tracked changes.
	n = e.draft.previews
	e.what.SetSelectedIndex(3)
	if e.draft.rev.Selected != "Rev.2" || e.draft.against.Selected != "Rev.1" {
		t.Fatalf("comparison offered: %q against %q", e.draft.rev.Selected, e.draft.against.Selected)
	}
	changes, err := draftdoc.Collect(svc, draftdoc.Options{Kind: draftdoc.Changes, Rev: 2, Against: 1})
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, d := range changes.Diffs {
		if d.Level == 0 && d.Change != "" {
			changed++
		}
	}
	if got, w := previewAfter(t, e, n), fmt.Sprintf("Rev.2 compared with Rev.1: %d paragraphs changed", changed); got != w || changed == 0 {
		t.Fatalf("preview %q, want %q", got, w)
	}
	if !strings.HasSuffix(e.path.Text, "compilacion.docx") {
		t.Fatalf("the path typed was not kept: %q", e.path.Text)
	}
	path = filepath.Join(dir, "rev2-rev1.docx")
	e.path.SetText(path)
	test.Tap(e.run)
	exportEnds(t, e)
	if doc := docxText(t, path); !strings.Contains(doc, "<w:ins ") || !strings.Contains(doc, "<w:del ") {
		t.Fatalf("the comparison has no tracked changes: %.300s", doc)
	}

	// The zero draft has nothing before it: the preview says so.
	n = e.draft.previews
	e.draft.rev.SetSelectedIndex(0)
	if got := previewAfter(t, e, n); !strings.Contains(got, "zero draft has no revision before it") {
		t.Fatalf("preview %q", got)
	}

	// The status table, as CSV: the extension follows.
	n = e.draft.previews
	e.what.SetSelectedIndex(4)
	if got := previewAfter(t, e, n); !strings.HasPrefix(got, "Status table: ") {
		t.Fatalf("preview %q", got)
	}
	e.format.SetSelectedIndex(1)
	if e.code() != "csv" || !strings.HasSuffix(e.path.Text, "rev2-rev1.csv") {
		t.Fatalf("format %q, path %q", e.code(), e.path.Text)
	}
	path = e.path.Text
	test.Tap(e.run)
	exportEnds(t, e)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil || len(rows) < paras {
		t.Fatalf("status CSV: %v, %d rows for %d paragraphs", err, len(rows), paras)
	}

	// Back to the records: their options, and their formats, again.
	e.what.SetSelectedIndex(0)
	if shown := formLabels(e); !slices.Contains(shown, "Records") || len(e.format.Options) != len(exportFormats) {
		t.Fatalf("the records' form: %q, formats %q", shown, e.format.Options)
	}
}

// formLabels are the labels of the export window's form as shown.
func formLabels(e *exporter) []string {
	var out []string
	for _, it := range e.body.Objects[0].(*widget.Form).Items {
		out = append(out, it.Text)
	}
	return out
}

// TestExportDocumentOfWhichDraft: with two drafts, the window asks which;
// the preview follows the choice.
func TestExportDocumentOfWhichDraft(t *testing.T) {
	svc := newStore(t, true)
	if _, err := demo.LoadPlan(svc, 1, "Secretaría Técnica"); err != nil {
		t.Fatal(err)
	}
	zeroDraft(t, svc)
	u := newTestUI(t, svc)
	e := u.showExport()
	e.what.SetSelectedIndex(1)
	previewAfter(t, e, 0)
	if items := e.body.Objects[0].(*widget.Form).Items; items[1].Widget != e.draft.draft || len(e.draft.draft.Options) != 2 {
		t.Fatalf("no choice of draft: %q", e.draft.draft.Options)
	}
	n := e.draft.previews
	e.draft.draft.SetSelected("Plan de Acción de Chile")
	if got := previewAfter(t, e, n); got != "Compilation: 4 paragraphs, 0 amendments, 0 proposed new paragraphs" {
		t.Fatalf("preview of the small draft %q", got)
	}
	n = e.draft.previews
	e.what.SetSelectedIndex(2)
	if got := previewAfter(t, e, n); got != "Rev.0 (zero draft): 4 paragraphs" {
		t.Fatalf("preview of its revision %q", got)
	}
}
