package replication

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/sync/transport"
)

// TestRemovedLaptopRefused: after the founder removes c, a laptop that
// stays takes the new join key at its next sync; c is refused by the
// founder and by that laptop, saying why, and receives nothing new; a
// laptop joined with the old code (as c could make itself) is refused;
// one joined with a new invitation is let in.
func TestRemovedLaptopRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc := newStore(t)
	if _, err := svc.Init("Cartagena +40"); err != nil {
		t.Fatal(err)
	}
	a := &laptop{t: t, name: "a", svc: svc, log: &logBuf{}}
	b, c := a.member("b"), a.member("c")
	_, addrA := a.serve(Options{})
	once := func(l *laptop, addr string) error {
		return l.replicator(Options{}).SyncOnce(ctx, []string{addr})
	}
	for _, l := range []*laptop{b, c, b} {
		if err := once(l, addrA); err != nil {
			t.Fatalf("%s before the removal: %v", l.name, err)
		}
	}
	old := slices.Clone(a.svc.Workspace().Secret)
	if err := a.svc.RemoveMember(string(c.svc.Device())); err != nil {
		t.Fatal(err)
	}
	a.notes(3, "después")
	if err := once(b, addrA); err != nil {
		t.Fatalf("a laptop that stays, on the old key: %v", err)
	}
	if ws := b.svc.Workspace(); ws.Epoch != 1 || !slices.Equal(ws.Secret, a.svc.Workspace().Secret) {
		t.Fatalf("b did not take the new key: epoch %d", ws.Epoch)
	}
	_, addrB := b.serve(Options{})
	before := c.vector()
	for _, addr := range []string{addrA, addrB} {
		err := once(c, addr)
		if err == nil || !strings.Contains(err.Error(), ReasonRemoved) {
			t.Fatalf("the removed laptop syncing with %s: %v", addr, err)
		}
	}
	if !same(c.vector(), before) {
		t.Fatalf("the removed laptop received operations: %v, had %v", c.vector(), before)
	}
	minted := newStore(t)
	if _, err := minted.Join(a.svc.Workspace().ID, old[:transport.JoinKeySize], ""); err != nil {
		t.Fatal(err)
	}
	d := &laptop{t: t, name: "d", svc: minted, log: &logBuf{}}
	if err := once(d, addrA); err == nil || !strings.Contains(err.Error(), ReasonRekeyed) {
		t.Fatalf("a laptop joined with the old code: %v", err)
	}
	e := a.member("e")
	if err := once(e, addrA); err != nil {
		t.Fatalf("a laptop with a new invitation: %v", err)
	}
	if n, want := e.count(), a.count(); n != want {
		t.Fatalf("the new laptop holds %d of %d operations", n, want)
	}
	if got := e.svc.Authority().Log().Removed(string(c.svc.Device())); !got {
		t.Fatal("the new laptop does not know c was removed")
	}
}

// TestRemovedLaptopProcesses: the same across processes, each laptop a
// process with its store on disk: the removed laptop's sync fails saying
// why, and its vector does not move.
func TestRemovedLaptopProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	root := t.TempDir()
	a := startProc(t, "a", root+"/a", childFoundEnv+"=1")
	a.do("write 20 a")
	join := childJoinEnv + "=" + a.ws + ":" + a.key
	b := startProc(t, "b", root+"/b", join)
	c := startProc(t, "c", root+"/c", join)
	b.do("sync " + a.addr)
	c.do("sync " + a.addr)
	a.do("remove " + c.dev)
	a.do("write 5 después")
	b.do("sync " + a.addr)
	before := c.vector()
	for _, addr := range []string{a.addr, b.addr} {
		if _, err := c.try("sync " + addr); err == nil || !strings.Contains(err.Error(), "removed from the workspace") {
			t.Fatalf("the removed laptop's sync with %s: %v", addr, err)
		}
	}
	if after := c.vector(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the removed laptop received operations: %v, had %v", after, before)
	}
	if ha, hb := a.hash(), b.hash(); ha != hb {
		t.Fatalf("the laptops that stay differ: %s / %s", ha, hb)
	}
}
