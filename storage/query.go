package storage

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app"
)

func sortOps(ops []*app.Op) {
	slices.SortFunc(ops, func(a, b *app.Op) int {
		switch {
		case a.Before(b):
			return -1
		case b.Before(a):
			return 1
		}
		return 0
	})
}

// dimension is one filterable field: its memdb index, the values a query
// asks for, and the facet counts that estimate how many records hold them.
type dimension struct {
	index  string
	values []string
	multi  bool // the field holds several values per record
	counts map[string]int
}

// Query returns the records matching q. It starts from the in-memory index
// of the most selective field the query names (or the word index for text),
// checks the remaining conditions on each candidate, then sorts and pages.
func (s *Store) Query(q *app.Query) (*app.Result, error) {
	s.idxMu.RLock()
	defer s.idxMu.RUnlock()
	txn := s.mem.Txn(false)
	match := matcher(q)

	var cands []*app.Record
	var watch <-chan struct{}
	all, err := txn.Get(tableRecords, indexID)
	if err != nil {
		return nil, err
	}
	if textual := s.text.search(q.Text); textual != nil {
		cands = textual
		watch = all.WatchCh()
	} else if d := s.bestDimension(q); d != nil {
		seen := map[*app.Record]bool{}
		for _, v := range d.values {
			it, err := txn.Get(tableRecords, d.index, v)
			if err != nil {
				return nil, err
			}
			if len(d.values) == 1 {
				watch = it.WatchCh()
			}
			for obj := it.Next(); obj != nil; obj = it.Next() {
				r := obj.(*app.Record)
				if d.multi && len(d.values) > 1 {
					if seen[r] {
						continue
					}
					seen[r] = true
				}
				cands = append(cands, r)
			}
		}
		if watch == nil {
			watch = all.WatchCh()
		}
	} else {
		for obj := all.Next(); obj != nil; obj = all.Next() {
			cands = append(cands, obj.(*app.Record))
		}
		watch = all.WatchCh()
	}
	out := cands[:0:0]
	for _, r := range cands {
		if match(r) {
			out = append(out, r)
		}
	}

	res := &app.Result{Total: len(out), Changed: watch}
	if q.Facets {
		if unfiltered(q) {
			res.Facets = cloneFacets(s.counts)
		} else {
			res.Facets = app.NewFacets()
			for _, r := range out {
				countRecord(s.tax, res.Facets, r, 1)
			}
		}
	}
	sortRecords(out, q.Sort, q.Asc)
	if q.Offset > 0 {
		out = out[min(q.Offset, len(out)):]
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	res.Records = out
	return res, nil
}

// bestDimension picks the named field whose values cover the fewest records.
// Theme counts include sub-themes, so for a theme with its children the sum
// is an upper bound, which is good enough to choose a plan.
func (s *Store) bestDimension(q *app.Query) *dimension {
	c := s.counts
	dims := []dimension{
		{indexMeeting, strs(q.Meetings), false, c.Meeting},
		{indexCountry, strs(q.Countries), false, c.Country},
		{indexTheme, strs(q.Themes), true, c.Theme},
		{indexStakeholder, strs(q.Stakeholders), false, c.Stakeholder},
		{indexPopulation, strs(q.Populations), true, c.Population},
		{indexTag, strs(q.Tags), true, c.Tag},
		{indexSubRegion, strs(q.SubRegions), false, c.SubRegion},
		{indexStatus, strs(q.Statuses), false, c.Status},
		{indexKind, strs(q.Kinds), false, c.Kind},
	}
	var best *dimension
	bestN := 0
	for i := range dims {
		d := &dims[i]
		if len(d.values) == 0 {
			continue
		}
		n := 0
		for _, v := range d.values {
			n += d.counts[v]
		}
		if best == nil || n < bestN {
			best, bestN = d, n
		}
	}
	if len(q.RepliesTo) > 0 {
		return &dimension{index: indexReplyTo, values: strs(q.RepliesTo)} // a handful of comments
	}
	if best == nil && len(q.Authors) > 0 {
		vals := make([]string, len(q.Authors))
		for i, a := range q.Authors {
			vals[i] = strings.ToLower(a)
		}
		return &dimension{index: indexAuthor, values: vals}
	}
	return best
}

func unfiltered(q *app.Query) bool {
	return len(q.Kinds)+len(q.Meetings)+len(q.SubRegions)+len(q.Countries)+len(q.Themes)+
		len(q.Statuses)+len(q.Stakeholders)+len(q.Populations)+len(q.Tags)+len(q.Authors)+len(q.RepliesTo) == 0 &&
		len(app.Words(q.Text)) == 0
}

// matcher compiles q's conditions, except text, into one predicate.
func matcher(q *app.Query) func(*app.Record) bool {
	var conds []func(*app.Record) bool
	one := func(vals []string, get func(*app.Record) string) {
		if len(vals) > 0 {
			conds = append(conds, func(r *app.Record) bool { return slices.Contains(vals, get(r)) })
		}
	}
	many := func(vals []string, get func(*app.Record) []string) {
		if len(vals) > 0 {
			conds = append(conds, func(r *app.Record) bool {
				for _, v := range get(r) {
					if slices.Contains(vals, v) {
						return true
					}
				}
				return false
			})
		}
	}
	one(strs(q.Kinds), func(r *app.Record) string { return string(r.Kind) })
	one(strs(q.Meetings), func(r *app.Record) string { return string(r.Meeting) })
	one(strs(q.RepliesTo), func(r *app.Record) string { return string(r.ReplyTo) })
	one(strs(q.SubRegions), func(r *app.Record) string { return string(r.SubRegion) })
	one(strs(q.Countries), func(r *app.Record) string { return string(r.Country) })
	one(strs(q.Statuses), func(r *app.Record) string { return string(r.Status) })
	one(strs(q.Stakeholders), func(r *app.Record) string { return string(r.Stakeholder) })
	many(strs(q.Themes), func(r *app.Record) []string { return strs(r.Themes) })
	many(strs(q.Populations), func(r *app.Record) []string { return strs(r.Populations) })
	many(strs(q.Tags), func(r *app.Record) []string { return strs(r.Tags) })
	if len(q.Authors) > 0 {
		conds = append(conds, func(r *app.Record) bool {
			for _, a := range q.Authors {
				if strings.EqualFold(a, r.Author) {
					return true
				}
			}
			return false
		})
	}
	return func(r *app.Record) bool {
		for _, c := range conds {
			if !c(r) {
				return false
			}
		}
		return true
	}
}

func sortRecords(rs []*app.Record, by app.SortField, asc bool) {
	var key func(a, b *app.Record) int
	switch by {
	case app.SortCreated:
		key = func(a, b *app.Record) int { return cmp.Compare(a.Created, b.Created) }
	case app.SortTitle:
		key = func(a, b *app.Record) int { return strings.Compare(a.Title, b.Title) }
	default:
		key = func(a, b *app.Record) int { return cmp.Compare(a.Updated, b.Updated) }
	}
	slices.SortFunc(rs, func(a, b *app.Record) int {
		c := key(a, b)
		if c == 0 {
			c = strings.Compare(string(a.ID), string(b.ID))
		}
		if !asc {
			c = -c
		}
		return c
	})
}

// countRecord adds d (1 or -1) to the facet counts of r's values. A record
// counts once under each of its themes and each ancestor of them.
func countRecord(tax *app.Taxonomy, f *app.Facets, r *app.Record, d int) {
	add := func(m map[string]int, k string) {
		if k == "" {
			return
		}
		if m[k] += d; m[k] == 0 {
			delete(m, k)
		}
	}
	add(f.Kind, string(r.Kind))
	add(f.Status, string(r.Status))
	add(f.SubRegion, string(r.SubRegion))
	add(f.Country, string(r.Country))
	add(f.Meeting, string(r.Meeting))
	add(f.Stakeholder, string(r.Stakeholder))
	for _, p := range r.Populations {
		add(f.Population, string(p))
	}
	for _, t := range r.Tags {
		add(f.Tag, string(t))
	}
	var done [8]app.ThemeCode
	seen := done[:0]
	for _, t := range r.Themes {
		for _, c := range append([]app.ThemeCode{t}, tax.Ancestors(t)...) {
			if !slices.Contains(seen, c) {
				seen = append(seen, c)
				add(f.Theme, string(c))
			}
		}
	}
}

func cloneFacets(f *app.Facets) *app.Facets {
	c := app.NewFacets()
	for src, dst := range map[*map[string]int]map[string]int{
		&f.Kind: c.Kind, &f.Status: c.Status, &f.SubRegion: c.SubRegion, &f.Country: c.Country,
		&f.Theme: c.Theme, &f.Meeting: c.Meeting, &f.Stakeholder: c.Stakeholder,
		&f.Population: c.Population, &f.Tag: c.Tag} {
		for k, v := range *src {
			dst[k] = v
		}
	}
	return c
}
