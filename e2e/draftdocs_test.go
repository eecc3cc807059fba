package e2e

import (
	"archive/zip"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// TestDraftDocumentsExport: the secretariat opens Export, chooses the
// compilation of amendments of the sample plan, reads what it will hold,
// and writes it as DOCX; then Rev.2 compared with Rev.1, a DOCX whose
// changes are Word's tracked changes.
func TestDraftDocumentsExport(t *testing.T) {
	data := workspace(t, 100)
	dir := t.TempDir()
	r := startApp(t, data)
	r.click(mainWin, text("Button", "Export"))
	what := match{"Select", func(n desktop.ProbeNode) bool { return slices.Contains(n.Options, "Compilation of amendments") }, "what to export"}
	format := match{"Select", func(n desktop.ProbeNode) bool { return slices.Contains(n.Options, "PDF") }, "the format"}
	r.wait("Export", what)

	r.pick("Export", what, "Compilation of amendments")
	r.wait("Export", prefix("Label", "Compilation: "))
	if f, _ := r.wait("Export", format); f.Text != "DOCX (Word, LibreOffice)" || len(f.Options) != 3 {
		t.Fatalf("the compilation's formats: %q of %q", f.Text, f.Options)
	}
	if _, _, ok := find(r.tree, "Export", text("Label", "Spreadsheets")); ok {
		t.Fatal("the records' options are offered for the compilation")
	}
	path := filepath.Join(dir, "compilacion.docx")
	r.fill("Export", r.beside("Export", "Save as", "Entry"), path)
	r.click("Export", text("Button", "Export"))
	r.waitWithin(time.Minute, "Export", prefix("Label", "Saved: "+path))
	checkExport(t, path, "docx")
	if doc := documentXML(t, path); !strings.Contains(doc, "Capítulo 1:") {
		t.Fatalf("the compilation lacks the plan's first chapter: %.300s", doc)
	}
	r.screenshot("export-compilation")

	r.pick("Export", what, "Revision compared (tracked changes)")
	r.wait("Export", prefix("Label", "Rev.2 compared with Rev.1: "))
	path = filepath.Join(dir, "rev2-rev1.docx")
	r.fill("Export", r.beside("Export", "Save as", "Entry"), path)
	r.click("Export", text("Button", "Export"))
	r.waitWithin(time.Minute, "Export", prefix("Label", "Saved: "+path))
	checkExport(t, path, "docx")
	if doc := documentXML(t, path); !strings.Contains(doc, "<w:ins ") {
		t.Fatalf("Rev.2 compared with Rev.1 has no tracked insertion: %.300s", doc)
	}
	r.screenshot("export-compared")
	r.click("Export", text("Button", "Close"))
	r.quit()
}

// documentXML is the text of a DOCX's word/document.xml.
func documentXML(t *testing.T, path string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s is not a zip: %v", path, err)
	}
	defer z.Close()
	f, err := z.Open("word/document.xml")
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return string(b)
}
