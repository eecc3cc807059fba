package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Where each system keeps the data when --data is not given, checked for
// every system from this one: the laptops delegates carry run Windows.
func TestDataDir(t *testing.T) {
	cases := []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"windows", map[string]string{"AppData": `C:\Users\José Núñez\AppData\Roaming`}, `C:\Users\José Núñez\AppData\Roaming\consulta`},
		{"windows", map[string]string{"AppData": `C:\Users\Ana María\AppData\Roaming\`}, `C:\Users\Ana María\AppData\Roaming\consulta`},
		{"windows", map[string]string{"AppData": `\\srv\perfiles\jnunez\AppData\Roaming`}, `\\srv\perfiles\jnunez\AppData\Roaming\consulta`},
		// HOME alone means nothing on Windows; os.UserConfigDir fails there too.
		{"windows", map[string]string{"HOME": `C:\Users\x`}, "consulta-data"},
		{"linux", map[string]string{"HOME": "/home/josé núñez"}, "/home/josé núñez/.config/consulta"},
		{"linux", map[string]string{"HOME": "/home/j", "XDG_CONFIG_HOME": "/srv/cfg"}, "/srv/cfg/consulta"},
		{"linux", map[string]string{"HOME": "/home/j", "XDG_CONFIG_HOME": "relative"}, "consulta-data"},
		{"linux", nil, "consulta-data"},
		{"darwin", map[string]string{"HOME": "/Users/josé"}, "/Users/josé/Library/Application Support/consulta"},
		{"freebsd", map[string]string{"HOME": "/home/j"}, "/home/j/.config/consulta"},
	}
	for _, c := range cases {
		got := dataDir(c.goos, func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("dataDir(%s, %v) = %q, want %q", c.goos, c.env, got, c.want)
		}
	}
}

// On the system the test runs on, DefaultDataDir agrees with the standard
// library's os.UserConfigDir: dataDir follows it rather than guessing.
func TestDefaultDataDirFollowsUserConfigDir(t *testing.T) {
	want := "consulta-data"
	if d, err := os.UserConfigDir(); err == nil {
		want = filepath.Join(d, "consulta")
	}
	if got := filepath.Clean(DefaultDataDir()); got != want {
		t.Errorf("DefaultDataDir() = %q on %s, os.UserConfigDir gives %q", got, runtime.GOOS, want)
	}
}

// A data directory and exported files under a folder with spaces and
// accents, as a Windows user folder often is (C:\Users\José Núñez\...).
func TestDataDirWithSpacesAndAccents(t *testing.T) {
	base := filepath.Join(t.TempDir(), "José Núñez", "Documentos de la consulta")
	h := &harness{t: t, dir: filepath.Join(base, "datos consulta")}
	h.ok("init", "--title", "Cartagena +40")
	id := h.ok("add", "note", "--title", "Reunión en São Paulo", "--theme", "broad-protection")
	if id == "" {
		t.Fatal("add printed no id")
	}
	out := filepath.Join(base, "Exportación año 2026.csv")
	h.ok("export", "--format", "csv", "--include-notes", "--out", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Reunión en São Paulo") {
		t.Errorf("the export under %s lacks the note:\n%s", base, b)
	}
	if got := h.ok("list"); !strings.Contains(got, "Reunión en São Paulo") {
		t.Errorf("list after reopening %s:\n%s", h.dir, got)
	}
}
