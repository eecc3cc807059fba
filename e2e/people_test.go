package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// TestPeopleTab: a delegate's laptop may not merge and says why. The
// secretariat's laptop, which founded the workspace, shows on its People
// tab who is in it: itself, the founder, marked as this laptop, and a
// laptop that joined and was made rapporteur; the
// secretariat may revoke or remove, each confirmed first. Then the
// rapporteur's laptop shows the same members without those buttons, and
// merges two proposals; the secretariat removes its member, and its next
// sync is refused, saying why.
func TestPeopleTab(t *testing.T) {
	need(t)
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	cli(t, a, "init", "--title", "Consulta Andina")
	cli(t, a, "demo", "--records", "60")
	code := regexp.MustCompile(`([0-9A-Z]{4}-){13}[0-9A-Z]{4}`).FindString(cli(t, a, "invite"))
	addr := freePort(t)
	stop := serve(t, a, addr)
	cli(t, b, "join", code, "--peer", addr, "--no-mdns")
	cli(t, b, "sync", "--once", "--peer", addr, "--no-mdns")
	stop()
	who := strings.Fields(cli(t, b, "whoami"))
	if len(who) < 2 || who[1] != "delegate" {
		t.Fatalf("the joined laptop is %q", who)
	}

	// The delegate's laptop may not merge, and says why.
	rd := startApp(t, b)
	rd.proposals()
	rd.tickRows(2)
	rd.wait(mainWin, match{"Button", func(n desktop.ProbeNode) bool { return n.Text == "Merge (2)" && n.Disabled }, "Merge disabled"})
	rd.wait(mainWin, prefix("Label", "Merging needs the rapporteur role"))
	rd.screenshot("delegate-merge")
	rd.quit()

	cli(t, a, "grant", who[0], "rapporteur")
	r := startApp(t, a)
	r.shots = rd.shots
	r.tab("People")
	r.wait(mainWin, prefix("Label", "This laptop:"))
	mine, _ := r.wait(mainWin, match{"Label", func(n desktop.ProbeNode) bool { return strings.HasSuffix(n.Text, "— this laptop") }, "the laptop marked this laptop"})
	founder, _ := r.wait(mainWin, prefix("Label", "founder"))
	if founder.Y > mine.Y {
		t.Fatalf("the founder's role (y %v) is not on the row of this laptop (y %v)", founder.Y, mine.Y)
	}
	r.wait(mainWin, text("Label", "rapporteur"))
	r.wait(mainWin, text("Button", "Revoke rapporteur"))
	r.wait(mainWin, text("Button", "Invite a laptop")) // the peers stay on the tab
	r.screenshot("people")

	r.click(mainWin, text("Button", "Remove from the workspace"))
	r.wait(mainWin, match{"Label", func(n desktop.ProbeNode) bool {
		return n.Overlay && strings.Contains(n.Text, "cannot be taken back")
	}, "the removal's confirmation"})
	r.screenshot("remove-confirm")
	r.click(mainWin, text("Button", "Cancel"))
	r.quit()

	// The rapporteur's laptop, once it has synced, lists the members
	// without the secretariat's buttons.
	stop = serve(t, a, addr)
	cli(t, b, "sync", "--once", "--peer", addr, "--no-mdns")
	stop()
	rb := startApp(t, b)
	rb.tab("People")
	rb.wait(mainWin, match{"Label", func(n desktop.ProbeNode) bool {
		return strings.HasPrefix(n.Text, "This laptop:") && strings.HasSuffix(n.Text, "rapporteur")
	}, "this laptop's role: rapporteur"})
	rb.wait(mainWin, prefix("Label", "Granting roles or removing a member needs the secretariat role"))
	if _, _, ok := find(rb.tree, mainWin, text("Button", "Remove from the workspace")); ok {
		t.Fatal("a rapporteur is offered to remove a member")
	}
	rb.shots = r.shots // one numbering for the test's screenshots
	rb.screenshot("people-rapporteur")

	// The rapporteur merges two proposals in the window.
	rb.tab("Records")
	rb.proposals()
	rb.tickRows(2)
	rb.click(mainWin, text("Button", "Merge (2)"))
	consolidated := "Propuesta consolidada por la relatoría"
	rb.fill("Merge 2", hint("Entry", "Title of the consolidated proposal"), consolidated)
	rb.click("Merge 2", text("Button", "Merge"))
	rb.waitFor("the merge window to close", func(ws []desktop.ProbeWindow) bool {
		return !slices.ContainsFunc(ws, func(w desktop.ProbeWindow) bool { return strings.HasPrefix(w.Title, "Merge 2") })
	})
	rb.quit()
	merged := false
	for _, rec := range list(t, b, "--kind", "proposal") {
		merged = merged || (rec.Title == consolidated && len(rec.Sources) == 2)
	}
	if !merged {
		t.Fatal("the rapporteur's merge is not in its store")
	}

	// The secretariat removes the rapporteur's member in the window; that
	// laptop's next sync is refused, saying why.
	rs := startApp(t, a)
	rs.shots = rb.shots
	rs.tab("People")
	rs.click(mainWin, text("Button", "Remove from the workspace"))
	rs.wait(mainWin, match{"Label", func(n desktop.ProbeNode) bool {
		return n.Overlay && strings.Contains(n.Text, "cannot be taken back")
	}, "the removal's confirmation"})
	rs.click(mainWin, text("Button", "Remove"))
	rs.wait(mainWin, text("Label", "removed"))
	rs.screenshot("people-removed")
	rs.quit()
	stop = serve(t, a, addr)
	out, err := exec.Command(bin, "--data", b, "sync", "--once", "--peer", addr, "--no-mdns").CombinedOutput()
	stop()
	if err == nil || !strings.Contains(string(out), "removed from the workspace") {
		t.Fatalf("the removed laptop's sync: %v\n%s", err, out)
	}
}
