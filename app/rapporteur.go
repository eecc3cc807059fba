package app

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// SettingAuthor and SettingOrg are the settings that hold the name and
// organization of the person using this laptop.
const (
	SettingAuthor = "author"
	SettingOrg    = "org"
)

// Person is the name this laptop writes as: the author setting, or else the
// device's name.
func (s *Service) Person() string {
	if n := strings.TrimSpace(s.Setting(SettingAuthor)); n != "" {
		return n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.id != nil {
		return s.id.Name
	}
	return ""
}

// Contributor is how a record's author appears among the contributors of a
// consolidated proposal: "Name (Organization)".
func Contributor(r *Record) string {
	name, org := strings.TrimSpace(r.Author), strings.TrimSpace(r.Org)
	switch {
	case name == "" && org == "":
		return ""
	case org == "":
		return name
	case name == "":
		return org
	}
	return name + " (" + org + ")"
}

// Mergeable reports whether kind k can be merged into a consolidated
// proposal.
func Mergeable(k Kind) bool { return k == KindProposal || k == KindInput }

// Merge creates a consolidated proposal from two or more proposals or
// inputs, with its own title and body, in one durable write. The new
// proposal lists its sources and carries their authors and organizations
// (and their own contributors) as contributors, with the themes,
// populations and tags of all of them and the sub-region, country,
// meeting and language they share; p may set more fields. Its author and organization
// are the person using this laptop (Person, SettingOrg) unless p sets
// them. Each source stays, with status merged and a link to the new
// proposal. Merging consolidated proposals again builds a chain. It
// returns the new id.
func (s *Service) Merge(sources []RecordID, p Patch) (_ RecordID, err error) {
	const op = "merge"
	srcs, err := s.mergeSources(op, sources)
	if err != nil {
		return "", err
	}
	s.mergedBy(&p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(op); err != nil {
		return "", err
	}
	defer s.rewind(s.seq, &err)
	if p.Title == nil || strings.TrimSpace(*p.Title) == "" {
		return "", &Error{Op: op, Kind: Invalid, Field: "title", Msg: "a consolidated proposal needs a title"}
	}
	inheritShared(&p, srcs)
	inheritSets(&p, srcs)
	if err := s.tax.ValidatePatch(KindProposal, &p); err != nil {
		return "", withOp(op, err)
	}
	id := s.newRecordIDLocked()
	create := s.newOpLocked(OpCreate, id)
	create.Kind = KindProposal
	create.Patch = &p
	if err := s.tax.ValidateRecord(s.fold([]*Op{create})); err != nil {
		return "", withOp(op, err)
	}
	ops := []*Op{create}
	for _, r := range srcs {
		o, err := s.updateOpLocked(r.ID, &Patch{Status: ptr(StatusMerged), AddMerged: []RecordID{id}})
		if err != nil {
			return "", withOp(op, err)
		}
		ops = append(ops, o)
	}
	more, err := s.dropSharedLinks(srcs)
	if err != nil {
		return "", withOp(op, err)
	}
	if err := s.commitLocked(append(ops, more...)...); err != nil {
		return "", withOp(op, err)
	}
	return id, nil
}

// mergedBy makes the person using this laptop, and their organization,
// the author of a consolidated proposal, unless p says.
func (s *Service) mergedBy(p *Patch) {
	if p.Author == nil {
		if name := s.Person(); name != "" {
			p.Author = &name
		}
	}
	if p.Org == nil {
		if org := s.Setting(SettingOrg); org != "" {
			p.Org = &org
		}
	}
}

// inheritShared gives p, where it does not say, the sub-region (else
// "regional"), country, meeting and language that all the sources share.
func inheritShared(p *Patch, srcs []*Record) {
	common := func(get func(r *Record) string) *string {
		v := get(srcs[0])
		for _, r := range srcs[1:] {
			if get(r) != v {
				return nil
			}
		}
		if v == "" {
			return nil
		}
		return &v
	}
	if p.SubRegion == nil {
		sr := SubRegion("regional")
		if v := common(func(r *Record) string { return string(r.SubRegion) }); v != nil {
			sr = SubRegion(*v)
		}
		p.SubRegion = &sr
	}
	if p.Country == nil {
		if v := common(func(r *Record) string { return string(r.Country) }); v != nil {
			c := CountryCode(*v)
			p.Country = &c
		}
	}
	if p.Meeting == nil {
		if v := common(func(r *Record) string { return string(r.Meeting) }); v != nil {
			m := RecordID(*v)
			p.Meeting = &m
		}
	}
	if p.Lang == nil {
		if v := common(func(r *Record) string { return string(r.Lang) }); v != nil {
			l := Lang(*v)
			p.Lang = &l
		}
	}
}

// inheritSets adds to p the union of the sources' themes, populations and
// tags, the sources themselves, and their authors and contributors as
// contributors.
func inheritSets(p *Patch, srcs []*Record) {
	for _, r := range srcs {
		p.AddThemes = append(p.AddThemes, r.Themes...)
		p.AddPops = append(p.AddPops, r.Populations...)
		p.AddTags = append(p.AddTags, r.Tags...)
		p.AddSources = append(p.AddSources, r.ID)
		if c := Contributor(r); c != "" {
			p.AddContribs = append(p.AddContribs, c)
		}
		p.AddContribs = append(p.AddContribs, r.Contributors...)
	}
	p.AddThemes = sortedSet(p.AddThemes)
	p.AddPops = sortedSet(p.AddPops)
	p.AddTags = sortedSet(p.AddTags)
	p.AddSources = sortedSet(p.AddSources)
	p.AddContribs = sortedSet(p.AddContribs)
}

// dropSharedLinks returns the operations that unlink a record in two of
// the sources (merged into both by rapporteurs who had not seen each
// other's merge), which now reaches the new proposal once: its extra links
// go, and with them its flag. History keeps them. The caller holds s.mu.
func (s *Service) dropSharedLinks(srcs []*Record) ([]*Op, error) {
	shared := map[RecordID][]RecordID{}
	for _, r := range srcs {
		for _, sub := range r.Sources {
			shared[sub] = append(shared[sub], r.ID)
		}
	}
	var ops []*Op
	for sub, in := range shared {
		if len(in) < 2 {
			continue
		}
		sr, err := s.store.Record(sub)
		if err != nil || len(sr.MergedInto) < 2 {
			continue
		}
		var drop []RecordID
		for _, m := range in[1:] {
			if slices.Contains(sr.MergedInto, m) {
				drop = append(drop, m)
			}
		}
		if len(drop) > 0 && len(sr.MergedInto)-len(drop) >= 1 {
			o, err := s.updateOpLocked(sub, &Patch{DelMerged: drop})
			if err != nil {
				return nil, err
			}
			ops = append(ops, o)
		}
	}
	return ops, nil
}

// mergeSources reads and checks the records to merge.
func (s *Service) mergeSources(op string, ids []RecordID) ([]*Record, error) {
	var out []*Record
	seen := map[RecordID]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		r, err := s.Get(id)
		if err != nil {
			return nil, withOp(op, err)
		}
		switch {
		case !Mergeable(r.Kind):
			return nil, &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is a %s; only proposals and inputs can be merged", id, r.Kind)}
		case r.Status == StatusWithdrawn:
			return nil, &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is withdrawn; restore it before merging it", id)}
		}
		out = append(out, r)
	}
	if len(out) < 2 {
		return nil, &Error{Op: op, Kind: Invalid, Field: "id", Msg: "give at least two different records to merge"}
	}
	return out, nil
}

// updateOpLocked is an update of record id with p and its heads as base.
func (s *Service) updateOpLocked(id RecordID, p *Patch) (*Op, error) {
	ops, err := s.store.Ops(id)
	if err != nil {
		return nil, err
	}
	return s.opOnLocked(OpUpdate, id, ops, p), nil
}

// opOnLocked is an operation of type t on record id, whose operations are
// ops, with p; its base is what the author has in view: their heads.
//
// Its timestamp is above those of ops, even when one of them came from a
// laptop whose clock is far ahead (Clock.TickAbove): folding orders a
// record's operations by timestamp, and what was done after seeing an
// operation must come after it.
func (s *Service) opOnLocked(t OpType, id RecordID, ops []*Op, p *Patch) *Op {
	o := s.newOpLocked(t, id)
	var newest HLC
	for _, x := range ops {
		newest = max(newest, x.HLC)
	}
	if o.HLC <= newest {
		o.HLC = s.clock.TickAbove(newest)
	}
	o.Patch = p
	o.Base = Heads(ops)
	return o
}

// Unmerge undoes the merge that made the consolidated proposal id: the
// proposal is withdrawn (it stays, with its history) and each source loses
// its link to it and, unless it is still merged into another one, goes back
// to the status it had before.
func (s *Service) Unmerge(id RecordID) (err error) {
	const op = "unmerge"
	c, err := s.Get(id)
	if err != nil {
		return withOp(op, err)
	}
	if len(c.Sources) == 0 {
		return &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s was not made by a merge", id)}
	}
	if c.Status == StatusWithdrawn {
		return &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is withdrawn already", id)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(op); err != nil {
		return err
	}
	defer s.rewind(s.seq, &err)
	var ops []*Op
	for _, src := range c.Sources {
		hist, err := s.store.Ops(src)
		if err != nil {
			if KindOf(err) == NotFound {
				continue // a source not here yet: its peer will bring it
			}
			return withOp(op, err)
		}
		r := s.fold(hist)
		if r == nil || !slices.Contains(r.MergedInto, id) {
			continue
		}
		p := &Patch{DelMerged: []RecordID{id}}
		if len(r.MergedInto) == 1 {
			st := s.statusBeforeMerge(hist, id)
			p.Status = &st
		}
		ops = append(ops, s.opOnLocked(OpUpdate, src, hist, p))
	}
	hist, err := s.store.Ops(id)
	if err != nil {
		return withOp(op, err)
	}
	ops = append(ops, s.opOnLocked(OpWithdraw, id, hist, nil))
	return withOp(op, s.commitLocked(ops...))
}

// statusBeforeMerge is the status a record had just before the operation
// that merged it into c.
func (s *Service) statusBeforeMerge(ops []*Op, c RecordID) Status {
	sorted := applyOrder(ops)
	for i, o := range sorted {
		if o.Patch != nil && slices.Contains(o.Patch.AddMerged, c) {
			if r := s.fold(sorted[:i]); r != nil && r.Status != StatusMerged {
				return r.Status
			}
			break
		}
	}
	if r := s.fold(ops); r != nil {
		return InitialStatus(r.Kind)
	}
	return StatusDraft
}

// Support records that person supports (endorses) record id; Unsupport
// takes it back. Supporting twice counts once.
func (s *Service) Support(id RecordID, person string) error {
	return s.support("support", id, person, true)
}

// Unsupport takes back person's support of record id.
func (s *Service) Unsupport(id RecordID, person string) error {
	return s.support("unsupport", id, person, false)
}

func (s *Service) support(op string, id RecordID, person string, add bool) error {
	person = strings.TrimSpace(person)
	if person == "" {
		return &Error{Op: op, Kind: Invalid, Field: "name", Msg: "say who supports it: set your name in the settings (or --name)"}
	}
	r, err := s.Get(id)
	if err != nil {
		return withOp(op, err)
	}
	if r.Kind != KindProposal && r.Kind != KindInput {
		return &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is a %s; only proposals and inputs are supported", id, r.Kind)}
	}
	if slices.Contains(r.Supporters, person) == add {
		return nil // nothing to change
	}
	p := Patch{}
	if add {
		p.AddSupport = []string{person}
	} else {
		p.DelSupport = []string{person}
	}
	return s.change(op, id, OpUpdate, &p)
}

// Comment adds a comment on record id and returns the comment's id. The
// comment's title is the start of its text.
func (s *Service) Comment(id RecordID, body string, p Patch) (RecordID, error) {
	const op = "comment"
	body = strings.TrimSpace(body)
	if body == "" {
		return "", &Error{Op: op, Kind: Invalid, Field: "body", Msg: "a comment needs some text"}
	}
	if _, err := s.Get(id); err != nil {
		return "", withOp(op, err)
	}
	if p.Title == nil {
		t := firstWords(body, 80)
		p.Title = &t
	}
	p.Body = &body
	p.ReplyTo = &id
	return s.Create(KindComment, p)
}

// firstWords is the start of s, at most n bytes, cut at a word.
func firstWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndex(s[:n], " ")
	if cut <= 0 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return s[:cut] + "…"
}

// Resolve settles the conflict on record id with body: an edit made with
// every competing version in view.
func (s *Service) Resolve(id RecordID, body string) error {
	if _, err := s.conflicted(id); err != nil {
		return err
	}
	return s.change("resolve", id, OpUpdate, &Patch{Body: &body})
}

// conflicted returns record id, or an error when it has no conflict.
func (s *Service) conflicted(id RecordID) (*Record, error) {
	const op = "resolve"
	r, err := s.Get(id)
	if err != nil {
		return nil, withOp(op, err)
	}
	if len(r.Conflict) == 0 {
		return nil, &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s has no conflict to resolve", id)}
	}
	return r, nil
}

// ResolveTake settles the conflict on record id by keeping version n
// (counting from 1) of Record.Conflict.
func (s *Service) ResolveTake(id RecordID, n int) error {
	const op = "resolve"
	r, err := s.conflicted(id)
	if err != nil {
		return err
	}
	if n < 1 || n > len(r.Conflict) {
		return &Error{Op: op, Kind: Invalid, Field: "take", Msg: fmt.Sprintf("version %d does not exist; the conflict has versions 1 to %d", n, len(r.Conflict))}
	}
	body := r.Conflict[n-1].Body
	return s.change(op, id, OpUpdate, &Patch{Body: &body})
}

// Attention lists the records that need a rapporteur's look: competing
// versions, edits concurrent with a withdrawal, and records merged into
// more than one consolidated proposal (with those proposals), most recently
// changed first.
func (s *Service) Attention() ([]*Record, error) {
	res, err := s.List(Filter{Attention: AttentionReasons}, 0)
	if err != nil {
		return nil, err
	}
	out := res.Records
	seen := map[RecordID]bool{}
	for _, r := range out {
		seen[r.ID] = true
	}
	for _, r := range res.Records {
		for _, c := range r.MergedInto {
			if seen[c] || !slices.Contains(r.Attention, AttentionMergedTwice) {
				continue
			}
			if cr, err := s.Get(c); err == nil {
				seen[c] = true
				cr.Body = ""
				cr.Attention = append(slices.Clone(cr.Attention), AttentionMergedTwice)
				out = append(out, cr)
			}
		}
	}
	return out, nil
}

// CommentCount returns how many comments record id has.
func (s *Service) CommentCount(id RecordID) (int, error) {
	res, err := s.store.Query(&Query{RepliesTo: []RecordID{id}, Kinds: []Kind{KindComment}, Limit: 1})
	if err != nil {
		return 0, withOp("list", err)
	}
	return res.Total, nil
}

func ptr[T any](v T) *T { return &v }

func sortedSet[T ~string](xs []T) []T {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return slices.Compact(xs)
}
