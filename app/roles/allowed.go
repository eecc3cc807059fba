package roles

import (
	"slices"
)

// Op is what Allowed needs of an operation: its address and the role
// events its author had seen (the heads of the role log then; the
// author's own earlier role events are in its past in any case).
type Op struct {
	Device string
	Seq    uint64
	Auth   []EventID
}

// Decision is whether an operation applies, and if not, why.
type Decision struct {
	OK  bool
	Why string // "needs rapporteur", "not applied: role revoked", "removed", "waiting for …"
}

// Allowed decides whether op, doing a, applies. owner is the member who
// created the record it changes (EditOwn by anyone else is EditAny).
// The operation is judged against the role events in its past; a
// revocation or removal of its author that took effect and that neither
// saw the other wins. In an open workspace everything applies.
func (l *Log) Allowed(op Op, a Action, owner MemberID) Decision {
	if l.Open() {
		return Decision{OK: true}
	}
	// The decision depends on op.Seq only through comparisons with a few
	// thresholds (its laptop's role events, and how much of its laptop
	// each role event had seen), so operations between the same
	// thresholds, naming the same heads, share it: a first sync judges
	// its 100,000 operations with a few hundred decisions.
	key := memoKey{device: op.Device, bucket: l.bucket(op.Device, op.Seq), heads: headsHash(op.Auth), act: a, owner: owner}
	l.mu.Lock()
	d, ok := l.memo[key]
	l.mu.Unlock()
	if ok {
		return d
	}
	d = l.allowed(op, a, owner)
	l.mu.Lock()
	l.memo[key] = d
	l.mu.Unlock()
	return d
}

// memoKey is what Allowed's decision depends on.
type memoKey struct {
	device string
	bucket int
	heads  uint64
	act    Action
	owner  MemberID
}

// headsHash identifies a list of heads (FNV-1a).
func headsHash(heads []EventID) uint64 {
	h := uint64(14695981039346656037)
	for _, e := range heads {
		for i := 0; i < len(e.Device); i++ {
			h = (h ^ uint64(e.Device[i])) * 1099511628211
		}
		for i := range 8 {
			h = (h ^ uint64(byte(e.Seq>>(8*i)))) * 1099511628211
		}
	}
	return h
}

// bucket is how many of laptop device's thresholds seq is above.
func (l *Log) bucket(device string, seq uint64) int {
	l.mu.Lock()
	t, ok := l.thresholds[device]
	if !ok {
		for j, e := range l.events {
			if e.ID.Device == device {
				t = append(t, e.ID.Seq)
			}
			if s, ok := l.seen[j][device]; ok {
				t = append(t, s)
			}
		}
		if f, ok := l.forked[device]; ok {
			t = append(t, f-1) // from f on, nothing applies
		}
		slices.Sort(t)
		t = slices.Compact(t)
		l.thresholds[device] = t
	}
	l.mu.Unlock()
	n, _ := slices.BinarySearch(t, seq) // thresholds below seq
	return n
}

// allowed is Allowed without its memo.
func (l *Log) allowed(op Op, a Action, owner MemberID) Decision {
	if f, ok := l.forked[op.Device]; ok && op.Seq >= f {
		return Decision{Why: "not applied: the laptop signed two operations at one number"}
	}
	set := make([]bool, len(l.events))
	for j, e := range l.events {
		if e.ID.Device == op.Device && e.ID.Seq < op.Seq {
			set[j] = true
		}
	}
	for _, h := range op.Auth {
		j, ok := l.index[h]
		if !ok {
			return Decision{Why: "waiting for " + h.String()}
		}
		set[j] = true
		for k, in := range l.past[j] {
			set[k] = set[k] || in
		}
	}
	st := l.stateOf(set)
	author := st.memberOf(op.Device)
	if st.removed[author] || st.gone[op.Device] {
		return Decision{Why: "removed"}
	}
	if a == EditOwn && owner != "" && owner != author {
		a = EditAny
	}
	need := Needed(a)
	if !st.role(author).atLeast(need) {
		return Decision{Why: "needs " + string(need)}
	}
	saw := func(j int) bool { // whether event j had seen op
		return op.Seq <= l.seen[j][op.Device]
	}
	if j := l.lostConcurrently(st, author, op.Device, need, func(j int) bool { return !set[j] && !saw(j) }); j >= 0 {
		return Decision{Why: lossWhy(l.events[j])}
	}
	return Decision{OK: true}
}

// Heads are the role events no other one has in its past: what a new
// operation names as the role events its author had seen.
func (l *Log) Heads() []EventID {
	var out []EventID
	for i, e := range l.events {
		if !slices.ContainsFunc(l.past, func(p []bool) bool { return p[i] }) {
			out = append(out, e.ID)
		}
	}
	return out
}

// Member is a member as every role event leaves them.
type Member struct {
	ID      MemberID
	Role    Role // "" once removed
	Founder bool
	Removed bool
	Devices []string // its laptops that were linked or founded
	Gone    []string // its laptops removed
}

// Members lists the members the role events name, with their roles.
// Laptops no event names are members of their own, delegates, and not
// listed.
func (l *Log) Members() []Member {
	st := l.final
	byID := map[MemberID]*Member{}
	get := func(m MemberID) *Member {
		if byID[m] == nil {
			byID[m] = &Member{ID: m, Founder: l.founder[m], Role: st.role(m), Removed: st.removed[m]}
		}
		return byID[m]
	}
	for _, f := range l.g.Founders {
		get(f)
	}
	for d, m := range l.g.Devices {
		get(m).Devices = append(get(m).Devices, d)
	}
	for d, m := range st.member {
		get(m).Devices = append(get(m).Devices, d)
	}
	for j, e := range l.events {
		if !l.valid[j] {
			continue
		}
		switch e.Kind {
		case KindGrant, KindRevoke:
			get(e.Member)
		case KindRemove:
			if e.Device != "" {
				m := get(st.memberOf(e.Device))
				m.Gone = append(m.Gone, e.Device)
			} else {
				get(e.Member)
			}
		}
	}
	out := make([]Member, 0, len(byID))
	for _, m := range byID {
		slices.Sort(m.Devices)
		m.Devices = slices.Compact(m.Devices)
		slices.Sort(m.Gone)
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Member) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

// RoleOf is member m's role after every event ("" once removed).
func (l *Log) RoleOf(m MemberID) Role { return l.final.role(m) }

// MemberOf is the member laptop device belongs to after every event.
func (l *Log) MemberOf(device string) MemberID { return l.memberNow(device) }

// Removed reports whether laptop device is shut out: removed itself, or
// its member removed.
func (l *Log) Removed(device string) bool {
	return l.final.gone[device] || l.final.removed[l.final.memberOf(device)]
}

// Outcome is whether role event id took effect, and if not, why.
func (l *Log) Outcome(id EventID) (Decision, bool) {
	j, ok := l.index[id]
	if !ok {
		return Decision{}, false
	}
	return Decision{OK: l.valid[j], Why: l.why[j]}, true
}
