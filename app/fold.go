package app

import (
	"slices"
	"sort"
)

// Fold computes a record's state from its operations. The result depends only
// on the set of operations, not on their order in ops: they are applied in the
// total order of Op.Before, duplicates (same address) count once, scalar fields
// take the last write in that order and set fields apply additions and
// removals in that order. Fold returns nil when the set holds no create
// operation yet (an update can arrive from a peer before its record does).
//
// The body is merged, not overwritten, when edits did not see each other:
// each operation's Base names the operations its author had in view, so
// the operations an edit saw (its causal past) are known. An edit that saw
// every earlier change of the body replaces it; one that did not is merged
// into the current body from the version its author started from (Merge3,
// paragraph by paragraph). Paragraphs both changed become competing
// versions in Conflict, until an edit that saw them all resolves it.
// A withdrawal and an edit that did not see each other flag the record
// (AttentionEditWithdrawn) until a later operation sees both.
func Fold(ops []*Op) *Record {
	sorted := applyOrder(ops)
	// Operations ordered before the create are ignored.
	first := slices.IndexFunc(sorted, func(o *Op) bool { return o.Type == OpCreate })
	if first < 0 {
		return nil
	}
	sorted = sorted[first:]

	var r *Record
	for _, o := range sorted {
		if o.Type == OpCreate {
			if r != nil {
				continue // a second create for the same id: the first one wins
			}
			r = &Record{ID: o.Record, Kind: o.Kind, Status: InitialStatus(o.Kind), Device: o.Device, Created: o.HLC}
		}
		switch o.Type {
		case OpCreate, OpUpdate:
			r.apply(o.Patch)
		case OpWithdraw:
			r.Status = StatusWithdrawn
		}
		r.Updated = o.HLC
		r.UpdatedBy = o.Device
		r.Version = o.ID()
		r.Ops++
	}
	if len(sorted) == 1 { // most records: nothing to merge
		if p := sorted[0].Patch; p != nil && p.Body != nil {
			r.Body = *p.Body
		}
		return r
	}
	h := newHistory(sorted)
	versions := h.body(h.all())
	r.Body = versions[0].Body
	if len(versions) > 1 {
		r.Conflict = versions
		r.Attention = append(r.Attention, AttentionConflict)
	}
	if h.withdrawnConcurrently() {
		r.Attention = append(r.Attention, AttentionEditWithdrawn)
	}
	if len(r.MergedInto) > 1 {
		r.Attention = append(r.Attention, AttentionMergedTwice)
	}
	slices.Sort(r.Attention)
	return r
}

// applyOrder returns a record's operations in the order they apply (Op.Before),
// each address once, without device announcements.
func applyOrder(ops []*Op) []*Op {
	sorted := make([]*Op, 0, len(ops))
	for _, o := range ops {
		if o.Type != OpDevice {
			sorted = append(sorted, o)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	return slices.CompactFunc(sorted, func(a, b *Op) bool { return a.ID() == b.ID() })
}

// Heads returns the operations of a record that no other operation of it
// saw: what an edit made now has in view, for its Base.
func Heads(ops []*Op) []OpID {
	sorted := applyOrder(ops)
	h := newHistory(sorted)
	seen := newBitset(len(sorted))
	for i := range sorted {
		seen.or(h.past[i])
	}
	var out []OpID
	for i, o := range sorted {
		if !seen.has(i) {
			out = append(out, o.ID())
		}
	}
	return out
}

// history is a record's operations in apply order with what each saw.
type history struct {
	ops  []*Op
	past []bitset          // past[i]: the operations ops[i] saw, by index
	base map[int][]Version // memo: the body ops[i]'s author started from
}

type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) or(c bitset) {
	for k := range b {
		b[k] |= c[k]
	}
}

func newHistory(ops []*Op) *history {
	h := &history{ops: ops, past: make([]bitset, len(ops)), base: map[int][]Version{}}
	at := make(map[OpID]int, len(ops))
	for i, o := range ops {
		at[o.ID()] = i
		h.past[i] = newBitset(len(ops))
		for _, b := range o.Base {
			// A base not held yet (it is on its way from a peer) is
			// left out; the record is folded again when it arrives.
			if j, ok := at[b]; ok && j < i {
				h.past[i].set(j)
				h.past[i].or(h.past[j])
			}
		}
	}
	return h
}

func (h *history) all() bitset {
	b := newBitset(len(h.ops))
	for i := range h.ops {
		b.set(i)
	}
	return b
}

func setsBody(o *Op) bool {
	return (o.Type == OpCreate || o.Type == OpUpdate) && o.Patch != nil && o.Patch.Body != nil
}

// body folds the body over the operations in set s, which holds the
// causal past of each of its members.
func (h *history) body(s bitset) []Version {
	cur := []Version{{}}
	var seen []int // body edits applied so far
	for i, o := range h.ops {
		if !s.has(i) || !setsBody(o) {
			continue
		}
		text := *o.Patch.Body
		sawAll := true
		for _, j := range seen {
			if !h.past[i].has(j) {
				sawAll = false
				break
			}
		}
		seen = append(seen, i)
		if sawAll {
			cur = []Version{{Body: text, From: o.ID()}}
			continue
		}
		base, ok := h.base[i]
		if !ok {
			base = h.body(h.past[i])
			h.base[i] = base
		}
		var next []Version
		for _, v := range cur {
			a, b, conflict := Merge3(base[0].Body, v.Body, text)
			next = append(next, Version{Body: a, From: v.From})
			if conflict {
				next = append(next, Version{Body: b, From: o.ID()})
			}
		}
		cur = dedupe(next)
	}
	return cur
}

// dedupe drops versions whose text an earlier one already has.
func dedupe(vs []Version) []Version {
	out := vs[:0:0]
	for _, v := range vs {
		if !slices.ContainsFunc(out, func(w Version) bool { return w.Body == v.Body }) {
			out = append(out, v)
		}
	}
	return out
}

// withdrawnConcurrently reports whether a withdrawal and an edit that did
// not see each other are both still unseen by any later operation.
func (h *history) withdrawnConcurrently() bool {
	for i, w := range h.ops {
		if w.Type != OpWithdraw {
			continue
		}
		for j, u := range h.ops {
			if u.Type != OpUpdate || i == j || h.past[i].has(j) || h.past[j].has(i) {
				continue
			}
			lo, hi := min(i, j), max(i, j)
			settled := false
			for k := hi + 1; k < len(h.ops); k++ {
				if h.past[k].has(lo) && h.past[k].has(hi) {
					settled = true
					break
				}
			}
			if !settled {
				return true
			}
		}
	}
	return false
}

func (r *Record) apply(p *Patch) {
	if p == nil {
		return
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&r.Title, p.Title) // the body is merged apart: see history.body
	set(&r.Author, p.Author)
	set(&r.Org, p.Org)
	set(&r.Venue, p.Venue)
	set(&r.Date, p.Date)
	if p.Lang != nil {
		r.Lang = *p.Lang
	}
	if p.Meeting != nil {
		r.Meeting = *p.Meeting
	}
	if p.SubRegion != nil {
		r.SubRegion = *p.SubRegion
	}
	if p.Country != nil {
		r.Country = *p.Country
	}
	if p.Stakeholder != nil {
		r.Stakeholder = *p.Stakeholder
	}
	if p.Status != nil {
		r.Status = *p.Status
	}
	if p.ReplyTo != nil {
		r.ReplyTo = *p.ReplyTo
	}
	if p.Sensitive != nil {
		r.Sensitive = *p.Sensitive
	}
	r.Themes = applySet(r.Themes, p.AddThemes, p.DelThemes)
	r.Populations = applySet(r.Populations, p.AddPops, p.DelPops)
	r.Tags = applySet(r.Tags, p.AddTags, p.DelTags)
	r.Sources = applySet(r.Sources, p.AddSources, p.DelSources)
	r.MergedInto = applySet(r.MergedInto, p.AddMerged, p.DelMerged)
	r.Contributors = applySet(r.Contributors, p.AddContribs, p.DelContribs)
	r.Supporters = applySet(r.Supporters, p.AddSupport, p.DelSupport)
	if hasDraftingFields(p) {
		r.applyDrafting(p)
	}
}

// applyDrafting applies the drafting fields of p.
func (r *Record) applyDrafting(p *Patch) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&r.Position, p.Position)
	set((*string)(&r.Action), (*string)(p.Action))
	set((*string)(&r.After), (*string)(p.After))
	set(&r.Rationale, p.Rationale)
	set((*string)(&r.Part), (*string)(p.Part))
	set((*string)(&r.AltOf), (*string)(p.AltOf))
	set((*string)(&r.Numbering), (*string)(p.Numbering))
	set((*string)(&r.DocKind), (*string)(p.DocKind))
	if p.Base != nil {
		r.Base = *p.Base
	}
	if p.Rev != nil {
		r.Rev = *p.Rev
	}
	if p.Level != nil {
		r.Level = *p.Level
	}
	r.Opposers = applySet(r.Opposers, p.AddOppose, p.DelOppose)
}

// applySet returns s with add added and del removed, sorted and without
// duplicates. Removals are applied after additions.
func applySet[T ~string](s, add, del []T) []T {
	if len(add) == 0 && len(del) == 0 {
		return s
	}
	out := make([]T, 0, len(s)+len(add))
	out = append(out, s...)
	out = append(out, add...)
	out = slices.DeleteFunc(out, func(x T) bool { return slices.Contains(del, x) })
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// SetChange returns what to add to and remove from the set old to make it
// want: how an edit that states a whole set (a form, a CLI flag) becomes the
// additions and removals a Patch carries.
func SetChange[T ~string](old []T, want []string) (add, del []T) {
	for _, w := range want {
		if !slices.Contains(old, T(w)) {
			add = append(add, T(w))
		}
	}
	for _, o := range old {
		if !slices.Contains(want, string(o)) {
			del = append(del, o)
		}
	}
	return add, del
}
