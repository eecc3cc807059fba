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

// Query returns the records matching q: within a field the union of the
// postings of the values asked for, across fields and with the word index
// their intersection; then facet counts over the result, then sorting and
// paging.
func (s *Store) Query(q *app.Query) (*app.Result, error) {
	s.idxMu.RLock()
	defer s.idxMu.RUnlock()
	ix := s.idx
	txn := s.mem.Txn(false)
	all, err := txn.Get(tableRecords, indexID)
	if err != nil {
		return nil, err
	}
	res := &app.Result{Changed: all.WatchCh()}

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
		{fieldAuthor, authors}, {fieldReplyTo, strs(q.RepliesTo)},
	}
	var acc bitmap
	filtered := false
	for _, d := range dims {
		if len(d.vals) == 0 {
			continue
		}
		var union bitmap
		for _, v := range d.vals {
			obj, err := txn.First(tablePostings, indexID, postingKey(d.f, v))
			if err != nil {
				return nil, err
			}
			if obj != nil {
				union = union.or(obj.(*posting).Bits)
			}
		}
		if filtered {
			acc = acc.and(union)
		} else {
			acc, filtered = union, true
		}
	}
	if words, ok := ix.text.search(q.Text); ok {
		if filtered {
			acc = acc.and(words)
		} else {
			acc, filtered = words, true
		}
	}

	var nums []uint32
	if filtered {
		nums = make([]uint32, 0, acc.count())
		acc.each(func(n uint32) { nums = append(nums, n) })
	} else {
		nums = make([]uint32, len(ix.recs))
		for i := range nums {
			nums[i] = uint32(i)
		}
	}
	out := make([]*app.Record, len(nums))
	for i, n := range nums {
		out[i] = ix.recs[n]
	}
	res.Total = len(out)
	if q.Facets {
		res.Facets = ix.facets(nums)
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

// facets counts the records numbered nums per value of each field, by adding up the
// postings each record is in.
func (ix *index) facets(nums []uint32) *app.Facets {
	counts := make([]int, len(ix.keys))
	for _, n := range nums {
		for _, id := range ix.pids[n] {
			counts[id]++
		}
	}
	f := app.NewFacets()
	maps := [numFields]map[string]int{
		fieldKind: f.Kind, fieldStatus: f.Status, fieldSubRegion: f.SubRegion, fieldCountry: f.Country,
		fieldMeeting: f.Meeting, fieldTheme: f.Theme, fieldStakeholder: f.Stakeholder,
		fieldPopulation: f.Population, fieldTag: f.Tag,
	}
	for id, n := range counts {
		if n == 0 {
			continue
		}
		ref := ix.keys[id]
		if m := maps[ref.field]; m != nil {
			m[ref.value] = n
		}
	}
	return f
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
