package draftdoc_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app/draftdoc"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCases are the documents whose files are kept: every document in
// every format, and the compilation's selections.
var goldenCases = []struct {
	name string
	opts draftdoc.Options
}{
	{"compilation.docx", draftdoc.Options{Kind: draftdoc.Compilation, Format: "docx"}},
	{"compilation.pdf", draftdoc.Options{Kind: draftdoc.Compilation, Format: "pdf"}},
	{"compilation.md", draftdoc.Options{Kind: draftdoc.Compilation, Format: "md"}},
	{"compilation-pending-anonymous-en.md", draftdoc.Options{Kind: draftdoc.Compilation, Format: "md", PendingOnly: true, Anonymous: true, Lang: "en"}},
	{"compilation-brasil-fr.md", draftdoc.Options{Kind: draftdoc.Compilation, Format: "md", Proponent: "brasil", Lang: "fr"}},
	{"compilation-chapter2-pt.md", draftdoc.Options{Kind: draftdoc.Compilation, Format: "md", Section: "Soluciones", Lang: "pt"}},
	{"revision.docx", draftdoc.Options{Kind: draftdoc.Revision, Format: "docx", Rev: draftdoc.Latest}},
	{"revision.pdf", draftdoc.Options{Kind: draftdoc.Revision, Format: "pdf", Rev: draftdoc.Latest}},
	{"revision.md", draftdoc.Options{Kind: draftdoc.Revision, Format: "md", Rev: draftdoc.Latest}},
	{"changes.docx", draftdoc.Options{Kind: draftdoc.Changes, Format: "docx", Rev: 2, Against: 0}},
	{"changes.pdf", draftdoc.Options{Kind: draftdoc.Changes, Format: "pdf", Rev: 2, Against: 0}},
	{"changes.md", draftdoc.Options{Kind: draftdoc.Changes, Format: "md", Rev: 2, Against: 0}},
	{"status.xlsx", draftdoc.Options{Kind: draftdoc.Status, Format: "xlsx"}},
	{"status.csv", draftdoc.Options{Kind: draftdoc.Status, Format: "csv"}},
}

// TestGolden writes each document of the small draft and compares it
// with the file kept in testdata/golden: the PDF, Markdown and CSV whole;
// of a DOCX its word/document.xml, of an XLSX its sheets' XML (the rest
// of those packages is the libraries' templates). go test -run TestGolden
// -update ./app/draftdoc/ rewrites them; read the diff before committing.
func TestGolden(t *testing.T) {
	s := newSmallDraft(t)
	dir := t.TempDir()
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.Now = printed
			path := filepath.Join(dir, c.name)
			if err := draftdoc.Write(s.svc, opts, path); err != nil {
				t.Fatal(err)
			}
			got := comparable(t, path)
			golden := filepath.Join("testdata", "golden", c.name)
			if strings.HasSuffix(golden, ".docx") || strings.HasSuffix(golden, ".xlsx") {
				golden += ".xml"
			}
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (write the golden files with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (%d bytes, want %d): %s", c.name, golden, len(got), len(want), firstDifference(got, want))
			}
		})
	}
}

// comparable is what of the file at path the golden file keeps.
func comparable(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	switch filepath.Ext(path) {
	case ".docx":
		parts = []string{"word/document.xml"}
	case ".xlsx":
		parts = []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"}
	default:
		return data
	}
	files := unzip(t, data)
	var out []byte
	for _, p := range parts {
		if b, ok := files[p]; ok {
			out = append(out, "<!-- "+p+" -->\n"...)
			out = append(append(out, b...), '\n')
		}
	}
	return out
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip package: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-60, 0)
	return fmt.Sprintf("at byte %d: got …%s… want …%s…", i, a[lo:min(i+60, len(a))], b[lo:min(i+60, len(b))])
}
