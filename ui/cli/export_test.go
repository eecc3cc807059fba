package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestExportImport: the secretariat exports demo data to each format, and
// the JSON export recreates the workspace in another data directory.
func TestExportImport(t *testing.T) {
	a := newHarness(t)
	a.ok("init", "--title", "Cartagena +40")
	a.ok("demo", "--records", "120", "--seed", "3")
	dir := t.TempDir()
	for _, f := range []string{"docx", "pdf", "xlsx", "csv", "json", "md"} {
		out := filepath.Join(dir, "consolidado."+f)
		_, errs, code := a.run("", "export", "--format", f, "--out", out, "--lang", "es", "--subregion", "andes,caribbean")
		if code != 0 {
			t.Fatalf("export %s: %d %s", f, code, errs)
		}
		if st, err := os.Stat(out); err != nil || st.Size() < 500 {
			t.Fatalf("%s: %v", out, err)
		}
	}
	x, err := excelize.OpenFile(filepath.Join(dir, "consolidado.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := x.GetRows("Propuestas"); len(rows) < 2 || rows[0][3] != "Título" {
		t.Fatalf("proposals sheet: %v", rows[:min(1, len(rows))])
	}
	x.Close()

	// Bad input: clear errors, exit 2, no file.
	for _, bad := range [][]string{
		{"export", "--format", "odt", "--out", filepath.Join(dir, "x.odt")},
		{"export", "--format", "pdf", "--out", filepath.Join(dir, "nope", "x.pdf")},
		{"export", "--format", "pdf"},
		{"export", "--out", filepath.Join(dir, "y.pdf")},
		{"export", "--format", "pdf", "--out", filepath.Join(dir, "z.pdf"), "--lang", "de"},
	} {
		if _, errs, code := a.run("", bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, %q", bad, code, errs)
		}
	}
	for _, name := range []string{"x.odt", "y.pdf", "z.pdf"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was left behind", name)
		}
	}

	// A whole-workspace JSON export recreates the workspace elsewhere.
	whole := filepath.Join(dir, "todo.json")
	a.ok("export", "--format", "json", "--out", whole)
	b := newHarness(t)
	if out := b.ok("import", whole); !strings.Contains(out, "created a member") {
		t.Fatalf("import: %q", out)
	}
	if got, want := len(b.listJSON()), len(a.listJSON()); got != want {
		t.Fatalf("imported %d records, want %d", got, want)
	}
	// The filtered one does not import; another workspace's is refused.
	if _, errs, code := newHarness(t).run("", "import", filepath.Join(dir, "consolidado.json")); code != 2 || !strings.Contains(errs, "part of the workspace") {
		t.Fatalf("filtered import: %d %s", code, errs)
	}
	c := newHarness(t)
	c.ok("init", "--title", "Otro proceso")
	if _, errs, code := c.run("", "import", whole); code == 0 || !strings.Contains(errs, "Cartagena +40") {
		t.Fatalf("import into another workspace: %d %s", code, errs)
	}
}
