package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/sync/replication"
)

// harness runs the CLI against a real on-disk store, as main does.
type harness struct {
	t   *testing.T
	dir string
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, dir: filepath.Join(t.TempDir(), "data")}
}

func openStore(dir string, pass []byte) (*app.Service, func() error, error) {
	st, err := storage.Open(dir, storage.Options{Passphrase: pass})
	if err != nil {
		return nil, nil, err
	}
	svc, err := app.NewService(st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, st.Close, nil
}

// run runs one command line and returns stdout, stderr and the exit status.
func (h *harness) run(stdin string, args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Open: openStore, Sync: replication.NewReplicator, Dirs: storage.DataDirs{}}
	if stdin != "" {
		env.Stdin = strings.NewReader(stdin)
	}
	code := Run(env, append([]string{"--data", h.dir}, args...))
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed and returns its trimmed stdout.
func (h *harness) ok(args ...string) string {
	h.t.Helper()
	out, errs, code := h.run("", args...)
	if code != 0 {
		h.t.Fatalf("consulta %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return strings.TrimSpace(out)
}

func (h *harness) listJSON(args ...string) []map[string]any {
	h.t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(h.ok(append([]string{"list", "--json", "--limit", "0"}, args...)...)), &out); err != nil {
		h.t.Fatal(err)
	}
	return out
}

func TestNewUserSession(t *testing.T) {
	h := newHarness(t)
	ws := h.ok("init", "--title", "Cartagena +40")
	if !app.ValidID(ws) {
		t.Fatalf("init printed %q", ws)
	}
	if _, errs, code := h.run("", "init", "--title", "again"); code != 2 || !strings.Contains(errs, "already holds") {
		t.Fatalf("second init: %d %s", code, errs)
	}
	m := h.ok("add", "meeting", "--title", "Consulta subregional Andina", "--subregion", "andes", "--country", "EC", "--venue", "Quito", "--date", "2024-04-02")
	n := h.ok("add", "note", "--title", "Documentación para niñas y niños", "--body", "Acceso a documentación en tránsito.",
		"--meeting", m, "--theme", "broad-protection,gcr-self-reliance", "--tag", "children", "--author", "Ana Quispe", "--org", "Red Andina")
	p := h.ok("add", "proposal", "--title", "Programa de Asilo de Calidad", "--body-file", writeFile(t, "Fortalecer las comisiones nacionales.\n\nSegundo párrafo."),
		"--subregion", "southern-cone", "--country", "BR", "--theme", "mpa-quality-asylum", "--lang", "pt")
	in, _, code := h.run("Texto desde la entrada estándar: migración.", "add", "input", "--title", "Aporte", "--theme", "stakeholder-collaboration",
		"--stakeholder", "academia", "--subregion", "mesoamerica", "--country", "GT")
	if code != 0 {
		t.Fatal("add with body on stdin failed")
	}
	in = strings.TrimSpace(in)

	// The note inherited the meeting's sub-region and country.
	var shown map[string]any
	json.Unmarshal([]byte(h.ok("show", n, "--json")), &shown)
	if shown["subregion"] != "andes" || shown["country"] != "EC" || shown["meeting"] != m || shown["author"] != "Ana Quispe" {
		t.Fatalf("show --json: %v", shown)
	}
	for _, k := range []string{"id", "kind", "title", "body", "subregion", "country", "themes", "stakeholder", "populations", "tags", "status", "author", "org", "meeting", "created", "updated", "sources", "merged_into"} {
		if _, ok := shown[k]; !ok {
			t.Errorf("show --json lacks %q", k)
		}
	}
	json.Unmarshal([]byte(h.ok("show", in, "--json")), &shown)
	if shown["body"] != "Texto desde la entrada estándar: migración." {
		t.Errorf("body from stdin: %q", shown["body"])
	}

	ids := func(rs []map[string]any) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r["id"].(string))
		}
		return out
	}
	if got := ids(h.listJSON("--subregion", "andes", "--kind", "note")); len(got) != 1 || got[0] != n {
		t.Errorf("list andes notes: %v", got)
	}
	if got := ids(h.listJSON("--theme", "future-outlook")); len(got) != 1 || got[0] != p {
		t.Errorf("list by parent theme: %v", got)
	}
	if got := ids(h.listJSON("--text", "MIGRACION")); len(got) != 1 || got[0] != in {
		t.Errorf("list by text: %v", got)
	}
	if got := h.listJSON(); len(got) != 4 {
		t.Errorf("list all: %d", len(got))
	}

	h.ok("edit", p, "--title", "Programa de Asilo de Calidad (revisado)", "--status", "submitted", "--theme", "mpa-quality-asylum,mpa-local-integration")
	json.Unmarshal([]byte(h.ok("show", p, "--json", "--history")), &shown)
	if shown["status"] != "submitted" || len(shown["themes"].([]any)) != 2 || len(shown["history"].([]any)) != 2 {
		t.Errorf("after edit: %v", shown)
	}
	h.ok("withdraw", n)
	if got := ids(h.listJSON("--status", "withdrawn")); len(got) != 1 || got[0] != n {
		t.Errorf("withdrawn: %v", got)
	}
	text := h.ok("show", p, "--history")
	if !strings.Contains(text, "History:") || !strings.Contains(text, "status=\"submitted\"") {
		t.Errorf("show --history text:\n%s", text)
	}

	var stats map[string]any
	json.Unmarshal([]byte(h.ok("stats", "--json")), &stats)
	if stats["total"].(float64) != 4 || stats["theme"].(map[string]any)["future-outlook"].(float64) != 1 {
		t.Errorf("stats: %v", stats)
	}
	if out := h.ok("stats"); !strings.Contains(out, "4 records") {
		t.Errorf("stats text: %s", out)
	}
	// A field filtered on is counted without its own filter: beside each
	// sub-region, what asking for it alone gives.
	var andes map[string]any
	json.Unmarshal([]byte(h.ok("stats", "--subregion", "andes", "--json")), &andes)
	bySubRegion := andes["subregion"].(map[string]any)
	if len(bySubRegion) < 2 {
		t.Errorf("stats --subregion andes counts the sub-regions %v", bySubRegion)
	}
	for sr, n := range bySubRegion {
		var alone map[string]any
		json.Unmarshal([]byte(h.ok("stats", "--subregion", sr, "--json")), &alone)
		if n != alone["total"] {
			t.Errorf("stats --subregion andes counts %v in %s, stats --subregion %s has %v", n, sr, sr, alone["total"])
		}
	}
	if out := h.ok("stats", "--subregion", "andes"); !strings.Contains(out, app.MustTaxonomy().Label("subregions", "southern-cone", defaultLang())) {
		t.Errorf("stats --subregion andes leaves out the other sub-regions:\n%s", out)
	}
}

func writeFile(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadInput: each mistake gets exit status 2, a message naming what was
// wrong (and the valid values), and nothing is written.
func TestBadInput(t *testing.T) {
	h := newHarness(t)
	h.ok("init", "--title", "C+40")
	big := writeFile(t, strings.Repeat("a", app.MaxBody+1))
	cases := []struct {
		args []string
		want []string // substrings of stderr
	}{
		{[]string{"add", "note", "--title", "t", "--theme", "nope"}, []string{"theme", "nope", "broad-protection"}},
		{[]string{"add", "note", "--title", "t", "--theme", "broad-protection", "--subregion", "europe"}, []string{"subregion", "europe", "southern-cone"}},
		{[]string{"add", "note", "--title", "t", "--theme", "broad-protection", "--country", "FR"}, []string{"country", "FR", "CO"}},
		{[]string{"add", "memo", "--title", "t"}, []string{"kind", "memo", "proposal"}},
		{[]string{"add", "proposal", "--title", "t", "--theme", "broad-protection", "--status", "done"}, []string{"status", "done", "under-review"}},
		{[]string{"add", "note", "--title", "  ", "--theme", "broad-protection"}, []string{"title", "empty"}},
		{[]string{"add", "note", "--theme", "broad-protection"}, []string{"title"}},
		{[]string{"add", "note", "--title", "t", "--theme", "broad-protection", "--body-file", big}, []string{"body", "1 MiB"}},
		{[]string{"add", "note", "--title", "t"}, []string{"theme"}},
		{[]string{"show", "01HZZZZZZZZZZZZZZZZZZZZZZZ"}, []string{"no record"}},
		{[]string{"show", "nonsense"}, []string{"not a record id"}},
		{[]string{"edit", "01HZZZZZZZZZZZZZZZZZZZZZZZ", "--title", "x"}, []string{"no record"}},
		{[]string{"withdraw", "01HZZZZZZZZZZZZZZZZZZZZZZZ"}, []string{"no record"}},
		{[]string{"list", "--status", "done"}, []string{"status", "done"}},
		{[]string{"list", "--bogus"}, []string{"bogus"}},
		{[]string{"frobnicate"}, []string{"unknown command"}},
	}
	for _, c := range cases {
		_, errs, code := h.run("", c.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", c.args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: message %q does not mention %q", c.args, errs, w)
			}
		}
	}
	if got := h.listJSON(); len(got) != 0 {
		t.Fatalf("bad input wrote %d records", len(got))
	}
}

func TestDataDirRefusals(t *testing.T) {
	// Not initialized.
	h := newHarness(t)
	if _, errs, code := h.run("", "list"); code != 2 || !strings.Contains(errs, "init") {
		t.Errorf("uninitialized: %d %s", code, errs)
	}
	// A directory that holds someone's files.
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o600)
	h.dir = foreign
	if _, errs, code := h.run("", "init", "--title", "x"); code != 1 || !strings.Contains(errs, "not a Consulta data directory") {
		t.Errorf("foreign: %d %s", code, errs)
	}
	// A directory in use by another process (here: another open store).
	h = newHarness(t)
	h.ok("init", "--title", "x")
	_, closeFn, err := openStore(h.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if _, errs, code := h.run("", "list"); code != 1 || !strings.Contains(errs, "in use") {
		t.Errorf("locked: %d %s", code, errs)
	}
}

func TestTaxonomyJSON(t *testing.T) {
	h := newHarness(t)
	var tax struct {
		Themes []struct {
			Code     string            `json:"code"`
			Labels   map[string]string `json:"labels"`
			Children []struct{ Code string }
		} `json:"themes"`
		SubRegions []struct {
			Code      string   `json:"code"`
			Countries []string `json:"countries"`
		} `json:"subregions"`
		Stakeholders, Populations, Tags []struct{ Code string }
	}
	if err := json.Unmarshal([]byte(h.ok("taxonomy", "--json")), &tax); err != nil {
		t.Fatal(err)
	}
	if len(tax.Themes) < 10 || len(tax.SubRegions) != 5 || len(tax.Stakeholders) == 0 || len(tax.Populations) == 0 || len(tax.Tags) == 0 {
		t.Fatalf("taxonomy: %+v", tax)
	}
	if l := tax.Themes[0].Labels; l["es"] == "" || l["en"] == "" || l["pt"] == "" || l["fr"] == "" {
		t.Errorf("labels: %v", l)
	}
	if out := h.ok("taxonomy", "--lang", "pt"); !strings.Contains(out, "southern-cone") {
		t.Errorf("taxonomy text:\n%s", out)
	}
}

func TestDemoTwice(t *testing.T) {
	h := newHarness(t)
	h.ok("demo", "--records", "300")
	if out := h.ok("stats", "--json"); !strings.Contains(out, `"total": 300`) {
		t.Fatalf("stats after demo: %s", out)
	}
	if _, errs, code := h.run("", "demo", "--records", "300"); code != 2 || !strings.Contains(errs, "another --seed") {
		t.Fatalf("second demo with the same seed: %d %s", code, errs)
	}
	h.ok("demo", "--records", "100", "--seed", "2")
	if out := h.ok("stats", "--json"); !strings.Contains(out, `"total": 400`) {
		t.Fatalf("stats after a second seed: %s", out)
	}
}
