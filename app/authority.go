package app

// Authority: a workspace's roles as its role operations decide them, and
// the fold of a record from the operations that may apply.

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app/roles"
)

// Authority is who may do what in a workspace, from its role operations.
// The zero of it (nil) is a workspace without roles: everything applies.
type Authority struct {
	log     *roles.Log
	founded bool
	ws      WorkspaceID
	ops     []*Op      // the role operations it was resolved from
	devices []DeviceID // the laptops known then
	// excluded are role operations left out, and why: their past names an
	// operation not held yet, or one other than the one held.
	excluded map[OpID]string
}

// NewAuthority resolves the role operations ops of workspace ws. devices
// are the laptops known, among which the founder's is found; excluded
// are operations of ops to leave out, and why (the store checks each
// one's past against what it holds).
func NewAuthority(ws WorkspaceID, ops []*Op, devices []DeviceID, excluded map[OpID]string) *Authority {
	all := ops
	ops = slices.DeleteFunc(slices.Clone(ops), func(o *Op) bool { return excluded[o.ID()] != "" })
	g := genesis(ws, ops, devices)
	var events []*roles.Event
	for _, o := range ops {
		if o.Type == OpRole && o.Role.Kind != RoleFound {
			events = append(events, roleEvent(o))
		}
	}
	a := &Authority{log: roles.Resolve(g, events), ws: ws, ops: all, devices: devices, excluded: excluded}
	_, a.founded = founderPrefix(ws)
	if !a.founded && len(g.Founders) > 0 {
		a.founded = true
	}
	return a
}

// genesis is who founded workspace ws: the laptop its id names (new
// workspaces), with the co-founders its first founding names; or, in a
// workspace from before roles, the author of the first founding (the
// lowest id among those that did not see another), with everyone whose
// operations it had seen keeping the secretariat they in effect had,
// until it is revoked.
func genesis(ws WorkspaceID, ops []*Op, devices []DeviceID) roles.Genesis {
	g := roles.Genesis{Devices: map[string]roles.MemberID{}}
	_, g.Founded = founderPrefix(ws)
	var founds []*Op
	for _, o := range ops {
		if o.Type == OpRole && o.Role.Kind == RoleFound {
			founds = append(founds, o)
		}
	}
	slices.SortFunc(founds, func(a, b *Op) int { return compareOpID(a.ID(), b.ID()) })
	var found *Op
	if prefix, ok := founderPrefix(ws); ok {
		i := slices.IndexFunc(devices, func(d DeviceID) bool { return strings.HasPrefix(string(d), prefix) })
		if i < 0 {
			return g // the founder's laptop is not known yet
		}
		f := devices[i]
		g.Founders = []roles.MemberID{roles.MemberID(f)}
		g.Devices[string(f)] = roles.MemberID(f)
		if j := slices.IndexFunc(founds, func(o *Op) bool { return o.Device == f }); j >= 0 {
			found = founds[j]
		}
	} else {
		for _, o := range founds {
			if !slices.ContainsFunc(founds, func(p *Op) bool { return p != o && seenIn(p.ID(), o.Role.Seen) }) {
				found = o // the first, by id, that saw no other
				break
			}
		}
		if found == nil {
			return g
		}
		g.Founders = []roles.MemberID{roles.MemberID(found.Device)}
		g.Devices[string(found.Device)] = roles.MemberID(found.Device)
		g.Granted = map[roles.MemberID]roles.Role{}
		for _, s := range found.Role.Seen {
			if s.Device != found.Device {
				g.Granted[roles.MemberID(s.Device)] = roles.Secretariat
			}
		}
	}
	if found != nil {
		for _, f := range found.Role.Founders {
			g.Founders = append(g.Founders, roles.MemberID(f))
		}
	}
	return g
}

func seenIn(id OpID, seen []OpID) bool {
	i := slices.IndexFunc(seen, func(s OpID) bool { return s.Device == id.Device })
	return i >= 0 && id.Seq <= seen[i].Seq
}

func compareOpID(a, b OpID) int {
	if c := strings.Compare(string(a.Device), string(b.Device)); c != 0 {
		return c
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// roleEvent is what the rules read of role operation o.
func roleEvent(o *Op) *roles.Event {
	c := o.Role
	seen := make(map[string]uint64, len(c.Seen))
	for _, s := range c.Seen {
		seen[string(s.Device)] = s.Seq
	}
	enc, _ := Marshal(c)
	h := sha256.Sum256(enc)
	return &roles.Event{ID: roles.EventID{Device: string(o.Device), Seq: o.Seq}, Kind: c.Kind, Member: roles.MemberID(c.Member),
		Role: c.Role, Device: string(c.Device), Seen: seen, Digest: hex.EncodeToString(h[:])}
}

// Open reports whether everything applies: a workspace from before roles
// that nobody founded yet.
func (a *Authority) Open() bool { return a == nil || (!a.founded && a.log.Open()) }

// Allowed decides whether operation o, doing act, applies; owner is the
// laptop that created the record it changes.
func (a *Authority) Allowed(o *Op, act roles.Action, owner DeviceID) roles.Decision {
	if a.Open() {
		return roles.Decision{OK: true}
	}
	auth := make([]roles.EventID, len(o.Auth))
	for i, h := range o.Auth {
		auth[i] = roles.EventID{Device: string(h.Device), Seq: h.Seq}
	}
	author, ownerM := a.log.MemberOf(string(o.Device)), a.log.MemberOf(string(owner))
	if act == roles.Settle && author == ownerM {
		act = roles.EditOwn // settling one's own text
	}
	return a.log.Allowed(roles.Op{Device: string(o.Device), Seq: o.Seq, Auth: auth}, act, ownerM)
}

// AllowedAll decides whether o applies: every action it needs allowed.
func (a *Authority) AllowedAll(o *Op, create *Op, owner DeviceID) roles.Decision {
	if a.Open() {
		return roles.Decision{OK: true}
	}
	for _, act := range ActionsOf(o, create) {
		if d := a.Allowed(o, act, owner); !d.OK {
			return d
		}
	}
	return roles.Decision{OK: true}
}

// Heads are the role operations a new operation names as seen.
func (a *Authority) Heads() []OpID {
	if a == nil {
		return nil
	}
	var out []OpID
	for _, h := range a.log.Heads() {
		out = append(out, OpID{Device: DeviceID(h.Device), Seq: h.Seq})
	}
	return out
}

// Log is the resolved role log.
func (a *Authority) Log() *roles.Log {
	if a == nil {
		return roles.Resolve(roles.Genesis{}, nil)
	}
	return a.log
}

// RoleOf is the role of the member laptop device belongs to.
func (a *Authority) RoleOf(device DeviceID) roles.Role {
	if a.Open() {
		return roles.Secretariat
	}
	return a.log.RoleOf(a.log.MemberOf(string(device)))
}

// ActionsOf is what operation o does, as far as permission goes, to the
// record create made (nil when o is the create): every action its fields
// need, all of which its author must be allowed (a rapporteur's merge
// that also rewrites the text needs the right to rewrite it too).
func ActionsOf(o *Op, create *Op) []roles.Action {
	kind := o.Kind
	if create != nil {
		kind = create.Kind
	}
	p := o.Patch
	switch o.Type {
	case OpCreate:
		switch {
		case kind == KindDraft || kind == KindRevision:
			return []roles.Action{roles.Revise}
		case kind == KindParagraph:
			return []roles.Action{roles.Decide} // a paragraph an accepted amendment adds
		}
		acts := []roles.Action{roles.Create}
		if p != nil && (len(p.AddMerged) > 0 || (kind == KindProposal && len(p.AddSources) > 0)) {
			acts = append(acts, roles.Merge) // a consolidated proposal
		}
		if p != nil && p.Status != nil && *p.Status != InitialStatus(kind) && *p.Status != StatusSubmitted {
			acts = append(acts, roles.Decide) // created already decided
		}
		return acts
	case OpWithdraw:
		if kind == KindProposal && create != nil && create.Patch != nil && len(create.Patch.AddSources) > 0 {
			return []roles.Action{roles.Merge} // a consolidated proposal, unmerged
		}
		return []roles.Action{roles.EditOwn}
	}
	if p == nil {
		return []roles.Action{roles.EditOwn}
	}
	var acts []roles.Action
	if len(p.AddSupport)+len(p.DelSupport)+len(p.AddOppose)+len(p.DelOppose) > 0 {
		acts = append(acts, roles.Support)
	}
	if len(p.AddMerged)+len(p.DelMerged) > 0 {
		acts = append(acts, roles.Merge)
	}
	q := *p // what is left once stances, merges and status are counted
	q.AddSupport, q.DelSupport, q.AddOppose, q.DelOppose, q.AddMerged, q.DelMerged, q.Status = nil, nil, nil, nil, nil, nil, nil
	switch kind {
	case KindDraft, KindRevision:
		return append(acts, roles.Revise)
	case KindParagraph:
		if p.Base != nil || p.AltOf != nil {
			acts = append(acts, roles.Revise) // renumbered at a revision
		}
		return append(acts, roles.Decide)
	}
	if p.Status != nil {
		acts = append(acts, statusAction(kind, *p.Status))
	}
	if !q.IsEmpty() {
		if len(o.Base) > 1 && q.Body != nil {
			acts = append(acts, roles.Settle) // an edit that saw competing versions; its owner's own
		} else {
			acts = append(acts, roles.EditOwn)
		}
	}
	if len(acts) == 0 {
		acts = append(acts, roles.EditOwn)
	}
	return acts
}

// statusAction is what setting a record of kind to status needs: an
// author withdraws or submits what they wrote; a decision is a
// rapporteur's.
func statusAction(kind Kind, st Status) roles.Action {
	switch st {
	case StatusWithdrawn, StatusDraft, StatusSubmitted:
		return roles.EditOwn
	case StatusMerged:
		return roles.Merge
	}
	return roles.Decide
}

// recordCreate is the create that makes the record of ops (in apply
// order): the first by its creator's laptop when the record's id names it
// and that create has arrived, since another laptop's create, even
// ordered first (an earlier clock), is then kept and never applied, nor
// makes its author the owner; forged tells those. Otherwise the first
// create. Nil when no create has arrived.
func recordCreate(sorted []*Op) (create *Op, forged func(*Op) bool) {
	ci := slices.IndexFunc(sorted, func(o *Op) bool { return o.Type == OpCreate })
	if ci < 0 {
		return nil, func(*Op) bool { return false }
	}
	create = sorted[ci]
	prefix, named := creatorPrefix(create.Record)
	byCreator := func(o *Op) bool { return o.Type == OpCreate && strings.HasPrefix(string(o.Device), prefix) }
	i := slices.IndexFunc(sorted, byCreator)
	if !named || i < 0 {
		// One create, or none by the laptop the id may name: the first
		// wins, as ever. (A random id reads as naming a laptop once in
		// 65,536; it must not hide the record its only create makes.)
		return create, func(*Op) bool { return false }
	}
	return sorted[i], func(o *Op) bool { return o.Type == OpCreate && !byCreator(o) }
}

// FoldAuthorized folds a record from those of its operations that may
// apply, and lists the others in NotApplied. A record whose create may not
// apply is folded withdrawn, so that it leaves the lists and its history
// says why.
func FoldAuthorized(ops []*Op, a *Authority) *Record {
	if a.Open() {
		return Fold(ops)
	}
	sorted := applyOrder(ops)
	ci := slices.IndexFunc(sorted, func(o *Op) bool { return o.Type == OpCreate })
	if ci < 0 {
		return nil
	}
	create, forged := recordCreate(sorted)
	kept := make([]*Op, 0, len(sorted))
	var not []NotApplied
	createOK := true
	for _, o := range sorted {
		c := create
		if o == create {
			c = nil
		}
		if forged(o) {
			not = append(not, NotApplied{Op: o.ID(), Why: "not applied: the record's id names another laptop as its creator"})
			if o == create { // no create of its creator's yet
				createOK = false
				kept = append(kept, o)
			}
			continue
		}
		if d := a.AllowedAll(o, c, create.Device); !d.OK {
			not = append(not, NotApplied{Op: o.ID(), Why: d.Why})
			if o == create {
				createOK = false
				kept = append(kept, o)
			}
			continue
		}
		kept = append(kept, o)
	}
	r := Fold(kept)
	if r == nil {
		return nil
	}
	r.NotApplied = not
	if !createOK {
		r.Status = StatusWithdrawn
	}
	return r
}

// IsWaiting reports whether why says an operation waits for role
// operations not yet received.
func IsWaiting(why string) bool { return strings.HasPrefix(why, "waiting for ") }

// AffectedBy lists the laptops whose operations may be judged otherwise
// under next than under prev: those of the members a new role operation,
// or one decided otherwise, concerns (its author's and its target's), and
// the founder's; all of them when one of the two is open and the other is
// not.
func AffectedBy(prev, next *Authority, devices []DeviceID) (all bool, out []DeviceID) {
	if prev.Open() != next.Open() {
		return true, nil
	}
	if next == nil {
		return false, nil
	}
	members := map[roles.MemberID]bool{}
	explicit := map[DeviceID]bool{}
	was := map[OpID]bool{}
	if prev != nil {
		for _, o := range prev.ops {
			was[o.ID()] = true
		}
	}
	for _, o := range next.ops {
		id := roles.EventID{Device: string(o.Device), Seq: o.Seq}
		now, _ := next.log.Outcome(id)
		before, _ := prev.Log().Outcome(id)
		if was[o.ID()] && now == before {
			continue
		}
		explicit[o.Device] = true
		members[next.log.MemberOf(string(o.Device))] = true
		if c := o.Role; c.Member != "" {
			members[roles.MemberID(c.Member)] = true
		}
		if c := o.Role; c.Device != "" {
			explicit[c.Device] = true
		}
	}
	for _, d := range devices {
		m := next.log.MemberOf(string(d))
		if members[m] || members[prev.Log().MemberOf(string(d))] || explicit[d] || next.RoleOf(d) != prev.RoleOf(d) {
			out = append(out, d)
		}
	}
	return false, out
}

// SeenHashes lists what role operation o's past names, with the hash each
// named operation must have.
func SeenHashes(o *Op) (ids []OpID, hashes [][]byte) {
	if o.Role == nil {
		return nil, nil
	}
	return o.Role.Seen, o.Role.SeenHash
}
