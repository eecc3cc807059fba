package storage

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

// matchRecord is the query semantics written the slow, obvious way: the
// oracle the indexes are checked against, and the baseline of the
// benchmark that scans Badger.
func matchRecord(tax *app.Taxonomy, q *app.Query, r *app.Record) bool {
	in := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	any := func(vals []string, have []string) bool {
		if len(vals) == 0 {
			return true
		}
		for _, h := range have {
			if slices.Contains(vals, h) {
				return true
			}
		}
		return false
	}
	var themes []string
	for _, t := range r.Themes {
		themes = append(themes, string(t))
		themes = append(themes, strs(tax.Ancestors(t))...)
	}
	authors := make([]string, len(q.Authors))
	for i, a := range q.Authors {
		authors[i] = strings.ToLower(a)
	}
	if !(in(strs(q.Kinds), string(r.Kind)) && in(strs(q.Statuses), string(r.Status)) &&
		in(strs(q.SubRegions), string(r.SubRegion)) && in(strs(q.Countries), string(r.Country)) &&
		in(strs(q.Meetings), string(r.Meeting)) && in(strs(q.Stakeholders), string(r.Stakeholder)) &&
		in(strs(q.RepliesTo), string(r.ReplyTo)) && in(authors, strings.ToLower(r.Author)) &&
		any(strs(q.Themes), themes) && any(strs(q.Populations), strs(r.Populations)) && any(strs(q.Tags), strs(r.Tags))) {
		return false
	}
	qw := app.Words(q.Text)
	if len(qw) == 0 {
		return true
	}
	have := app.Words(r.Title + " " + r.Body)
	for i, w := range qw {
		found := slices.Contains(have, w)
		if !found && i == len(qw)-1 && len([]rune(w)) >= minPrefix {
			for _, h := range have {
				if strings.HasPrefix(h, w) {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestQueryMatchesOracle runs random queries against random records, with
// updates in between, and compares the indexes with the obvious scan.
func TestQueryMatchesOracle(t *testing.T) {
	defer func(m int) { minDense = m }(minDense)
	minDense = 4 // so that postings turn into bitmaps and back
	svc, st := newService(t, "")
	tax := app.MustTaxonomy()
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(list string, n int) []string {
		codes := tax.Codes(list)
		var out []string
		for range n {
			out = append(out, codes[rng.IntN(len(codes))])
		}
		return out
	}
	words := []string{"migración", "apatridia", "frontera", "integração", "asile", "documentos", "niñas", "trabajo"}
	text := func() string {
		var ws []string
		for range 1 + rng.IntN(6) {
			ws = append(ws, words[rng.IntN(len(words))])
		}
		return strings.Join(ws, " ")
	}
	var ids []app.RecordID
	for range 300 {
		sr := app.SubRegion(pick("subregions", 1)[0])
		var country app.CountryCode
		if term, _ := tax.Lookup("subregions", string(sr)); len(term.Countries) > 0 {
			country = app.CountryCode(term.Countries[rng.IntN(len(term.Countries))])
		}
		title, body := text(), text()
		p := app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &country,
			AddThemes: conv[app.ThemeCode](pick("themes", 1+rng.IntN(2))), AddPops: conv[app.PopulationCode](pick("populations", rng.IntN(2))),
			AddTags: conv[app.TagCode](pick("tags", rng.IntN(2))), Author: ptrTo([]string{"Ana", "Luis", "Zoé"}[rng.IntN(3)])}
		kind := app.Kinds[1+rng.IntN(3)]
		id, err := svc.Create(kind, p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for round := range 200 {
		if round%40 == 39 { // withdraw a batch: "active" thins out, "withdrawn" grows
			for _, id := range ids[round : round+25] {
				if err := svc.Withdraw(id); err != nil {
					t.Fatal(err)
				}
			}
		}
		if round%4 == 0 { // change a record under the indexes
			id := ids[rng.IntN(len(ids))]
			title := text()
			p := app.Patch{Title: &title, AddThemes: conv[app.ThemeCode](pick("themes", 1)), AddTags: conv[app.TagCode](pick("tags", 1))}
			if rng.IntN(2) == 0 {
				p.DelTags = conv[app.TagCode](pick("tags", 2))
			}
			if err := svc.Update(id, p); err != nil {
				t.Fatal(err)
			}
		}
		q := &app.Query{Facets: app.FacetsOfResult}
		for range 1 + rng.IntN(3) {
			switch rng.IntN(8) {
			case 7:
				q.Statuses = []app.Status{[]app.Status{app.StatusActive, app.StatusWithdrawn, app.StatusDraft}[rng.IntN(3)]}
			case 0:
				q.SubRegions = conv[app.SubRegion](pick("subregions", 1+rng.IntN(2)))
			case 1:
				q.Themes = conv[app.ThemeCode](pick("themes", 1))
			case 2:
				q.Kinds = []app.Kind{app.Kinds[1+rng.IntN(3)]}
			case 3:
				q.Tags = conv[app.TagCode](pick("tags", 2))
			case 4:
				q.Text = words[rng.IntN(len(words))]
				if rng.IntN(2) == 0 {
					q.Text = q.Text[:4] // a prefix
				}
			case 5:
				q.Authors = []string{"ana", "ZOÉ"}
			case 6:
				q.Populations = conv[app.PopulationCode](pick("populations", 1))
			}
		}
		res, err := st.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		var want []app.RecordID
		all, _ := st.Query(&app.Query{})
		for _, r := range all.Records {
			if r.Body != "" {
				t.Fatal("query results should not carry bodies")
			}
			if r, _ = st.Record(r.ID); matchRecord(tax, q, r) {
				want = append(want, r.ID)
			}
		}
		var got []app.RecordID
		for _, r := range res.Records {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: query %+v\ngot  %d %v\nwant %d %v", round, q, len(got), got, len(want), want)
		}
		kinds := 0
		for _, n := range res.Facets.Kind {
			kinds += n
		}
		if kinds != res.Total {
			t.Fatalf("round %d: kind facets add up to %d, total %d", round, kinds, res.Total)
		}
	}
}

func conv[T ~string](xs []string) []T {
	var out []T
	for _, x := range xs {
		out = append(out, T(x))
	}
	return out
}

// TestPostingRepresentation: a posting becomes a bitmap when it is dense
// and a list again when it thins out, and answers the same either way.
func TestPostingRepresentation(t *testing.T) {
	defer func(m int) { minDense = m }(minDense)
	minDense = 4
	svc, st := newService(t, "")
	posting := func(f field, v string) *posting {
		if err := st.indexed(); err != nil {
			t.Fatal(err)
		}
		obj, err := st.mem.Txn(false).First(tablePostings, indexID, postingKey(f, v))
		if err != nil || obj == nil {
			t.Fatalf("no posting %s=%s: %v", fieldNames[f], v, err)
		}
		return obj.(*posting)
	}
	count := func(status string) int {
		res, err := svc.List(app.Filter{Statuses: []string{status}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	var ids []app.RecordID
	for range 40 {
		id, err := svc.Create(app.KindNote, note("t", "b", "andes", "PE", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if p := posting(fieldStatus, "active"); p.Bits == nil || p.Nums != nil {
		t.Fatalf("40 of 40 records: want a bitmap, got %d nums", len(p.Nums))
	}
	for _, id := range ids {
		if err := svc.Withdraw(id); err != nil {
			t.Fatal(err)
		}
	}
	if p := posting(fieldStatus, "active"); p.Bits != nil {
		t.Fatal("an empty posting stayed a bitmap")
	}
	if n := count("active"); n != 0 {
		t.Fatalf("active: %d", n)
	}
	if n := count("withdrawn"); n != 40 {
		t.Fatalf("withdrawn: %d", n)
	}
	if p := posting(fieldStatus, "withdrawn"); p.Bits == nil {
		t.Fatal("withdrawn should be a bitmap now")
	}
}
