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

// TestGraftWait: the wait before grafting follows how late operations come
// by the tree after their first announcement, within its bounds, and
// leaves out what was asked for and what came before it was announced.
func TestGraftWait(t *testing.T) {
	const ceiling = time.Second
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	var tt treeTiming
	if w := tt.wait(ceiling); w != ceiling {
		t.Fatalf("nothing timed yet: wait %v, want %v", w, ceiling)
	}
	tt.announced("d1", 1, at(0))
	tt.announced("d1", 2, at(50)) // a later Have: the first still counts
	tt.arrived("d1", 1, at(60))   // not all of what was announced yet
	tt.arrived("d1", 2, at(150))
	if w := tt.wait(ceiling); w != 300*time.Millisecond {
		t.Fatalf("one arrival 150 ms after its announcement: wait %v, want 300ms", w)
	}
	tt.arrived("d2", 5, at(200))
	tt.announced("d2", 5, at(210)) // already here: not an announcement
	tt.announced("d2", 6, at(300))
	tt.arrived("d2", 6, at(310))
	if w := tt.wait(ceiling); w != 300*time.Millisecond {
		t.Fatalf("a quick arrival does not shorten the wait below the slowest: %v", w)
	}
	tt.announced("d3", 1, at(400))
	tt.grafted("d3")
	tt.arrived("d3", 1, at(1400))
	if w := tt.wait(ceiling); w != 300*time.Millisecond {
		t.Fatalf("an arrival that was asked for counted: wait %v", w)
	}
	tt.announced("d4", 1, at(2000))
	tt.arrived("d4", 1, at(2700))
	if w := tt.wait(ceiling); w != ceiling {
		t.Fatalf("a slow tree: wait %v, want the ceiling", w)
	}
	for i := range lagSamples { // the slow arrival leaves the window
		tt.announced("d5", uint64(i+1), at(3000+i*10))
		tt.arrived("d5", uint64(i+1), at(3000+i*10+5))
	}
	if w := tt.wait(ceiling); w != ceiling/5 {
		t.Fatalf("a quick room: wait %v, want the floor %v", w, ceiling/5)
	}
}
