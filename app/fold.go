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
func Fold(ops []*Op) *Record {
	sorted := make([]*Op, 0, len(ops))
	for _, o := range ops {
		if o.Type != OpDevice {
			sorted = append(sorted, o)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	sorted = slices.CompactFunc(sorted, func(a, b *Op) bool { return a.ID() == b.ID() })

	var r *Record
	for _, o := range sorted {
		if o.Type == OpCreate {
			if r != nil {
				continue // a second create for the same id: the first one wins
			}
			r = &Record{ID: o.Record, Kind: o.Kind, Status: InitialStatus(o.Kind), Device: o.Device, Created: o.HLC}
		}
		if r == nil {
			continue // operations ordered before the create are ignored
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
	return r
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
	set(&r.Title, p.Title)
	set(&r.Body, p.Body)
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
	r.Themes = applySet(r.Themes, p.AddThemes, p.DelThemes)
	r.Populations = applySet(r.Populations, p.AddPops, p.DelPops)
	r.Tags = applySet(r.Tags, p.AddTags, p.DelTags)
	r.Sources = applySet(r.Sources, p.AddSources, p.DelSources)
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
