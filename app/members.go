package app

// Members and roles as a person uses them: who is in the workspace with
// which role, on which laptops; granting, revoking and removing, refused
// before anything is written when the rules would not apply it.

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app/roles"
)

// Member is a member of the workspace and what they may do.
type Member struct {
	ID      string
	Role    roles.Role // "" once removed
	Founder bool
	Removed bool
	Devices []Laptop
}

// Laptop is one of a member's laptops.
type Laptop struct {
	ID      DeviceID
	Name    string
	Removed bool
	This    bool // the laptop this service runs on
}

// Members lists the workspace's members: those the role operations name
// and every laptop known (a laptop nobody linked is a member of its own,
// a delegate), founders first, then by role and name.
func (s *Service) Members() ([]Member, error) {
	if err := s.readyRead("members"); err != nil {
		return nil, err
	}
	a := s.store.Authority()
	names, err := s.laptopNames()
	if err != nil {
		return nil, err
	}
	log := a.Log()
	byID := map[string]*Member{}
	for _, m := range log.Members() {
		byID[string(m.ID)] = &Member{ID: string(m.ID), Role: m.Role, Founder: m.Founder, Removed: m.Removed}
	}
	this := s.Device()
	for dev, name := range names {
		mid := string(log.MemberOf(string(dev)))
		m := byID[mid]
		if m == nil {
			m = &Member{ID: mid, Role: a.RoleOf(dev)}
			byID[mid] = m
		}
		m.Devices = append(m.Devices, Laptop{ID: dev, Name: name, Removed: log.Removed(string(dev)), This: dev == this})
	}
	out := make([]Member, 0, len(byID))
	for _, m := range byID {
		slices.SortFunc(m.Devices, func(a, b Laptop) int { return strings.Compare(string(a.ID), string(b.ID)) })
		out = append(out, *m)
	}
	rank := func(m Member) int {
		if m.Founder {
			return 0
		}
		return 4 - slices.Index(roles.Roles, m.Role)
	}
	slices.SortFunc(out, func(a, b Member) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a.Name(), b.Name())
	})
	return out, nil
}

// Name is how a member is shown: their laptops' names, or their id.
func (m Member) Name() string {
	var names []string
	for _, d := range m.Devices {
		if d.Name != "" && !slices.Contains(names, d.Name) {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return m.ID
	}
	return strings.Join(names, ", ")
}

// laptopNames reads every known laptop's name from its announcement.
func (s *Service) laptopNames() (map[DeviceID]string, error) {
	r, err := s.replica()
	if err != nil {
		return nil, err
	}
	v, err := r.Vector()
	if err != nil {
		return nil, err
	}
	out := make(map[DeviceID]string, len(v))
	for dev := range v {
		encs, err := opsAfter(r, dev, 0, 1, 1<<20)
		if err != nil {
			return nil, err
		}
		out[dev] = ""
		if len(encs) == 1 {
			if o, err := DecodeOp(encs[0]); err == nil && o.Type == OpDevice {
				out[dev] = o.Name
			}
		}
	}
	return out, nil
}

// Whoami is this laptop's member.
func (s *Service) Whoami() (Member, error) {
	ms, err := s.Members()
	if err != nil {
		return Member{}, err
	}
	dev := s.Device()
	for _, m := range ms {
		if slices.ContainsFunc(m.Devices, func(l Laptop) bool { return l.ID == dev }) {
			return m, nil
		}
	}
	return Member{ID: string(dev), Role: s.store.Authority().RoleOf(dev)}, nil
}

// FindMember resolves what a person typed: a member's id, a laptop's id
// (or its start), or a laptop's name.
func (s *Service) FindMember(what string) (Member, error) {
	ms, err := s.Members()
	if err != nil {
		return Member{}, err
	}
	what = strings.TrimSpace(what)
	var found []Member
	for _, m := range ms {
		hit := m.ID == what || strings.EqualFold(m.Name(), what)
		for _, d := range m.Devices {
			hit = hit || string(d.ID) == what || (len(what) >= 4 && strings.HasPrefix(string(d.ID), what)) || strings.EqualFold(d.Name, what)
		}
		if hit {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		var names []string
		for _, m := range ms {
			names = append(names, m.Name()+" ("+m.ID+")")
		}
		return Member{}, &Error{Op: "member", Kind: NotFound, Field: "member", Msg: fmt.Sprintf("no member %q", what), Valid: names}
	}
	return Member{}, &Error{Op: "member", Kind: Invalid, Field: "member", Msg: fmt.Sprintf("%q names %d members: give the id", what, len(found))}
}

// Grant gives member the role; Revoke takes it.
func (s *Service) Grant(member string, role roles.Role) error {
	return s.roleChange("grant", RoleChange{Kind: roles.KindGrant, Member: member, Role: role})
}

// Revoke takes role from member.
func (s *Service) Revoke(member string, role roles.Role) error {
	return s.roleChange("revoke", RoleChange{Kind: roles.KindRevoke, Member: member, Role: role})
}

// RemoveMember shuts member's laptops out of the workspace.
func (s *Service) RemoveMember(member string) error {
	return s.roleChange("remove", RoleChange{Kind: roles.KindRemove, Member: member})
}

// RemoveLaptop shuts one laptop out (a lost one).
func (s *Service) RemoveLaptop(dev DeviceID) error {
	return s.roleChange("remove", RoleChange{Kind: roles.KindRemove, Device: dev})
}

// Found founds a workspace from before roles: this laptop's member
// becomes its founder, and everyone whose operations it holds keeps the
// secretariat they in effect had until it is revoked.
//
// In a workspace this build founded, the founder's laptop names
// co-founders with it, once: a second founder keeps control if one laptop
// is lost.
func (s *Service) Found(cofounders ...string) error {
	a := s.store.Authority()
	if !a.Open() {
		prefix, ok := founderPrefix(a.ws)
		dev := s.Device()
		switch {
		case !ok:
			return &Error{Op: "found", Kind: Invalid, Msg: "this workspace already has its founder"}
		case !strings.HasPrefix(string(dev), prefix):
			return &Error{Op: "found", Kind: Forbidden, Msg: "only the founder's laptop names co-founders"}
		case slices.ContainsFunc(a.ops, func(o *Op) bool { return o.Role.Kind == RoleFound && o.Device == dev }):
			return &Error{Op: "found", Kind: Invalid, Msg: "the co-founders are named already; they cannot change"}
		case len(cofounders) == 0:
			return &Error{Op: "found", Kind: Invalid, Field: "cofounder", Msg: "name the co-founders"}
		}
	}
	return s.roleChange("found", RoleChange{Kind: RoleFound, Founders: cofounders})
}

// ClaimMember says this laptop belongs to member (a person's second
// laptop); it counts as theirs once the member, or the secretariat, links
// it (LinkLaptop). Both must say so.
func (s *Service) ClaimMember(member string) error {
	return s.roleChange("claim", RoleChange{Kind: roles.KindClaim, Member: member, Device: s.Device()})
}

// LinkLaptop links laptop dev to member: the member's own laptops, or the
// secretariat, say it is theirs.
func (s *Service) LinkLaptop(dev DeviceID, member string) error {
	return s.roleChange("link", RoleChange{Kind: roles.KindLink, Member: member, Device: dev})
}

// roleChange writes a role operation, refused (Forbidden) when the rules
// would not apply it; a removal also gives the workspace a new join key,
// which this laptop takes at once.
func (s *Service) roleChange(op string, c RoleChange) error {
	if c.Kind == roles.KindGrant || c.Kind == roles.KindRevoke {
		if !c.Role.Valid() || c.Role == roles.Delegate {
			return &Error{Op: op, Kind: Invalid, Field: "role", Msg: fmt.Sprintf("%q is not a role that is granted", c.Role), Valid: []string{string(roles.Rapporteur), string(roles.Secretariat)}}
		}
	}
	v, err := s.Vector()
	if err != nil {
		return withOp(op, err)
	}
	if err := s.roleChangeLocked(op, c, v); err != nil {
		return err
	}
	return withOp(op, s.adoptEpoch())
}

func (s *Service) roleChangeLocked(op string, c RoleChange, v Vector) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(op); err != nil {
		return err
	}
	defer s.rewind(s.seq, &err)
	o := s.newOpLocked(OpRole, "")
	for dev, seq := range v {
		if dev != o.Device && seq > 0 {
			c.Seen = append(c.Seen, OpID{Device: dev, Seq: seq})
		}
	}
	if o.Seq > 1 {
		c.Seen = append(c.Seen, OpID{Device: o.Device, Seq: o.Seq - 1})
	}
	slices.SortFunc(c.Seen, func(a, b OpID) int { return strings.Compare(string(a.Device), string(b.Device)) })
	if c.SeenHash, err = s.hashesOf(c.Seen); err != nil {
		return withOp(op, err)
	}
	o.Role = &c
	a := s.store.Authority()
	if c.Kind != RoleFound {
		next := NewAuthority(a.ws, append(slices.Clone(a.ops), o), a.devices, a.excluded)
		if d, _ := next.log.Outcome(roles.EventID{Device: string(o.Device), Seq: o.Seq}); !d.OK {
			return &Error{Op: op, Kind: Forbidden, Msg: forbidden(d.Why)}
		}
		if c.Kind == roles.KindRemove {
			if err := s.rekeyLocked(o, next); err != nil {
				return withOp(op, err)
			}
		}
	}
	return withOp(op, s.commitLocked(o))
}

// rekeyLocked gives removal o a new join key, sealed to every laptop that
// stays once it applies (next).
func (s *Service) rekeyLocked(o *Op, next *Authority) error {
	r, err := s.replica()
	if err != nil {
		return err
	}
	staying := map[DeviceID]ed25519.PublicKey{}
	for _, dev := range next.devices {
		if next.log.Removed(string(dev)) {
			continue
		}
		pub, err := r.DeviceKey(dev)
		if err != nil {
			continue // announced but its key not here: it joins again with a new invite
		}
		staying[dev] = pub
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	if o.Role.Keys, err = sealKey(secret, staying); err != nil {
		return err
	}
	// The next epoch after the newest this laptop knows of, even one whose
	// key it could not take (removals made at once before it joined).
	newest, _ := newestEpoch(next)
	o.Role.Epoch = max(s.ws.Epoch, newest) + 1
	if o.Role.Prev, err = sealPrev(secret, s.ws.Secret, s.ws.ID, o.Role.Epoch); err != nil {
		return err
	}
	return nil
}

// permitLocked refuses a write whose operations the rules would not
// apply, before anything is signed: a person learns at once that the
// step needs a role, instead of seeing it kept and not applied.
func (s *Service) permitLocked(ops []*Op) error {
	a := s.store.Authority()
	if a.Open() {
		return nil
	}
	creates := map[RecordID]*Op{}
	for _, o := range ops {
		if o.Type == OpCreate {
			creates[o.Record] = o
		}
	}
	for _, o := range ops {
		if o.Type != OpCreate && o.Type != OpUpdate && o.Type != OpWithdraw {
			continue
		}
		create, owner := creates[o.Record], o.Device
		if o.Type != OpCreate && create == nil {
			hist, err := s.store.Ops(o.Record)
			if err != nil {
				continue // not here: judged where it is
			}
			create, _ = recordCreate(applyOrder(hist))
		}
		if o.Type == OpCreate {
			create = nil
		} else if create != nil {
			owner = create.Device
		}
		if d := a.AllowedAll(o, create, owner); !d.OK {
			return &Error{Op: "write", Kind: Forbidden, Msg: forbidden(d.Why)}
		}
	}
	return nil
}

// forbidden says why a step is refused, as a person reads it.
func forbidden(why string) string {
	if r, ok := strings.CutPrefix(why, "needs "); ok {
		return fmt.Sprintf("this needs the %s role, which this laptop's member does not have; the secretariat grants it", r)
	}
	return why
}

// Authority is who may do what in the workspace, as the role operations
// stored here decide it.
func (s *Service) Authority() *Authority { return s.store.Authority() }

// May reports whether this laptop's member may do act now, and if not, a
// sentence saying which role it needs (for a control's hint).
func (s *Service) May(act roles.Action) (bool, string) {
	a := s.store.Authority()
	if a.Open() {
		return true, ""
	}
	dev := s.Device()
	if a.Log().Removed(string(dev)) {
		return false, "this laptop was removed from the workspace"
	}
	if a.RoleOf(dev).May(act) {
		return true, ""
	}
	return false, forbidden("needs " + string(roles.Needed(act)))
}

// hashesOf reads the hash of each operation ids name, as the next
// operation of its laptop's chain would carry it.
func (s *Service) hashesOf(ids []OpID) ([][]byte, error) {
	r, err := s.replica()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		err := r.EachOpAfter(id.Device, id.Seq-1, 1, 1<<30, func(enc []byte) error {
			out[i] = HashOp(enc)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if out[i] == nil {
			return nil, &Error{Op: "role", Msg: fmt.Sprintf("operation %s is not stored", id)}
		}
	}
	return out, nil
}
