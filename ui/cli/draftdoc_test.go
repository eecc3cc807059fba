package cli

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDraftExport: the secretariat writes the compilation, the clean
// revision, the comparison and the status table from the command line,
// with export --doc as another name for draft export; a wrong revision,
// section or format is refused with a message and leaves no file.
func TestDraftExport(t *testing.T) {
	h := newHarness(t)
	h.ok("init", "--title", "Cartagena +40")
	file := filepath.Join(t.TempDir(), "borrador cero.md")
	if err := os.WriteFile(file, []byte(zeroDraftMD), 0o644); err != nil {
		t.Fatal(err)
	}
	h.ok("draft", "import", file, "--name", "Secretaría Técnica")
	a1 := h.ok("draft", "amend", "2", "--text", "Fortalecer y financiar los sistemas nacionales de asilo.", "--org", "Brasil")
	h.ok("draft", "amend", "3", "--action", "delete", "--org", "Perú")
	h.ok("draft", "decide", a1, "accepted")
	h.ok("draft", "revise", "--name", "Secretaría Técnica")
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }

	h.ok("draft", "export", "--out", out("compilacion.md"))
	md := readFile(t, out("compilacion.md"))
	for _, want := range []string{"Compilación de enmiendas", "Brasil", "<ins>y financiar</ins>", "~~Promover"} {
		if !strings.Contains(md, want) {
			t.Errorf("the compilation lacks %q:\n%s", want, md)
		}
	}
	h.ok("export", "--doc", "compilation", "--anonymous", "--pending", "--lang", "en", "--out", out("anon.md"))
	if anon := readFile(t, out("anon.md")); strings.Contains(anon, "Brasil") || strings.Contains(anon, "Perú") || !strings.Contains(anon, "names withheld") {
		t.Errorf("names withheld, pending only:\n%s", anon)
	}
	h.ok("draft", "export", "--doc", "changes", "--rev", "1", "--against", "0", "--out", out("rev1.docx"))
	if doc := docxXML(t, out("rev1.docx")); !strings.Contains(doc, "<w:ins ") || !strings.Contains(doc, `w:author="Secretaría Técnica"`) {
		t.Errorf("the comparison has no revisions by the secretariat")
	}
	h.ok("draft", "export", "--doc", "revision", "--rev", "latest", "--out", out("rev1.pdf"))
	h.ok("draft", "export", "--doc", "status", "--out", out("estado.csv"))
	if csv := readFile(t, out("estado.csv")); !strings.HasPrefix(csv, "Párrafo,Sección,Estado") {
		t.Errorf("the status table: %s", csv)
	}
	for _, bad := range [][]string{
		{"draft", "export", "--doc", "revision", "--rev", "7", "--out", out("x.pdf")},
		{"draft", "export", "--section", "Capítulo IX", "--out", out("x.md")},
		{"draft", "export", "--doc", "status", "--format", "pdf", "--out", out("x.pdf")},
		{"draft", "export", "--doc", "minutes", "--out", out("x.md")},
	} {
		if _, errs, code := h.run("", bad...); code == 0 || errs == "" {
			t.Errorf("%v: exit %d, %q", bad, code, errs)
		}
	}
	if _, err := os.Stat(out("x.pdf")); err == nil {
		t.Error("a refused export left a file")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// docxXML is a DOCX's word/document.xml.
func docxXML(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}
