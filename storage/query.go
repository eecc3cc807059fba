package storage

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/hashicorp/go-memdb"
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

// Query returns the records matching q, without their bodies (Record has
// them): within a field the union of the postings of the values asked for,
// across fields and with the word index their intersection; then the facet
// counts q asks for (facets.go), then sorting and paging.
func (s *Store) Query(q *app.Query) (*app.Result, error) {
	if err := s.indexed(); err != nil {
		return nil, err
	}
	s.idxMu.RLock()
	defer s.idxMu.RUnlock()
	ix := s.idx
	txn := s.mem.Txn(false)
	conds, err := ix.conditions(txn, q)
	if err != nil {
		return nil, err
	}
	nums := ix.matching(conds)
	res := &app.Result{Changed: ix.changed, Total: len(nums)}
	switch q.Facets {
	case app.FacetsOfResult:
		res.Facets = ix.facets(nums)
	case app.FacetsPerField:
		if res.Facets, err = ix.facetsPerField(txn, conds, nums); err != nil {
			return nil, err
		}
	}
	res.Records = ix.ordered(nums, q)
	return res, nil
}

// condition is one part of what a query selects: the records holding any
// of the values asked for in one field, or the records holding the words.
type condition struct {
	field field // fieldWords for the words
	set   bitmap
}

// fieldWords marks the condition on the words a query searches for; it is
// no field of the index.
const fieldWords = numFields

// conditions returns q's conditions: for each field q filters on, the
// union of the postings of the values asked for, and the records holding
// q's words if it has any.
func (ix *index) conditions(txn *memdb.Txn, q *app.Query) ([]condition, error) {
	authors := make([]string, len(q.Authors))
	for i, a := range q.Authors {
		authors[i] = strings.ToLower(a)
	}
	dims := []struct {
		f    field
		vals []string
	}{
		{fieldKind, strs(q.Kinds)}, {fieldStatus, strs(q.Statuses)}, {fieldSubRegion, strs(q.SubRegions)},
		{fieldCountry, strs(q.Countries)}, {fieldMeeting, strs(q.Meetings)}, {fieldTheme, strs(q.Themes)},
		{fieldStakeholder, strs(q.Stakeholders)}, {fieldPopulation, strs(q.Populations)}, {fieldTag, strs(q.Tags)},
		{fieldAuthor, authors}, {fieldReplyTo, strs(q.RepliesTo)}, {fieldAttention, q.Attention},
	}
	var conds []condition
	for _, d := range dims {
		if len(d.vals) == 0 {
			continue
		}
		union, err := ix.union(txn, d.f, d.vals)
		if err != nil {
			return nil, err
		}
		conds = append(conds, condition{d.f, union})
	}
	if words, ok := ix.text.search(q.Text); ok {
		conds = append(conds, condition{fieldWords, words})
	}
	return conds, nil
}

// matching returns the numbers of the records that meet every condition:
// every record when there is none.
func (ix *index) matching(conds []condition) []uint32 {
	set, all := intersect(nil, conds)
	if all {
		nums := make([]uint32, len(ix.recs))
		for i := range nums {
			nums[i] = uint32(i)
		}
		return nums
	}
	nums := make([]uint32, 0, set.count())
	set.each(func(n uint32) { nums = append(nums, n) })
	return nums
}

// intersect returns the records in every condition's set, in buf's room
// if it has enough (buf may be nil); all is true when there is no
// condition, so no limit.
func intersect(buf bitmap, conds []condition) (set bitmap, all bool) {
	if len(conds) == 0 {
		return nil, true
	}
	set = append(buf[:0], conds[0].set...)
	for _, c := range conds[1:] {
		set = set.and(c.set)
	}
	return set, false
}

// union is the set of records holding any of vals in field f.
func (ix *index) union(txn *memdb.Txn, f field, vals []string) (bitmap, error) {
	union := make(bitmap, (len(ix.recs)+63)/64)
	for _, v := range vals {
		p, err := ix.lookup(txn, f, v)
		if err != nil {
			return nil, err
		}
		if p == nil {
			continue
		}
		if p.Bits != nil {
			union = union.or(p.Bits)
		} else {
			for _, n := range p.Nums {
				union = union.with(n)
			}
		}
	}
	return union, nil
}

// ordered sorts the records numbered nums as q asks and returns q's page
// of them.
func (ix *index) ordered(nums []uint32, q *app.Query) []*app.Record {
	var out []*app.Record
	if q.Sort == "" || q.Sort == app.SortUpdated {
		// Sort record numbers by the flat array of update times, and look
		// at records only for the page.
		cmp := ix.byUpdated(q.Asc)
		if k := q.Offset + q.Limit; q.Limit > 0 && k < len(nums)/4 {
			nums = topK(nums, k, cmp) // a page of a large result: no need to sort it all
		} else {
			slices.SortFunc(nums, cmp)
		}
		nums = page(nums, q.Offset, q.Limit)
		out = make([]*app.Record, len(nums))
		for i, n := range nums {
			out[i] = ix.recs[n]
		}
		return out
	}
	out = make([]*app.Record, len(nums))
	for i, n := range nums {
		out[i] = ix.recs[n]
	}
	slices.SortFunc(out, compareFor(q.Sort, q.Asc))
	return page(out, q.Offset, q.Limit)
}

// page returns the part of xs a page asks for.
func page[T any](xs []T, offset, limit int) []T {
	xs = xs[min(offset, len(xs)):]
	if limit > 0 && len(xs) > limit {
		xs = xs[:limit]
	}
	return xs
}

// byUpdated orders record numbers by update time, most recent first unless
// asc; ties (the same HLC cannot happen twice on one device, but can across
// devices) by record number.
func (ix *index) byUpdated(asc bool) func(a, b uint32) int {
	return func(a, b uint32) int {
		c := cmp.Compare(ix.updated[a], ix.updated[b])
		if c == 0 {
			c = cmp.Compare(a, b)
		}
		if !asc {
			c = -c
		}
		return c
	}
}

// topK returns the first k of xs in the order cmp gives, sorted. It looks
// at xs from the end: record numbers ascend roughly with time, so for the
// usual most-recent-first order the best come first and the rest are
// rejected at one comparison each.
func topK[T any](xs []T, k int, cmp func(a, b T) int) []T {
	best := make([]T, 0, k+1)
	for i := len(xs) - 1; i >= 0; i-- {
		r := xs[i]
		if len(best) == k && cmp(r, best[k-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(best, r, cmp)
		best = slices.Insert(best, i, r)
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}

// compareFor orders records by a field, ties broken by id, descending
// unless asc.
func compareFor(by app.SortField, asc bool) func(a, b *app.Record) int {
	var key func(a, b *app.Record) int
	switch by {
	case app.SortCreated:
		key = func(a, b *app.Record) int { return cmp.Compare(a.Created, b.Created) }
	case app.SortTitle:
		key = func(a, b *app.Record) int { return strings.Compare(a.Title, b.Title) }
	default:
		key = func(a, b *app.Record) int { return cmp.Compare(a.Updated, b.Updated) }
	}
	return func(a, b *app.Record) int {
		c := key(a, b)
		if c == 0 {
			c = strings.Compare(string(a.ID), string(b.ID))
		}
		if !asc {
			c = -c
		}
		return c
	}
}
