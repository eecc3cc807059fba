package roles

import (
	"slices"
	"strconv"
	"strings"
)

// state is who holds which role after a causally closed set of events
// that took effect.
type state struct {
	l       *Log
	roles   map[MemberID]map[Role]bool
	removed map[MemberID]bool
	gone    map[string]bool     // laptops removed
	member  map[string]MemberID // laptop → member, where linked
}

// stateOf is the state after the events in set that took effect.
func (l *Log) stateOf(set []bool) *state {
	key := setKey(set, l.valid)
	l.mu.Lock()
	st, ok := l.cache[key]
	l.mu.Unlock()
	if ok {
		return st
	}
	st = &state{l: l, roles: map[MemberID]map[Role]bool{}, removed: map[MemberID]bool{}, gone: map[string]bool{}, member: map[string]MemberID{}}
	in := func(j int) bool { return set[j] && l.valid[j] }
	for m, r := range l.g.Granted { // held from the start: any revocation takes it
		if !slices.ContainsFunc(l.events, func(e *Event) bool {
			k := l.index[e.ID]
			return in(k) && e.Kind == KindRevoke && e.Member == m && e.Role == r
		}) {
			st.roles[m] = map[Role]bool{r: true}
		}
	}
	claims := map[string]MemberID{}
	for j, e := range l.events {
		if !in(j) {
			continue
		}
		switch e.Kind {
		case KindGrant:
			// A grant holds unless a revocation of the same role it did
			// not see took effect: the revocation wins.
			if !slices.ContainsFunc(l.events, func(r *Event) bool {
				k := l.index[r.ID]
				return in(k) && r.Kind == KindRevoke && r.Member == e.Member && r.Role == e.Role && !l.past[j][k]
			}) {
				if st.roles[e.Member] == nil {
					st.roles[e.Member] = map[Role]bool{}
				}
				st.roles[e.Member][e.Role] = true
			}
		case KindRemove:
			if e.Device != "" {
				st.gone[e.Device] = true
			} else {
				st.removed[e.Member] = true
			}
		case KindClaim:
			if _, ok := claims[e.Device]; !ok {
				claims[e.Device] = e.Member
			}
		}
	}
	for j, e := range l.events { // a laptop belongs to a member both said so
		if in(j) && e.Kind == KindLink && claims[e.Device] == e.Member {
			if _, ok := st.member[e.Device]; !ok {
				st.member[e.Device] = e.Member
			}
		}
	}
	l.mu.Lock()
	l.cache[key] = st
	l.mu.Unlock()
	return st
}

func setKey(set, valid []bool) string {
	var b strings.Builder
	for j := range set {
		if set[j] && valid[j] {
			b.WriteString(strconv.Itoa(j))
			b.WriteByte(',')
		}
	}
	return b.String()
}

// memberOf is the member laptop device belongs to.
func (st *state) memberOf(device string) MemberID {
	if m, ok := st.member[device]; ok {
		return m
	}
	if m, ok := st.l.g.Devices[device]; ok {
		return m
	}
	return MemberID(device)
}

// role is member m's highest role.
func (st *state) role(m MemberID) Role {
	switch {
	case st.removed[m]:
		return ""
	case st.l.founder[m] || st.roles[m][Secretariat]:
		return Secretariat
	case st.roles[m][Rapporteur]:
		return Rapporteur
	}
	return Delegate
}

// judge decides whether event i takes effect, given the current decisions
// on the others, and why not.
func (l *Log) judge(i int) (bool, string) {
	e := l.events[i]
	if f, ok := l.forked[e.ID.Device]; ok && e.ID.Seq >= f {
		return false, "equivocation: the laptop signed two operations at one number"
	}
	if e.Seen[e.ID.Device] != e.ID.Seq-1 || l.cyclic[e.ID] {
		return false, "malformed: its causal past does not follow its laptop's own"
	}
	st := l.stateOf(l.past[i])
	author := st.memberOf(e.ID.Device)
	if st.removed[author] || st.gone[e.ID.Device] {
		return false, "removed"
	}
	need, why := l.needs(e, author)
	if why != "" {
		return false, why
	}
	if !st.role(author).atLeast(need) {
		return false, "needs " + string(need)
	}
	// A revocation concurrent with it wins, as over anything its author
	// did; but not one by the member this very event revokes or removes:
	// mutual revocations both hold.
	concurrent := func(j int) bool { return l.concurrent(i, j) && !l.mutual(e, l.events[j]) }
	if j := l.lostConcurrently(st, author, e.ID.Device, need, concurrent); j >= 0 {
		return false, lossWhy(l.events[j])
	}
	return true, ""
}

// mutual reports whether r, by the member e revokes or removes, is a
// revocation or removal that e did not see and that did not see e.
func (l *Log) mutual(e, r *Event) bool {
	if (e.Kind != KindRevoke && e.Kind != KindRemove) || (r.Kind != KindRevoke && r.Kind != KindRemove) {
		return false
	}
	target := e.Member
	if e.Kind == KindRemove && e.Device != "" {
		return r.ID.Device == e.Device
	}
	return l.memberNow(r.ID.Device) == target
}

// needs is the role event e needs of its author, or why it can never
// take effect.
func (l *Log) needs(e *Event, author MemberID) (Role, string) {
	switch e.Kind {
	case KindGrant, KindRevoke:
		if e.Role != Rapporteur && e.Role != Secretariat {
			return "", "only rapporteur and secretariat are granted"
		}
		if e.Kind == KindRevoke && e.Role == Secretariat && l.founder[e.Member] {
			return "", "founders keep the secretariat"
		}
		return Secretariat, ""
	case KindRemove:
		if e.Device != "" {
			owner := l.memberNow(e.Device)
			if owner == author {
				return Delegate, "" // one's own laptop
			}
			if l.founder[owner] && !l.founder[author] {
				return "", "only a founder removes a founder's laptop"
			}
			return Secretariat, ""
		}
		if l.founder[e.Member] {
			return "", "founders cannot be removed"
		}
		return Secretariat, ""
	case KindLink:
		if e.Member == author {
			return Delegate, ""
		}
		return Secretariat, ""
	case KindClaim:
		if e.Device != e.ID.Device {
			return "", "a laptop claims only for itself"
		}
		return Delegate, ""
	}
	return "", "unknown role event " + string(e.Kind)
}

// memberNow is the member laptop device belongs to after every event.
func (l *Log) memberNow(device string) MemberID {
	if l.final != nil {
		return l.final.memberOf(device)
	}
	all := make([]bool, len(l.events))
	for j := range all {
		all[j] = true
	}
	return l.stateOf(all).memberOf(device)
}

// lostConcurrently returns the index of an event that took effect,
// concurrent with the one judged (per concurrent), which takes from
// author the role need (or removes the author or its laptop), or -1.
func (l *Log) lostConcurrently(st *state, author MemberID, device string, need Role, concurrent func(j int) bool) int {
	for j, r := range l.events {
		if !l.valid[j] || !concurrent(j) {
			continue
		}
		switch {
		case r.Kind == KindRemove && r.Device == "" && r.Member == author,
			r.Kind == KindRemove && r.Device == device:
			return j
		case r.Kind == KindRevoke && r.Member == author && need != Delegate && !st.holdsWithout(author, need, r.Role):
			return j
		}
	}
	return -1
}

// holdsWithout reports whether m still has need in st once role is taken.
func (st *state) holdsWithout(m MemberID, need, role Role) bool {
	if st.l.founder[m] {
		return true
	}
	for _, r := range []Role{Secretariat, Rapporteur} {
		if r != role && st.roles[m][r] && r.atLeast(need) {
			return true
		}
	}
	return false
}

func lossWhy(r *Event) string {
	if r.Kind == KindRemove {
		return "not applied: removed at the same time"
	}
	return "not applied: role revoked"
}

// atLeast reports whether r is need or above.
func (r Role) atLeast(need Role) bool {
	return r != "" && slices.Index(Roles, r) >= slices.Index(Roles, need)
}
