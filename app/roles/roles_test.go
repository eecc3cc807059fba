package roles

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTable(t *testing.T) {
	for _, c := range []struct {
		r  Role
		a  Action
		ok bool
	}{
		{Delegate, Create, true}, {Delegate, EditOwn, true}, {Delegate, Merge, false}, {Delegate, Decide, false},
		{Rapporteur, Merge, true}, {Rapporteur, Settle, true}, {Rapporteur, Decide, true}, {Rapporteur, Revise, false}, {Rapporteur, Grant, false},
		{Secretariat, Revise, true}, {Secretariat, Grant, true}, {Secretariat, Remove, true}, {Secretariat, Create, true},
	} {
		if c.r.May(c.a) != c.ok {
			t.Errorf("%s may %s: %v", c.r, c.a, !c.ok)
		}
	}
	if Needed(Merge) != Rapporteur || Needed(Support) != Delegate || Needed(Grant) != Secretariat {
		t.Error("Needed")
	}
}

// TestOpenWorkspace: with no founders and no role events (a workspace
// from before roles), everything applies.
func TestOpenWorkspace(t *testing.T) {
	s := newSim(t)
	o := s.op("d")
	s.wantOp(s.log(), o, Revise, true, "")
}

// TestGrantThenMerge: a rapporteur merges once granted; a delegate may not.
func TestGrantThenMerge(t *testing.T) {
	s := newSim(t, "F")
	before := s.op("R")
	s.grant("F", "R", Rapporteur)
	s.sync("F", "R")
	after := s.op("R")
	d := s.op("D")
	l := s.log()
	s.wantOp(l, before, Merge, false, "needs rapporteur")
	s.wantOp(l, after, Merge, true, "")
	s.wantOp(l, d, Merge, false, "needs rapporteur")
	s.wantOp(l, d, Create, true, "")
	if l.RoleOf("R") != Rapporteur || l.RoleOf("D") != Delegate || l.RoleOf("F") != Secretariat {
		t.Errorf("roles %s %s %s", l.RoleOf("R"), l.RoleOf("D"), l.RoleOf("F"))
	}
}

// TestRevokedRapporteurKeepsMerging: what the rapporteur merged before the
// revocation saw it stays; what they merge without having seen the
// revocation is not applied, and neither is what they merge after it.
func TestRevokedRapporteurKeepsMerging(t *testing.T) {
	s := newSim(t, "F")
	s.grant("F", "R", Rapporteur)
	s.sync("F", "R")
	seen := s.op("R")
	s.sync("R", "F")
	s.revoke("F", "R", Rapporteur)
	ignoring := []Op{s.op("R"), s.op("R")}
	s.sync("F", "R")
	after := s.op("R")
	lying := s.op("R")
	lying.Auth = nil // naming no role event does not escape the revocation
	l := s.log()
	s.wantOp(l, seen, Merge, true, "")
	for _, o := range ignoring {
		s.wantOp(l, o, Merge, false, "not applied: role revoked")
		s.wantOp(l, o, Create, true, "")
	}
	s.wantOp(l, after, Merge, false, "needs rapporteur")
	s.wantOp(l, lying, Merge, false, "")
}

// TestConcurrentGrantAndRevoke: the revocation wins over a grant it did
// not see; a grant that saw the revocation re-grants.
func TestConcurrentGrantAndRevoke(t *testing.T) {
	s := newSim(t, "F", "G")
	s.grant("F", "R", Rapporteur)
	s.sync("F", "G")
	s.revoke("G", "R", Rapporteur)
	s.grant("F", "R", Rapporteur) // again, not having seen the revocation
	s.sync("F", "R")
	s.sync("G", "R")
	o := s.op("R")
	l := s.log()
	if l.RoleOf("R") != Delegate {
		t.Errorf("a grant concurrent with a revocation held: %s", l.RoleOf("R"))
	}
	s.wantOp(l, o, Merge, false, "needs rapporteur")
	s.sync("G", "F")
	s.grant("F", "R", Rapporteur) // having seen it
	if l := s.log(); l.RoleOf("R") != Rapporteur {
		t.Errorf("a grant after the revocation: %s", l.RoleOf("R"))
	}
}

// TestMutualRevocation: two of the secretariat revoking each other at once
// both lose it, and what either granted concurrently is not applied.
func TestMutualRevocation(t *testing.T) {
	s := newSim(t, "F")
	s.grant("F", "A", Secretariat)
	s.grant("F", "B", Secretariat)
	s.sync("F", "A")
	s.sync("F", "B")
	ra := s.revoke("A", "B", Secretariat)
	rb := s.revoke("B", "A", Secretariat)
	ga := s.grant("A", "X", Rapporteur)
	l := s.log()
	s.wantEvent(l, ra, true, "")
	s.wantEvent(l, rb, true, "")
	s.wantEvent(l, ga, false, "not applied: role revoked")
	if l.RoleOf("A") != Delegate || l.RoleOf("B") != Delegate || l.RoleOf("X") != Delegate || l.RoleOf("F") != Secretariat {
		t.Errorf("after mutual revocation: A %s, B %s, X %s, F %s", l.RoleOf("A"), l.RoleOf("B"), l.RoleOf("X"), l.RoleOf("F"))
	}
}

// TestSelfRevocationAndTheLastSecretariat: a member may give up a role;
// a founder cannot, nor be removed, so a secretariat always remains.
func TestSelfRevocationAndTheLastSecretariat(t *testing.T) {
	s := newSim(t, "F")
	s.grant("F", "S", Secretariat)
	s.sync("F", "S")
	self := s.revoke("S", "S", Secretariat)
	after := s.grant("S", "X", Rapporteur)
	founder := s.revoke("F", "F", Secretariat)
	s.sync("F", "S")
	removeF := s.remove("S", "F")
	l := s.log()
	s.wantEvent(l, self, true, "")
	s.wantEvent(l, after, false, "needs secretariat")
	s.wantEvent(l, founder, false, "founders keep the secretariat")
	s.wantEvent(l, removeF, false, "founders cannot be removed")
	if l.RoleOf("F") != Secretariat {
		t.Error("the founder lost the secretariat")
	}
}

// TestTransitive: a grant by someone whose role was revoked concurrently
// is not applied, and neither is what its grantee did with it.
func TestTransitive(t *testing.T) {
	s := newSim(t, "F")
	s.grant("F", "S", Secretariat)
	s.sync("F", "S")
	s.revoke("F", "S", Secretariat)
	g := s.grant("S", "R", Rapporteur)
	s.sync("S", "R")
	o := s.op("R")
	l := s.log()
	s.wantEvent(l, g, false, "not applied: role revoked")
	s.wantOp(l, o, Merge, false, "needs rapporteur")
}

// TestRemoval: a removed member's laptops have nothing applied from the
// removal on, nor what they did concurrently; another member's earlier
// work stays.
func TestRemoval(t *testing.T) {
	s := newSim(t, "F")
	early := s.op("M")
	s.sync("M", "F")
	rm := s.remove("F", "M")
	concurrent := s.op("M")
	s.sync("F", "M")
	later := s.op("M")
	l := s.log()
	s.wantEvent(l, rm, true, "")
	s.wantOp(l, early, Create, true, "")
	s.wantOp(l, concurrent, Create, false, "not applied: removed at the same time")
	s.wantOp(l, later, Create, false, "removed")
	if !l.Removed("M") {
		t.Error("the laptop is not shut out")
	}
}

// TestLinkedLaptop: a second laptop counts as its member's once both said
// so; a laptop cannot take another member's role by claiming it alone.
func TestLinkedLaptop(t *testing.T) {
	s := newSim(t, "F")
	s.grant("F", "R", Rapporteur)
	s.event("R2", KindClaim, "R", "", "R2")
	s.event("X", KindClaim, "F", "", "X") // claims the founder: nobody links it
	s.sync("F", "R")
	s.sync("R2", "R")
	s.event("R", KindLink, "R", "", "R2")
	s.sync("R", "R2")
	o := s.op("R2")
	x := s.op("X")
	l := s.log()
	s.wantOp(l, o, Merge, true, "")
	s.wantOp(l, x, Revise, false, "needs secretariat")
	if l.MemberOf("R2") != "R" || l.MemberOf("X") != "X" {
		t.Errorf("R2 is %s's, X is %s's", l.MemberOf("R2"), l.MemberOf("X"))
	}
}

// TestMissingPast: an event judged before a role event in its past has
// arrived is judged again when it arrives; an operation naming a role
// event not received waits.
func TestMissingPast(t *testing.T) {
	s := newSim(t, "F")
	g := s.grant("F", "S", Secretariat)
	s.sync("F", "S")
	h := s.grant("S", "R", Rapporteur)
	s.sync("S", "R")
	o := s.op("R")
	without := Resolve(s.g, []*Event{h})
	s.wantEvent(without, h, false, "needs secretariat")
	if d := without.Allowed(o, Merge, ""); d.OK || d.Why != "waiting for "+g.ID.String() && d.Why != "needs rapporteur" {
		t.Errorf("an operation whose past is missing: %+v", d)
	}
	s.wantEvent(s.log(), h, true, "")
	s.wantOp(s.log(), o, Merge, true, "")
}

// TestEquivocation: a laptop that signs two different events at one
// number has nothing applied from that number on, wherever it arrives.
func TestEquivocation(t *testing.T) {
	s := newSim(t, "F")
	s.grant("F", "S", Secretariat)
	s.sync("F", "S")
	ok := s.grant("S", "A", Rapporteur)
	fork := s.grant("S", "B", Rapporteur)
	twin := *fork
	twin.Member, twin.Digest = "C", "grantCrapporteur"
	o := s.op("S")
	l := Resolve(s.g, append(slices.Clone(s.events), &twin))
	s.wantEvent(l, ok, true, "")
	s.wantEvent(l, fork, false, "")
	s.wantOp(l, o, Create, false, "")
	if l.RoleOf("B") != Delegate || l.RoleOf("C") != Delegate || l.RoleOf("A") != Rapporteur {
		t.Errorf("after the fork: A %s, B %s, C %s", l.RoleOf("A"), l.RoleOf("B"), l.RoleOf("C"))
	}
}

// TestForgedPast: events that name each other in their pasts (forged
// vectors) never take effect, and nothing gets stuck.
func TestForgedPast(t *testing.T) {
	s := newSim(t, "F")
	a := &Event{ID: EventID{"F", 1}, Kind: KindGrant, Member: "A", Role: Rapporteur, Seen: map[string]uint64{"G": 1}, Digest: "a"}
	b := &Event{ID: EventID{"G", 1}, Kind: KindGrant, Member: "B", Role: Rapporteur, Seen: map[string]uint64{"F": 1}, Digest: "b"}
	l := Resolve(s.g, []*Event{a, b})
	s.wantEvent(l, a, false, "")
	s.wantEvent(l, b, false, "")
}

// TestArrivalOrder: random rooms of five laptops granting, revoking,
// removing and syncing at random; three replicas receive the events in
// random interleavings of each laptop's chain, deciding after each
// arrival; every replica ends with the decisions made from scratch, on
// the events and on the operations.
func TestArrivalOrder(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 21))
		s := newSim(t, "L0")
		devs := []string{"L0", "L1", "L2", "L3", "L4"}
		var ops []Op
		for range 40 {
			a, b := devs[rng.IntN(5)], devs[rng.IntN(5)]
			role := []Role{Rapporteur, Secretariat}[rng.IntN(2)]
			switch rng.IntN(7) {
			case 0, 1:
				s.grant(a, b, role)
			case 2:
				s.revoke(a, b, role)
			case 3:
				if rng.IntN(4) == 0 {
					s.remove(a, b)
				}
			case 4:
				ops = append(ops, s.op(a))
			default:
				s.sync(a, b)
			}
		}
		want := s.log()
		for r := range 3 {
			order := interleave(rng, s.events)
			var got *Log
			for i := range order {
				got = Resolve(s.g, order[:i+1]) // decided at each arrival: never stuck
			}
			if got == nil {
				got = Resolve(s.g, nil)
			}
			for _, e := range s.events {
				w, _ := want.Outcome(e.ID)
				g, _ := got.Outcome(e.ID)
				if w != g {
					t.Fatalf("seed %d replica %d: %s %s %s: %+v, from scratch %+v", seed, r, e.ID, e.Kind, e.Member, g, w)
				}
			}
			for _, o := range ops {
				for _, a := range []Action{Create, Merge, Revise} {
					if m, w := want.Allowed(o, a, ""), want.allowed(o, a, ""); m != w {
						t.Fatalf("seed %d: op %s/%d %s: remembered %+v, judged %+v", seed, o.Device, o.Seq, a, m, w)
					}
					if w, g := want.Allowed(o, a, ""), got.Allowed(o, a, ""); w != g {
						t.Fatalf("seed %d replica %d: op %s/%d %s: %+v, from scratch %+v", seed, r, o.Device, o.Seq, a, g, w)
					}
				}
			}
			if !equalMembers(want.Members(), got.Members()) {
				t.Fatalf("seed %d replica %d: members differ", seed, r)
			}
		}
	}
}

// interleave is a random arrival order: each laptop's events in its own
// order, the laptops interleaved at random.
func interleave(rng *rand.Rand, events []*Event) []*Event {
	by := map[string][]*Event{}
	var devs []string
	for _, e := range events {
		if by[e.ID.Device] == nil {
			devs = append(devs, e.ID.Device)
		}
		by[e.ID.Device] = append(by[e.ID.Device], e)
	}
	var out []*Event
	for len(out) < len(events) {
		d := devs[rng.IntN(len(devs))]
		if len(by[d]) > 0 {
			out = append(out, by[d][0])
			by[d] = by[d][1:]
		}
	}
	return out
}

func equalMembers(a, b []Member) bool {
	return slices.EqualFunc(a, b, func(x, y Member) bool {
		return x.ID == y.ID && x.Role == y.Role && x.Removed == y.Removed && slices.Equal(x.Devices, y.Devices) && slices.Equal(x.Gone, y.Gone)
	})
}

// TestGranted: roles held from the start are taken by a revocation.
func TestGranted(t *testing.T) {
	s := newSim(t, "F")
	s.g.Granted = map[MemberID]Role{"A": Secretariat, "B": Secretariat}
	before := s.op("A")
	s.revoke("F", "A", Secretariat)
	s.sync("F", "A")
	after := s.op("A")
	l := s.log()
	s.wantOp(l, before, Revise, false, "not applied: role revoked")
	s.wantOp(l, after, Revise, false, "needs secretariat")
	if l.RoleOf("B") != Secretariat || l.RoleOf("A") != Delegate {
		t.Errorf("A %s, B %s", l.RoleOf("A"), l.RoleOf("B"))
	}
}

// TestRevokedSecretariatCannotRevoke: a member of the secretariat revoked
// meanwhile (or who leaves the revocation out of what it says it saw)
// cannot revoke, grant or remove concurrently with it; nor can anyone but
// a founder remove a founder's laptop.
func TestRevokedSecretariatCannotRevoke(t *testing.T) {
	s := newSim(t, "F")
	s.grant("F", "S", Secretariat)
	s.grant("F", "R", Rapporteur)
	s.sync("F", "S")
	s.revoke("F", "S", Secretariat)
	rv := s.revoke("S", "R", Rapporteur)
	rm := s.event("S", KindRemove, "", "", "F")
	l := s.log()
	s.wantEvent(l, rv, false, "not applied: role revoked")
	s.wantEvent(l, rm, false, "only a founder removes a founder's laptop")
	if l.RoleOf("R") != Rapporteur || l.Removed("F") {
		t.Errorf("R %s, F removed %v", l.RoleOf("R"), l.Removed("F"))
	}
}

// TestFoundedBeforeTheFounderIsKnown: a founded workspace whose founder's
// laptop has not arrived yet is not open: nobody holds a role until then.
func TestFoundedBeforeTheFounderIsKnown(t *testing.T) {
	s := newSim(t)
	s.g.Founded = true
	o := s.op("D")
	l := s.log()
	s.wantOp(l, o, Revise, false, "needs secretariat")
	s.wantOp(l, o, Create, true, "")
}
