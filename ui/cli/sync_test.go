package cli

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/replication"
)

// serveSync opens the data directory dir and syncs it in the background on
// a loopback port until the test ends, as a laptop running sync would (the
// CLI's sync runs until interrupted). It returns the service and the
// listener.
func serveSync(t *testing.T, dir string) (*app.Service, net.Listener) {
	t.Helper()
	svc, closeStore, err := openStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r, err := replication.New(svc, replication.Options{Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done; closeStore() })
	return svc, ln
}

func TestInviteJoinSync(t *testing.T) {
	a := newHarness(t)
	a.ok("init", "--title", "Cartagena +40")
	a.ok("add", "note", "--title", "Documentación en tránsito", "--subregion", "andes", "--theme", "broad-protection")
	code := a.ok("invite")
	if strings.Count(code, "-") != 13 {
		t.Fatalf("invite printed %q", code)
	}

	// a's laptop runs sync in the background (opened here, since the CLI's
	// sync runs until interrupted).
	svc, ln := serveSync(t, a.dir)

	b := newHarness(t)
	if _, errs, code := b.run("", "join", "0000-1111", "--no-mdns"); code != 2 || !strings.Contains(errs, "join code") {
		t.Fatalf("bad code: %d %s", code, errs)
	}
	if title := b.ok("join", strings.ToLower(code), "--peer", ln.Addr().String(), "--no-mdns"); title != "Cartagena +40" {
		t.Fatalf("join printed %q", title)
	}
	if got := b.listJSON(); len(got) != 1 || got[0]["title"] != "Documentación en tránsito" {
		t.Fatalf("b holds %v", got)
	}
	if _, errs, code := b.run("", "join", code, "--no-mdns"); code != 2 || !strings.Contains(errs, "already holds") {
		t.Fatalf("second join: %d %s", code, errs)
	}

	// b writes; a gets it with sync --once (remembered peer, no --peer).
	b.ok("add", "proposal", "--title", "Programa de Asilo de Calidad", "--subregion", "andes", "--theme", "broad-protection")
	if _, errs, code := b.run("", "sync", "--once", "--no-mdns"); code != 0 {
		t.Fatalf("sync --once: %d %s", code, errs)
	}
	res, _ := svc.List(app.Filter{Text: "asilo"}, 0)
	if res.Total != 1 {
		t.Fatalf("a holds %d proposals", res.Total)
	}
	var peers []map[string]any
	if err := json.Unmarshal([]byte(b.ok("peers", "--json")), &peers); err != nil || len(peers) != 1 || peers[0]["addr"] != ln.Addr().String() {
		t.Fatalf("peers: %v %v", peers, err)
	}
	if out := b.ok("peers"); !strings.Contains(out, ln.Addr().String()) {
		t.Fatalf("peers: %q", out)
	}
}

func TestSyncOnceUnreachable(t *testing.T) {
	h := newHarness(t)
	h.ok("init", "--title", "x")
	_, errs, code := h.run("", "sync", "--once", "--no-mdns", "--peer", "127.0.0.1:1")
	if code != 1 || !strings.Contains(errs, "127.0.0.1:1") {
		t.Fatalf("%d %s", code, errs)
	}
	if _, errs, code := h.run("", "sync", "--once", "--no-mdns"); code != 1 || !strings.Contains(errs, "no peer") {
		t.Fatalf("no peers: %d %s", code, errs)
	}
}
