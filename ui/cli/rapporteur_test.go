package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

func (h *harness) showJSON(id string, extra ...string) map[string]any {
	h.t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(h.ok(append([]string{"show", id, "--json"}, extra...)...)), &out); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// TestRapporteurOfflineEdits is the "tried as a new user would":
// two laptops edit the same proposal offline, sync, and find the edits of
// different paragraphs merged and those of the same paragraph as a
// conflict, which one of them resolves; then merging, support, comments.
func TestRapporteurOfflineEdits(t *testing.T) {
	a := newHarness(t)
	a.ok("init", "--title", "Consulta Andina")
	base := "Garantizar el acceso al territorio.\n\nFortalecer los sistemas de asilo.\n\nPromover soluciones duraderas."
	id := a.ok("add", "proposal", "--title", "Protección internacional", "--subregion", "andes",
		"--theme", "broad-protection", "--author", "Ana Quispe", "--org", "Red Andina", "--body", base)
	other := a.ok("add", "proposal", "--title", "Asilo de calidad", "--subregion", "andes",
		"--theme", "broad-protection", "--author", "João Silva", "--org", "Cáritas", "--body", "Procedimientos ágiles.")
	code := a.ok("invite")

	svc, ln := serveSync(t, a.dir)

	b := newHarness(t)
	b.ok("join", code, "--peer", ln.Addr().String(), "--no-mdns")
	// b edits a's text: the secretariat's role, which the founder gives.
	if _, errs, code := b.run("", "edit", id, "--body", "x"); code != 2 || !strings.Contains(errs, "needs the secretariat role") {
		t.Fatalf("a delegate edits another's proposal: exit %d, %s", code, errs)
	}
	bID := strings.Fields(b.ok("whoami"))[0]
	if err := svc.Grant(bID, roles.Secretariat); err != nil {
		t.Fatal(err)
	}
	b.ok("sync", "--once", "--no-mdns")
	// Offline: a changes the first paragraph, b the first and the last.
	va := "Garantizar el acceso al territorio sin rechazo en frontera.\n\nFortalecer los sistemas de asilo.\n\nPromover soluciones duraderas."
	if err := svc.Update(app.RecordID(id), app.Patch{Body: &va}); err != nil {
		t.Fatal(err)
	}
	b.ok("edit", id, "--body", "Garantizar el acceso seguro al territorio.\n\nFortalecer los sistemas de asilo.\n\nPromover soluciones duraderas e integración local.")
	b.ok("sync", "--once", "--no-mdns")

	rec := b.showJSON(id)
	versions, _ := rec["conflict"].([]any)
	if len(versions) != 2 {
		t.Fatalf("want two competing versions, got %v", rec["conflict"])
	}
	for _, v := range versions {
		if body := v.(map[string]any)["body"].(string); !strings.HasSuffix(body, "e integración local.") {
			t.Fatalf("a version lost b's edit of the last paragraph: %q", body)
		}
	}
	if out := b.ok("show", id); !strings.Contains(out, "CONFLICT: 2 competing versions") {
		t.Fatalf("show does not say there is a conflict:\n%s", out)
	}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(b.ok("conflicts", "--json")), &listed); err != nil || len(listed) != 1 || listed[0]["id"] != id {
		t.Fatalf("conflicts: %v %v", listed, err)
	}
	if _, errs, code := b.run("", "resolve", id, "--take", "7"); code != 2 || !strings.Contains(errs, "versions 1 to 2") {
		t.Fatalf("take 7: %d %s", code, errs)
	}
	b.ok("resolve", id, "--take", "2")
	b.ok("sync", "--once", "--no-mdns")
	got, err := svc.Get(app.RecordID(id))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Conflict) != 0 || got.Body != versions[1].(map[string]any)["body"] {
		t.Fatalf("a after the resolution: %q %v", got.Body, got.Conflict)
	}
	// The history shows the edits as diffs and the conflict.
	hist := b.ok("show", id, "--history")
	for _, want := range []string{"+ Garantizar el acceso seguro al territorio.", "- Garantizar el acceso al territorio.", "conflict: 2 competing versions"} {
		if !strings.Contains(hist, want) {
			t.Fatalf("history lacks %q:\n%s", want, hist)
		}
	}

	// Merge, support, comment.
	merged := b.ok("merge", id, other, "--title", "Protección y asilo", "--body", "Texto consolidado.")
	m := b.showJSON(merged)
	if srcs := m["sources"].([]any); len(srcs) != 2 {
		t.Fatalf("sources %v", srcs)
	}
	if c := m["contributors"].([]any); len(c) != 2 || c[0] != "Ana Quispe (Red Andina)" {
		t.Fatalf("contributors %v", c)
	}
	if s := b.showJSON(id); s["status"] != "merged" || s["merged_into"].([]any)[0] != merged {
		t.Fatalf("source after merge: %v %v", s["status"], s["merged_into"])
	}
	if h := b.ok("show", id, "--history"); !strings.Contains(h, "+merged into "+merged) {
		t.Fatalf("history lacks the merge:\n%s", h)
	}
	b.ok("support", merged, "--name", "Luis")
	b.ok("support", merged, "--name", "Rosa")
	b.ok("comment", merged, "--body", "De acuerdo con el texto consolidado.")
	if m := b.showJSON(merged); m["supporters"] != 2.0 || m["comments"] != 1.0 {
		t.Fatalf("counts: supporters %v comments %v", m["supporters"], m["comments"])
	}
	if l := b.listJSON("--kind", "proposal", "--status", "draft"); len(l) != 1 || l[0]["supporters"] != 2.0 || l[0]["comments"] != 1.0 {
		t.Fatalf("list counts: %v", l)
	}
	b.ok("unmerge", merged)
	if s := b.showJSON(id); s["status"] != "draft" || len(s["merged_into"].([]any)) != 0 {
		t.Fatalf("source after unmerge: %v %v", s["status"], s["merged_into"])
	}
	for _, bad := range [][]string{{"merge", id}, {"merge", id, other}, {"resolve", id}, {"comment", id}, {"support"}} {
		if _, errs, code := b.run("", bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", bad, code, errs)
		}
	}
}
