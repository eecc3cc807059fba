package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

// TestMembersAndRoles: the founder sees itself as founder; a laptop that
// joins is a delegate, whose merge and grant are refused (exit 2, naming
// the role); granted rapporteur it merges; removed, its sync is refused
// with the reason.
func TestMembersAndRoles(t *testing.T) {
	a := newHarness(t)
	a.ok("init", "--title", "Consulta Andina")
	p1 := a.ok("add", "proposal", "--title", "Uno", "--subregion", "andes", "--theme", "broad-protection", "--body", "Texto uno.")
	p2 := a.ok("add", "proposal", "--title", "Dos", "--subregion", "andes", "--theme", "broad-protection", "--body", "Texto dos.")
	code := a.ok("invite")
	if out := a.ok("whoami"); !strings.HasSuffix(strings.TrimSpace(out), "founder") {
		t.Fatalf("whoami of the founder: %q", out)
	}
	svc, ln := serveSync(t, a.dir)
	b := newHarness(t)
	b.ok("join", code, "--peer", ln.Addr().String(), "--no-mdns")
	bID := strings.Fields(b.ok("whoami"))[0]
	if out := b.ok("whoami"); !strings.Contains(out, "delegate") {
		t.Fatalf("whoami of a laptop that joined: %q", out)
	}
	if _, errs, code := b.run("", "merge", p1, p2, "--title", "Juntos"); code != 2 || !strings.Contains(errs, "needs the rapporteur role") {
		t.Fatalf("a delegate merges: exit %d, %s", code, errs)
	}
	if _, errs, code := b.run("", "grant", bID, "secretariat"); code != 2 || !strings.Contains(errs, "needs secretariat") && !strings.Contains(errs, "needs the secretariat role") {
		t.Fatalf("a delegate grants: exit %d, %s", code, errs)
	}
	if err := svc.Grant(bID, roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	b.ok("sync", "--once", "--no-mdns")
	b.ok("merge", p1, p2, "--title", "Juntos")
	var ms []map[string]any
	if err := json.Unmarshal([]byte(b.ok("members", "--json")), &ms); err != nil {
		t.Fatal(err)
	}
	roleOf := map[string]string{}
	for _, m := range ms {
		roleOf[m["id"].(string)] = m["role"].(string)
	}
	if roleOf[bID] != "rapporteur" || len(ms) != 2 {
		t.Fatalf("members: %v", ms)
	}
	// Revoked while b is offline: b's next merge is kept, not applied.
	p3 := a2(t, svc, "Tres")
	b.ok("sync", "--once", "--no-mdns")
	if err := svc.Revoke(bID, roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	late := b.ok("merge", p3, p1, "--title", "Tarde")
	b.ok("sync", "--once", "--no-mdns")
	if out := b.ok("show", late, "--history"); !strings.Contains(out, "kept, not applied: role revoked") {
		t.Fatalf("the history of a merge made during a revocation:\n%s", out)
	}
	if err := svc.RemoveMember(bID); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := b.run("", "sync", "--once", "--no-mdns"); code == 0 || !strings.Contains(errs, "removed from the workspace") {
		t.Fatalf("a removed laptop syncs: exit %d, %s", code, errs)
	}
	if err := svc.RemoveMember(string(svc.Device())); err == nil || !strings.Contains(err.Error(), "founders cannot be removed") {
		t.Fatalf("removing the founder: %v", err)
	}
}

// a2 adds a proposal through the founder's service (its data directory is
// in use by the sync it serves).
func a2(t *testing.T, svc *app.Service, title string) string {
	t.Helper()
	sr, th := app.SubRegion("andes"), app.ThemeCode("broad-protection")
	body := "Texto " + title
	id, err := svc.Create(app.KindProposal, app.Patch{Title: &title, Body: &body, SubRegion: &sr, AddThemes: []app.ThemeCode{th}})
	if err != nil {
		t.Fatal(err)
	}
	return string(id)
}
