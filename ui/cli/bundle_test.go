package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBundleAcrossDataDirectories: a bundle carries what another data
// directory lacks (since its vector file, or everything), import says how
// many operations were new and how many wait for an earlier bundle, and a
// foreign or damaged bundle is refused with exit 2.
func TestBundleAcrossDataDirectories(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	a, b := newHarness(t), newHarness(t)
	a.ok("init", "--title", "Cartagena +40")
	a.ok("demo", "--records", "40", "--seed", "2")
	a.ok("export", "--format", "json", "--out", file("all.json"))
	b.ok("import", file("all.json")) // b becomes a member holding everything
	count := len(b.listJSON())

	a.ok("vector", "--out", file("a1.json"))
	a.ok("add", "note", "--title", "Nota de Quito", "--subregion", "andes", "--country", "EC", "--theme", "broad-protection")
	a.ok("vector", "--out", file("a2.json"))
	a.ok("add", "note", "--title", "Nota de Lima", "--subregion", "andes", "--country", "PE", "--theme", "broad-protection")
	a.ok("bundle", "--since", file("a2.json"), "--out", file("late.bundle"))
	if got := b.ok("import", file("late.bundle")); !strings.Contains(got, "imported 0 new operations of the 1") || !strings.Contains(got, "1 wait for an earlier bundle") {
		t.Fatalf("a bundle with a gap: %q", got)
	}

	b.ok("vector", "--out", file("b.json"))
	a.ok("bundle", "--since", file("b.json"), "--out", file("for-b.bundle"))
	if got := b.ok("import", file("for-b.bundle")); !regexp.MustCompile(`^imported 2 new operations of the 2 in the bundle$`).MatchString(got) {
		t.Fatalf("import: %q", got)
	}
	if got := b.ok("import", file("late.bundle")); !strings.HasPrefix(got, "imported 0 new operations of the 1") || strings.Contains(got, "wait") {
		t.Fatalf("the later bundle again: %q", got)
	}
	if n := len(b.listJSON()); n != count+2 {
		t.Fatalf("b holds %d records, want %d", n, count+2)
	}
	a.ok("bundle", "--out", file("all.bundle"))
	if got := b.ok("import", file("all.bundle")); !strings.HasPrefix(got, "imported 0 new operations") {
		t.Fatalf("everything again: %q", got)
	}

	other := newHarness(t)
	other.ok("init", "--title", "Otra")
	other.ok("bundle", "--out", file("other.bundle"))
	data, err := os.ReadFile(file("all.bundle"))
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	os.WriteFile(file("damaged.bundle"), data, 0o600)
	os.WriteFile(file("cut.bundle"), data[:len(data)/3], 0o600)
	for name, want := range map[string]string{"other.bundle": "another workspace", "damaged.bundle": "damaged", "cut.bundle": "cut short"} {
		if _, errs, code := b.run("", "import", file(name)); code != 2 || !strings.Contains(errs, want) || !strings.Contains(errs, "nothing was imported") {
			t.Errorf("import %s: exit %d, %q", name, code, errs)
		}
	}
	if _, errs, code := a.run("", "bundle", "--for", "laptop", "--out", file("x.bundle")); code != 2 || !strings.Contains(errs, "--since") {
		t.Errorf("bundle --for: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(file("x.bundle")); err == nil {
		t.Error("bundle --for left a file")
	}
}
