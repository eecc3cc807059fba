package storage

import (
	"github.com/cartagena-c40/consulta/app"
	"github.com/hashicorp/go-memdb"
)

// facets counts the records numbered nums per value of each field, by
// adding up the postings each record is in (app.FacetsOfResult).
func (ix *index) facets(nums []uint32) *app.Facets {
	counts := make([]int32, len(ix.keys))
	for _, n := range nums {
		for _, id := range ix.pids(n) {
			if id&uncounted == 0 {
				counts[id]++
			}
		}
	}
	f := app.NewFacets()
	maps := facetMaps(f)
	for id, n := range counts {
		if n == 0 {
			continue
		}
		ref := ix.keys[id]
		if m := maps[ref.field]; m != nil {
			m[ref.value] = int(n)
		}
	}
	return f
}

// facetsPerField counts the values of each field over what the query,
// whose conditions are conds and whose result is nums, selects without its
// condition on that field (app.FacetsPerField). Fields without a condition
// are counted over the result; each field with one is counted again, from
// its postings, over the intersection of the other conditions: a few
// bitmap intersections, as many as the fields the query filters on.
func (ix *index) facetsPerField(txn *memdb.Txn, conds []condition, nums []uint32) (*app.Facets, error) {
	f := ix.facets(nums)
	maps := facetMaps(f)
	var buf bitmap // one field's others at a time
	for i, c := range conds {
		if c.field == fieldWords || maps[c.field] == nil {
			continue // the words, author, replies-to, attention: no counts
		}
		others := make([]condition, 0, len(conds)-1)
		others = append(append(others, conds[:i]...), conds[i+1:]...)
		set, all := intersect(buf, others)
		buf = set
		if err := ix.countValues(txn, c.field, set, all, maps[c.field]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// countValues replaces the counts in m with those of field f's values
// among the records in set (among every record when all).
func (ix *index) countValues(txn *memdb.Txn, f field, set bitmap, all bool, m map[string]int) error {
	clear(m)
	it, err := txn.Get(tablePostings, indexID+"_prefix", postingKey(f, ""))
	if err != nil {
		return err
	}
	for obj := it.Next(); obj != nil; obj = it.Next() {
		p := obj.(*posting)
		if n := p.countIn(set, all); n > 0 {
			m[p.Value] = n
		}
	}
	return nil
}

// countIn returns how many of p's records are in set; all of them when
// all.
func (p *posting) countIn(set bitmap, all bool) int {
	switch {
	case all && p.Bits != nil:
		return p.Bits.count()
	case all:
		return len(p.Nums)
	case p.Bits != nil:
		return p.Bits.andCount(set)
	}
	n := 0
	for _, r := range p.Nums {
		if set.has(r) {
			n++
		}
	}
	return n
}

// facetMaps returns f's counts by field; nil for the fields without counts.
func facetMaps(f *app.Facets) [numFields]map[string]int {
	return [numFields]map[string]int{
		fieldKind: f.Kind, fieldStatus: f.Status, fieldSubRegion: f.SubRegion, fieldCountry: f.Country,
		fieldMeeting: f.Meeting, fieldTheme: f.Theme, fieldStakeholder: f.Stakeholder,
		fieldPopulation: f.Population, fieldTag: f.Tag,
	}
}
