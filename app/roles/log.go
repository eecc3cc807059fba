package roles

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// MemberID names a member: a person, or a delegation's seat, with one
// laptop or several. A laptop no event links to a member is a member of
// its own, named by the laptop's id.
type MemberID string

// EventID addresses a role event: the laptop that signed it and its
// sequence number there (an operation's address).
type EventID struct {
	Device string
	Seq    uint64
}

func (id EventID) String() string { return fmt.Sprintf("%s/%d", id.Device, id.Seq) }

// Kind is what a role event does.
type Kind string

// The role events.
const (
	KindGrant  Kind = "grant"  // Member gets Role
	KindRevoke Kind = "revoke" // Member loses Role
	KindRemove Kind = "remove" // Member, or only the laptop Device, is shut out
	KindLink   Kind = "link"   // the laptop Device belongs to Member (said by Member or the secretariat)
	KindClaim  Kind = "claim"  // the laptop Device says it belongs to Member (said by that laptop)
)

// Event is one role event.
type Event struct {
	ID     EventID
	Kind   Kind
	Member MemberID
	Role   Role   // grant, revoke
	Device string // remove (one laptop), link, claim
	// Seen is its author's version vector when it signed: for each laptop,
	// the last of its operations the author held. It is the event's causal
	// past; Seen[ID.Device] is ID.Seq-1.
	Seen map[string]uint64
	// Digest identifies the event's content: two events at one ID with
	// different digests are an equivocation.
	Digest string
}

// Genesis is who founded the workspace: founders keep the secretariat
// whatever happens. Granted are roles held from the start that a
// revocation takes like any other: in a workspace from before roles, what
// its members could already do when it was founded.
type Genesis struct {
	// Founded: the workspace has roles from its creation, even before its
	// founder's laptop is known (nobody holds a role until then).
	Founded  bool
	Founders []MemberID
	Devices  map[string]MemberID // the founders' laptops
	Granted  map[MemberID]Role
}

// Log is a resolved set of role events: which took effect, and so who may
// do what, as of any causal past.
type Log struct {
	g       Genesis
	founder map[MemberID]bool
	events  []*Event // a causal order: each after every event in its past
	index   map[EventID]int
	past    [][]bool            // past[i][j]: events[j] is in events[i]'s causal past
	seen    []map[string]uint64 // events[i]'s Seen with its past's
	valid   []bool
	why     []string
	forked  map[string]uint64 // laptop → the first sequence number it signed twice
	cyclic  map[EventID]bool  // in a cycle of pasts: forged vectors
	final   *state            // after every event, once resolved

	// Caches, filled as the log is read, from any goroutine.
	mu         sync.Mutex
	cache      map[string]*state    // states after sets of events (stateOf)
	memo       map[memoKey]Decision // Allowed's decisions
	thresholds map[string][]uint64  // per laptop: the sequence numbers its decisions change at
}

// Open reports whether the workspace has no roles yet: no founders and no
// role events (a workspace from before roles), where everyone may do
// everything.
func (l *Log) Open() bool {
	return !l.g.Founded && len(l.g.Founders) == 0 && len(l.g.Granted) == 0 && len(l.events) == 0
}

// Resolve decides which of events took effect. The result depends on the
// set of events and on g alone.
func Resolve(g Genesis, events []*Event) *Log {
	l := &Log{g: g, founder: map[MemberID]bool{}, index: map[EventID]int{}, forked: map[string]uint64{},
		cyclic: map[EventID]bool{}, cache: map[string]*state{}, memo: map[memoKey]Decision{}, thresholds: map[string][]uint64{}}
	for _, f := range g.Founders {
		l.founder[f] = true
	}
	l.events = l.order(l.dedupe(events))
	n := len(l.events)
	for i, e := range l.events {
		l.index[e.ID] = i
	}
	l.closure()
	l.valid, l.why = make([]bool, n), make([]string, n)
	for range n + 2 { // a fixpoint; the bound only stops a pathological cycle, deterministically
		changed := false
		for i := range l.events {
			ok, why := l.judge(i)
			if ok != l.valid[i] || why != l.why[i] {
				l.valid[i], l.why[i], changed = ok, why, true
				l.mu.Lock()
				clear(l.cache)
				l.mu.Unlock()
			}
		}
		if !changed {
			break
		}
	}
	all := make([]bool, n)
	for j := range all {
		all[j] = true
	}
	l.final = l.stateOf(all)
	return l
}

// dedupe keeps one event per id; two different events at one id mark
// their laptop as forked from that sequence number.
func (l *Log) dedupe(events []*Event) []*Event {
	byID := map[EventID]*Event{}
	for _, e := range events {
		if o, ok := byID[e.ID]; ok {
			if o.Digest != e.Digest {
				if f, ok := l.forked[e.ID.Device]; !ok || e.ID.Seq < f {
					l.forked[e.ID.Device] = e.ID.Seq
				}
			}
			if e.Digest < o.Digest { // keep the same one everywhere
				byID[e.ID] = e
			}
			continue
		}
		byID[e.ID] = e
	}
	out := make([]*Event, 0, len(byID))
	for _, e := range byID {
		out = append(out, e)
	}
	return out
}

// order sorts events causally (Kahn's algorithm), the lowest id first
// among those ready; events in a cycle of pasts (forged vectors) come
// last and never take effect.
func (l *Log) order(events []*Event) []*Event {
	slices.SortFunc(events, func(a, b *Event) int { return compareID(a.ID, b.ID) })
	n := len(events)
	in := make([]int, n)
	next := make([][]int, n)
	for i, e := range events {
		for j, x := range events {
			if i != j && inSeen(x.ID, e.Seen) {
				in[i]++
				next[j] = append(next[j], i)
			}
		}
	}
	var out []*Event
	done := make([]bool, n)
	for len(out) < n {
		k := slices.IndexFunc(in, func(d int) bool { return d == 0 })
		for k >= 0 && done[k] {
			k = indexFrom(in, done, k+1)
		}
		if k < 0 {
			for i, e := range events { // a cycle: the rest, by id
				if !done[i] {
					out = append(out, e)
					done[i] = true
					l.cyclic[e.ID] = true
				}
			}
			break
		}
		done[k] = true
		out = append(out, events[k])
		for _, i := range next[k] {
			in[i]--
		}
	}
	return out
}

func indexFrom(in []int, done []bool, from int) int {
	for k := from; k < len(in); k++ {
		if in[k] == 0 && !done[k] {
			return k
		}
	}
	return -1
}

func compareID(a, b EventID) int {
	if c := strings.Compare(a.Device, b.Device); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

func inSeen(id EventID, seen map[string]uint64) bool { return id.Seq <= seen[id.Device] }

// closure computes each event's causal past among the events, and its
// version vector joined with its past's.
func (l *Log) closure() {
	n := len(l.events)
	l.past = make([][]bool, n)
	l.seen = make([]map[string]uint64, n)
	for i, e := range l.events {
		l.past[i] = make([]bool, n)
		l.seen[i] = map[string]uint64{}
		for d, s := range e.Seen {
			l.seen[i][d] = s
		}
		for j := range i { // only earlier events can be in its past
			if !inSeen(l.events[j].ID, e.Seen) {
				continue
			}
			l.past[i][j] = true
			for k := range j {
				if l.past[j][k] {
					l.past[i][k] = true
				}
			}
			for d, s := range l.seen[j] {
				l.seen[i][d] = max(l.seen[i][d], s)
			}
		}
	}
}

// concurrent reports whether events i and j did not see each other.
func (l *Log) concurrent(i, j int) bool { return i != j && !l.past[i][j] && !l.past[j][i] }
