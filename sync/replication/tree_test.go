package replication

import (
	"strings"
	"testing"
	"time"
)

// TestOlderBuildInTheRoom: a laptop of a build without the room feature
// (protocol version 3 with no feature flags) still syncs live with newer
// ones, which speak version 3 to it, whole vectors and all.
func TestOlderBuildInTheRoom(t *testing.T) {
	a := founder(t, "a")
	b, c := a.member("b"), a.member("c")
	_, addrA := a.serve(Options{oldBuild: true})
	_, addrB := b.serve(Options{Peers: []string{addrA}})
	c.serve(Options{Peers: []string{addrB}, MinPeers: 1})
	a.notes(20, "vieja")
	c.notes(20, "nueva")
	waitFor(t, 10*time.Second, "the three did not converge", func() bool {
		return same(a.vector(), b.vector()) && same(b.vector(), c.vector()) && a.count() == 40
	})
	if a.log.String() == "" || !contains(a.log.String(), "room=false") || !contains(c.log.String(), "room=true") {
		t.Fatalf("a should speak without the room feature, c with it:\n%s\n%s", a.log, c.log)
	}
}

// TestPushTreePrunes: in a triangle, each new operation reaches every
// laptop, and the loop is pruned: once the tree has formed, a note crosses
// two of the three links, not all three both ways.
func TestPushTreePrunes(t *testing.T) {
	a := founder(t, "a")
	b, c := a.member("b"), a.member("c")
	_, addrA := a.serve(Options{})
	_, addrB := b.serve(Options{Peers: []string{addrA}})
	c.serve(Options{Peers: []string{addrA, addrB}})
	for range 10 {
		a.notes(1, "nota")
		waitFor(t, 5*time.Second, "a note did not reach b and c", func() bool {
			return same(a.vector(), b.vector()) && same(a.vector(), c.vector())
		})
	}
	all := a.log.String() + b.log.String() + c.log.String()
	if !contains(all, "pruned: pushed operations we held") {
		t.Fatalf("no link was pruned in a triangle:\n%s", all)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
