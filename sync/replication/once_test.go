package replication

import (
	"context"
	"github.com/cartagena-c40/consulta/app"
	"testing"
	"time"
)

// A once-mode sync ends as soon as both sides hold the same, also when the
// last operations arrive just before: the reader must not sleep through
// the end until the other side's next ping (it used to re-arm its read
// deadline after the end had set it in the past, and waited 15 s).
func TestSyncOnceEndsPromptlyAfterReceiving(t *testing.T) {
	a := founder(t, "a")
	a.notes(50, "nota")
	b := a.member("b")
	ra, addrA := a.serve(Options{PingInterval: 5 * time.Second})
	rb := b.replicator(Options{PingInterval: 5 * time.Second})
	for i := 0; i < 10; i++ {
		a.notes(10, "más")
		// Let a finish with the previous connection first: see
		// TestSyncOnceRightAfterAnother.
		waitFor(t, 5*time.Second, "a kept the previous connection", func() bool {
			ps, _ := ra.Peers()
			return len(ps) == 0 || !ps[0].Connected
		})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		start := time.Now()
		err := rb.SyncOnce(ctx, []string{addrA})
		d := time.Since(start)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !same(a.vector(), b.vector()) {
			t.Fatalf("round %d: not in sync: a %v, b %v", i, a.vector(), b.vector())
		}
		if d > 2*time.Second {
			t.Fatalf("round %d: the sync of 10 operations took %v", i, d)
		}
	}
}

// Two once-mode syncs in a row from the same laptop: the second must sync
// or fail, never report success with nothing exchanged. The listening
// side may still hold the first connection when the second
// arrives, refuse the second as a duplicate ("already connected to this
// peer"), and the dialler's SyncOnce returns nil: `consulta sync --once`
// would exit 0 without syncing. Now that refusal ends the once-mode
// connection with errBusy and SyncOnce dials again.
func TestSyncOnceRightAfterAnother(t *testing.T) {
	a := founder(t, "a")
	a.notes(50, "nota")
	b := a.member("b")
	_, addrA := a.serve(Options{})
	rb := b.replicator(Options{})
	for i := 0; i < 30; i++ {
		a.notes(10, "más")
		if err := rb.SyncOnce(context.Background(), []string{addrA}); err != nil {
			continue // failing is fine; pretending is not
		}
		if !same(a.vector(), b.vector()) {
			t.Fatalf("round %d: SyncOnce returned nil but b lacks a's operations: a %v, b %v", i, a.vector(), b.vector())
		}
	}
}

func TestPendingCountsBothWays(t *testing.T) {
	p := &peer{theirs: app.Vector{"a": 10, "b": 3}}
	mine := app.Vector{"a": 4, "b": 5, "c": 2}
	// They hold 6 of a we lack; we hold 2 of b and 2 of c they lack.
	if got := p.pending(mine); got != 10 {
		t.Fatalf("pending = %d, want 10", got)
	}
	if got := (&peer{}).pending(app.Vector{"a": 1}); got != 1 {
		t.Fatalf("before the peer's vector: %d", got)
	}
}
