package roles

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// sim is a room of laptops writing role events and other operations,
// each holding what it wrote and what it synced: enough to build the
// causal pasts the rules judge by.
type sim struct {
	t      *testing.T
	g      Genesis
	seq    map[string]uint64
	held   map[string]map[string]uint64 // laptop → its version vector
	events []*Event
}

func newSim(t *testing.T, founders ...string) *sim {
	s := &sim{t: t, seq: map[string]uint64{}, held: map[string]map[string]uint64{}, g: Genesis{Devices: map[string]MemberID{}}}
	for _, f := range founders {
		s.g.Founders = append(s.g.Founders, MemberID(f))
		s.g.Devices[f] = MemberID(f)
	}
	return s
}

func (s *sim) vector(dev string) map[string]uint64 {
	if s.held[dev] == nil {
		s.held[dev] = map[string]uint64{}
	}
	return s.held[dev]
}

// next gives laptop dev's next sequence number, with what it had seen.
func (s *sim) next(dev string) (uint64, map[string]uint64) {
	v := s.vector(dev)
	seen := maps.Clone(v)
	s.seq[dev]++
	v[dev] = s.seq[dev]
	return s.seq[dev], seen
}

func (s *sim) event(dev string, k Kind, m string, r Role, device string) *Event {
	seq, seen := s.next(dev)
	e := &Event{ID: EventID{dev, seq}, Kind: k, Member: MemberID(m), Role: r, Device: device, Seen: seen}
	e.Digest = fmt.Sprint(e.Kind, e.Member, e.Role, e.Device)
	s.events = append(s.events, e)
	return e
}

func (s *sim) grant(by, m string, r Role) *Event  { return s.event(by, KindGrant, m, r, "") }
func (s *sim) revoke(by, m string, r Role) *Event { return s.event(by, KindRevoke, m, r, "") }
func (s *sim) remove(by, m string) *Event         { return s.event(by, KindRemove, m, "", "") }

// op is an ordinary operation by dev, naming the role events it holds.
func (s *sim) op(dev string) Op {
	seq, seen := s.next(dev)
	var held []*Event
	for _, e := range s.events {
		if e.ID.Seq <= seen[e.ID.Device] {
			held = append(held, e)
		}
	}
	return Op{Device: dev, Seq: seq, Auth: Resolve(s.g, held).Heads()}
}

// sync makes b hold everything a holds.
func (s *sim) sync(a, b string) {
	va, vb := s.vector(a), s.vector(b)
	for d, n := range va {
		vb[d] = max(vb[d], n)
	}
}

// log resolves the events, and checks that three replicas receiving them
// in random interleavings of the laptops' chains, deciding at each
// arrival, end with the same decisions.
func (s *sim) log() *Log {
	s.t.Helper()
	want := Resolve(s.g, s.events)
	rng := rand.New(rand.NewPCG(uint64(len(s.events)), 3))
	for r := range 3 {
		order := interleave(rng, s.events)
		got := Resolve(s.g, nil)
		for i := range order {
			got = Resolve(s.g, order[:i+1])
		}
		for _, e := range s.events {
			if w, g := outcome(want, e.ID), outcome(got, e.ID); w != g {
				s.t.Fatalf("replica %d decides %s otherwise: %+v, from scratch %+v", r, e.ID, g, w)
			}
		}
		if !equalMembers(want.Members(), got.Members()) {
			s.t.Fatalf("replica %d: members differ", r)
		}
	}
	return want
}

func outcome(l *Log, id EventID) Decision { d, _ := l.Outcome(id); return d }

func (s *sim) wantEvent(l *Log, e *Event, ok bool, why string) {
	s.t.Helper()
	d, found := l.Outcome(e.ID)
	if !found || d.OK != ok || (why != "" && d.Why != why) {
		s.t.Errorf("%s %s %s %s: %+v, want ok=%v %q", e.ID, e.Kind, e.Member, e.Role, d, ok, why)
	}
}

func (s *sim) wantOp(l *Log, o Op, a Action, ok bool, why string) {
	s.t.Helper()
	d := l.Allowed(o, a, "")
	if d.OK != ok || (why != "" && d.Why != why) {
		s.t.Errorf("op %s/%d %s: %+v, want ok=%v %q", o.Device, o.Seq, a, d, ok, why)
	}
}
