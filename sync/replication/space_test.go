package replication

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// TestFullDiskPausesReceiving: a laptop whose disk is full stores nothing
// a peer sends, ends the connection saying why (to its log, to the peer,
// and in the error SyncOnce returns, of kind DiskFull), and syncs once the
// space is back.
func TestFullDiskPausesReceiving(t *testing.T) {
	a := founder(t, "a")
	a.notes(30, "nota")
	var free atomic.Uint64
	free.Store(100 << 30)
	st, err := storage.Open("", storage.Options{InMemory: true, FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	ws := a.svc.Workspace()
	if _, err := svc.Join(ws.ID, ws.Secret[:transport.JoinKeySize], ""); err != nil {
		t.Fatal(err)
	}
	b := &laptop{t: t, name: "b", svc: svc, log: &logBuf{}}
	_, addrA := a.serve(Options{})
	rb := b.replicator(Options{})

	free.Store(10 << 20)
	before := b.count()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = rb.SyncOnce(ctx, []string{addrA})
	var rp *ReceivePaused
	if !errors.As(err, &rp) || app.KindOf(err) != app.DiskFull || !strings.Contains(err.Error(), "10 MB free") {
		t.Fatalf("sync onto a full disk: %v", err)
	}
	if b.count() != before {
		t.Fatalf("stored %d records on a full disk", b.count()-before)
	}
	if !strings.Contains(b.log.String(), "receiving paused") {
		t.Fatalf("b's log does not say why:\n%s", b.log.String())
	}
	waitFor(t, 5*time.Second, "a's log to say why", func() bool { return strings.Contains(a.log.String(), reasonDiskFull) })

	free.Store(100 << 30)
	waitFor(t, 5*time.Second, "a to let go of the connection", func() bool {
		return rb.SyncOnce(ctx, []string{addrA}) == nil
	})
	if !same(a.vector(), b.vector()) {
		t.Fatalf("not in sync once the space is back: a %v, b %v", a.vector(), b.vector())
	}
}
