package cli

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/sync/relay"
	"github.com/cartagena-c40/consulta/sync/replication"
)

func TestRelayNeedsStore(t *testing.T) {
	h := newHarness(t)
	if _, errs, code := h.run("", "relay", "--listen", "127.0.0.1:0"); code != exitUsage || !strings.Contains(errs, "--store") {
		t.Fatalf("relay without --store: %d %s", code, errs)
	}
	if _, errs, code := h.run("", "relay", "--store", t.TempDir(), "--tls-cert", "x.pem"); code != exitUsage || !strings.Contains(errs, "--tls-key") {
		t.Fatalf("relay with a certificate and no key: %d %s", code, errs)
	}
}

// joinOverLAN has b join a's workspace from a laptop serving a's data
// directory on loopback, stopped before it returns.
func joinOverLAN(t *testing.T, a, b *harness) {
	t.Helper()
	code := a.ok("invite")
	svc, closeStore, err := openStore(a.dir, nil)
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
	b.ok("join", code, "--peer", ln.Addr().String(), "--no-mdns")
	cancel()
	<-done
	closeStore()
}

func TestSyncThroughRelay(t *testing.T) {
	rl, err := relay.Start(relay.Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()

	a, b := newHarness(t), newHarness(t)
	a.ok("init", "--title", "Cartagena +40")
	joinOverLAN(t, a, b)

	// The venues part: each writes, and syncs only with the relay.
	a.ok("add", "note", "--title", "Relatoría de Brasilia", "--subregion", "andes", "--theme", "broad-protection")
	b.ok("add", "note", "--title", "Relatoría de Bogotá", "--subregion", "andes", "--theme", "broad-protection")
	if _, errs, code := a.run("", "sync", "--relay", rl.URL(), "--once"); code != 0 || !strings.Contains(errs, "relay: uploaded") {
		t.Fatalf("a's round: %d %s", code, errs)
	}
	if _, errs, code := b.run("", "sync", "--relay", rl.URL(), "--once"); code != 0 || !strings.Contains(errs, "uploaded 1 operation, downloaded 1 new operation") {
		t.Fatalf("b's round: %d %s", code, errs)
	}
	if _, errs, code := a.run("", "sync", "--relay", rl.URL(), "--once"); code != 0 || !strings.Contains(errs, "uploaded 0 operations, downloaded 1 new operation") {
		t.Fatalf("a's second round: %d %s", code, errs)
	}
	for _, h := range []*harness{a, b} {
		if got := h.listJSON(); len(got) != 2 {
			t.Fatalf("%s holds %v", h.dir, got)
		}
	}

	// A relay that is not there: exit status 1, saying so.
	if _, errs, code := a.run("", "sync", "--relay", "nats://127.0.0.1:1", "--once"); code != exitError || !strings.Contains(errs, "cannot connect") {
		t.Fatalf("an unreachable relay: %d %s", code, errs)
	}
}

// TestRelayClusterFlags: the cluster flags go together.
func TestRelayClusterFlags(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"relay", "--store", t.TempDir(), "--name", "r1"},
		{"relay", "--store", t.TempDir(), "--cluster", "c40", "--name", "r1"},
	} {
		if _, errs, code := h.run("", args...); code != exitUsage || !strings.Contains(errs, "cluster") {
			t.Fatalf("%v: %d %s", args, code, errs)
		}
	}
}
