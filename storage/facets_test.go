package storage

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

// facetField is a field with facet counts, as the brute force sees it: how
// a query asks for values of it, which values a record holds, and the
// counts a result carries for it.
type facetField struct {
	name   string
	ask    func(q *app.Query, vals []string) // vals nil: no condition
	holds  func(tax *app.Taxonomy, r *app.Record) []string
	counts func(f *app.Facets) map[string]int
}

var facetFields = []facetField{
	{"kind", func(q *app.Query, v []string) { q.Kinds = conv[app.Kind](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return []string{string(r.Kind)} },
		func(f *app.Facets) map[string]int { return f.Kind }},
	{"status", func(q *app.Query, v []string) { q.Statuses = conv[app.Status](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return []string{string(r.Status)} },
		func(f *app.Facets) map[string]int { return f.Status }},
	{"subregion", func(q *app.Query, v []string) { q.SubRegions = conv[app.SubRegion](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return []string{string(r.SubRegion)} },
		func(f *app.Facets) map[string]int { return f.SubRegion }},
	{"country", func(q *app.Query, v []string) { q.Countries = conv[app.CountryCode](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return []string{string(r.Country)} },
		func(f *app.Facets) map[string]int { return f.Country }},
	{"meeting", func(q *app.Query, v []string) { q.Meetings = conv[app.RecordID](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return []string{string(r.Meeting)} },
		func(f *app.Facets) map[string]int { return f.Meeting }},
	{"theme", func(q *app.Query, v []string) { q.Themes = conv[app.ThemeCode](v) },
		func(tax *app.Taxonomy, r *app.Record) []string {
			var out []string
			for _, t := range r.Themes {
				out = append(out, string(t))
				out = append(out, strs(tax.Ancestors(t))...)
			}
			slices.Sort(out)
			return slices.Compact(out) // a record counts once under a theme
		},
		func(f *app.Facets) map[string]int { return f.Theme }},
	{"stakeholder", func(q *app.Query, v []string) { q.Stakeholders = conv[app.StakeholderCode](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return []string{string(r.Stakeholder)} },
		func(f *app.Facets) map[string]int { return f.Stakeholder }},
	{"population", func(q *app.Query, v []string) { q.Populations = conv[app.PopulationCode](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return strs(r.Populations) },
		func(f *app.Facets) map[string]int { return f.Population }},
	{"tag", func(q *app.Query, v []string) { q.Tags = conv[app.TagCode](v) },
		func(_ *app.Taxonomy, r *app.Record) []string { return strs(r.Tags) },
		func(f *app.Facets) map[string]int { return f.Tag }},
}

// bruteFacets counts, for each field, the values of the records that
// match q with that field's condition left out: the definition of
// app.FacetsPerField, the slow, obvious way.
func bruteFacets(tax *app.Taxonomy, q *app.Query, recs []*app.Record) map[string]map[string]int {
	want := map[string]map[string]int{}
	for _, ff := range facetFields {
		without := *q
		ff.ask(&without, nil)
		counts := map[string]int{}
		for _, r := range recs {
			if !matchRecord(tax, &without, r) {
				continue
			}
			for _, v := range ff.holds(tax, r) {
				if v != "" {
					counts[v]++
				}
			}
		}
		want[ff.name] = counts
	}
	return want
}

// TestFacetsPerFieldMatchBruteForce runs random filters of one, two and
// three fields, one or more values each, over random records changing in
// between, and compares every field's counts with the brute force.
func TestFacetsPerFieldMatchBruteForce(t *testing.T) {
	defer func(m int) { minDense = m }(minDense)
	minDense = 4 // so that postings are bitmaps and lists both
	svc, st := newService(t, "")
	tax := app.MustTaxonomy()
	rng := rand.New(rand.NewPCG(24, 1))
	one := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	some := func(xs []string, most int) []string {
		var out []string
		for range 1 + rng.IntN(most) {
			if v := one(xs); !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	var meetings []string
	for i := range 4 {
		id, err := svc.Create(app.KindMeeting, app.Patch{Title: ptrTo("Consulta " + string(rune('A'+i))), SubRegion: ptrTo(app.SubRegion(one(tax.Codes("subregions"))))})
		if err != nil {
			t.Fatal(err)
		}
		meetings = append(meetings, string(id))
	}
	words := []string{"migración", "apatridia", "frontera", "asile", "documentos"}
	var ids []app.RecordID
	for i := range 300 {
		sr := app.SubRegion(one(tax.Codes("subregions")))
		var country app.CountryCode
		if term, _ := tax.Lookup("subregions", string(sr)); len(term.Countries) > 0 {
			country = app.CountryCode(one(term.Countries))
		}
		p := app.Patch{Title: ptrTo(one(words) + " " + one(words)), SubRegion: &sr, Country: &country,
			Meeting:     ptrTo(app.RecordID(one(meetings))),
			Stakeholder: ptrTo(app.StakeholderCode(one(tax.Codes("stakeholders")))),
			AddThemes:   conv[app.ThemeCode](some(tax.Codes("themes"), 2)),
			AddPops:     conv[app.PopulationCode](some(tax.Codes("populations"), 2)),
			AddTags:     conv[app.TagCode](some(tax.Codes("tags"), 2))}
		id, err := svc.Create(app.Kinds[1+rng.IntN(3)], p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		if i%5 == 0 {
			if err := svc.Withdraw(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	values := map[string][]string{
		"kind": strs(app.Kinds), "status": {string(app.StatusActive), string(app.StatusWithdrawn)},
		"subregion": tax.Codes("subregions"), "country": tax.Codes("countries"), "meeting": meetings,
		"theme": tax.Codes("themes"), "stakeholder": tax.Codes("stakeholders"),
		"population": tax.Codes("populations"), "tag": tax.Codes("tags"),
	}
	all := func() []*app.Record {
		res, err := st.Query(&app.Query{})
		if err != nil {
			t.Fatal(err)
		}
		recs := make([]*app.Record, len(res.Records))
		for i, r := range res.Records {
			if recs[i], err = st.Record(r.ID); err != nil { // with the body, for the words
				t.Fatal(err)
			}
		}
		return recs
	}

	tests := []struct {
		name   string
		fields int
		words  bool
	}{
		{"one field", 1, false},
		{"two fields", 2, false},
		{"three fields", 3, false},
		{"two fields and words", 2, true},
	}
	told := 0 // counts of values not asked for in a field filtered on
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for round := range 30 {
				if round%3 == 0 { // change a record under the indexes
					p := app.Patch{AddThemes: conv[app.ThemeCode](some(tax.Codes("themes"), 1)),
						DelTags: conv[app.TagCode](some(tax.Codes("tags"), 2)), Stakeholder: ptrTo(app.StakeholderCode(one(tax.Codes("stakeholders"))))}
					if err := svc.Update(ids[rng.IntN(len(ids))], p); err != nil {
						t.Fatal(err)
					}
				}
				q := &app.Query{Facets: app.FacetsPerField}
				asked := map[string][]string{}
				for _, i := range rng.Perm(len(facetFields))[:tt.fields] {
					ff := facetFields[i]
					asked[ff.name] = some(values[ff.name], 3)
					ff.ask(q, asked[ff.name])
				}
				if tt.words {
					q.Text = one(words)
				}
				res, err := st.Query(q)
				if err != nil {
					t.Fatal(err)
				}
				want := bruteFacets(tax, q, all())
				for _, ff := range facetFields {
					if got := ff.counts(res.Facets); !maps.Equal(got, want[ff.name]) {
						t.Fatalf("round %d, asked %v, text %q: %s counts\ngot  %v\nwant %v", round, asked, q.Text, ff.name, got, want[ff.name])
					}
					for v, n := range want[ff.name] {
						if asked[ff.name] != nil && !slices.Contains(asked[ff.name], v) && n > 0 {
							told++
						}
					}
				}
			}
		})
	}
	if told == 0 {
		t.Fatal("no filter left a value of its own field with a count: the test checks nothing per field")
	}
}

// TestListCountsKindsItWouldList: the service's lists count the kinds
// without the kinds asked for, but leaving those out means the kinds a list
// holds by default, so a draft's paragraphs count only when asked for.
func TestListCountsKindsItWouldList(t *testing.T) {
	svc, st := newService(t, "")
	zeroDraft(t, svc)
	for i, k := range []app.Kind{app.KindNote, app.KindNote, app.KindProposal, app.KindInput, app.KindProposal} {
		if _, err := svc.Create(k, note(fmt.Sprint("registro ", i), "texto", "andes", "PE", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	every, err := st.Query(&app.Query{Facets: app.FacetsOfResult})
	if err != nil {
		t.Fatal(err)
	}
	byKind := every.Facets.Kind // every record, drafts included
	if byKind[string(app.KindParagraph)] == 0 {
		t.Fatal("the draft has no paragraphs to leave out")
	}
	tests := []struct {
		name  string
		kinds []string
	}{
		{"no kinds", nil},
		{"a listed kind", []string{string(app.KindProposal)}},
		{"a drafting kind", []string{string(app.KindParagraph)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := svc.List(app.Filter{Kinds: tt.kinds}, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := maps.Clone(byKind)
			maps.DeleteFunc(want, func(k string, _ int) bool {
				return !slices.Contains(app.Kinds, app.Kind(k)) && !slices.Contains(tt.kinds, k)
			})
			if !maps.Equal(res.Facets.Kind, want) {
				t.Errorf("kind counts %v, want %v", res.Facets.Kind, want)
			}
		})
	}
}
