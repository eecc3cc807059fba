package demo

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
)

func openService(t testing.TB) *app.Service {
	t.Helper()
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Init("Cartagena +40"); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestLoad(t *testing.T) {
	svc := openService(t)
	const n = 3000
	var calls [][2]int
	ids, err := Load(svc, n, 1, 500, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != n {
		t.Fatalf("Load returned %d ids, want %d", len(ids), n)
	}
	drafts := Generate(svc.Taxonomy(), n, 1)
	if !sameIDs(ids, drafts) {
		t.Error("Load stored other ids than Generate makes")
	}

	// Progress: after each batch, at most 500 at a time, meetings alone first.
	meetings := countKind(drafts, app.KindMeeting)
	if len(calls) == 0 || calls[0][0] != meetings {
		t.Errorf("first progress call %v, want the %d meetings alone", calls[:min(1, len(calls))], meetings)
	}
	prev := 0
	for _, c := range calls {
		if c[1] != n || c[0] <= prev || c[0]-prev > 500 {
			t.Fatalf("progress calls %v: want increasing done, steps of at most 500, total %d", calls, n)
		}
		prev = c[0]
	}
	if prev != n {
		t.Errorf("last progress call says %d done, want %d", prev, n)
	}

	res, err := svc.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != n {
		t.Errorf("List total = %d, want %d", res.Total, n)
	}
	for _, k := range app.Kinds {
		if res.Facets.Kind[string(k)] == 0 {
			t.Errorf("no stored %s", k)
		}
	}
	for _, sr := range svc.Taxonomy().SubRegions {
		if res.Facets.SubRegion[sr.Code] == 0 {
			t.Errorf("no stored record in sub-region %s", sr.Code)
		}
	}
	for _, th := range svc.Taxonomy().Themes {
		if res.Facets.Theme[th.Code] == 0 {
			t.Errorf("no stored record under theme %s", th.Code)
		}
	}

	// Common search words find records.
	for _, w := range []string{"migración", "apatridia", "refugiados", "integração", "statelessness", "asile", "reasentamiento", "xenofobia", "Carthagène"} {
		res, err := svc.List(app.Filter{Text: w}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total == 0 {
			t.Errorf("searching %q finds nothing", w)
		}
	}

	// Stored records are what was generated, with a meeting's place.
	for _, i := range []int{0, meetings, n / 2, n - 1} {
		d := drafts[i]
		r, err := svc.Get(d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != d.Kind || r.Title != *d.Patch.Title || r.Body != *d.Patch.Body || r.Country != *d.Patch.Country {
			t.Errorf("record %s does not match its draft", d.ID)
		}
		if d.Kind == app.KindProposal && r.Status != *d.Patch.Status {
			t.Errorf("proposal %s has status %s, want %s", d.ID, r.Status, *d.Patch.Status)
		}
	}
}

// TestLoadSmallBatches loads with batches so small that comments often
// reply to a proposal of the batch being filled, and must wait for the next.
func TestLoadSmallBatches(t *testing.T) {
	svc := openService(t)
	const n, batch = 700, 7
	prev := 0
	ids, err := Load(svc, n, 3, batch, func(done, total int) {
		if done-prev > batch || done <= prev {
			t.Fatalf("progress went from %d to %d with batches of %d", prev, done, batch)
		}
		prev = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sameIDs(ids, Generate(svc.Taxonomy(), n, 3)) {
		t.Error("Load stored other ids than Generate makes")
	}
	res, err := svc.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != n {
		t.Errorf("List total = %d, want %d", res.Total, n)
	}
}

func TestDeterminism(t *testing.T) {
	tax := app.MustTaxonomy()
	a, b := Generate(tax, 2000, 42), Generate(tax, 2000, 42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Generate with the same seed gave different drafts")
	}
	c := Generate(tax, 2000, 43)
	if reflect.DeepEqual(a, c) {
		t.Fatal("Generate with different seeds gave the same drafts")
	}
	if a[0].ID == c[0].ID || *a[0].Patch.Title == *c[0].Patch.Title && *a[0].Patch.Body == *c[0].Patch.Body {
		t.Error("different seeds start with the same meeting")
	}
	if !reflect.DeepEqual(Generate(nil, 50, 42), Generate(tax, 50, 42)) {
		t.Error("a nil taxonomy is not the embedded one")
	}
}

// TestValid checks every draft against the service's rules without a store,
// for many sizes.
func TestValid(t *testing.T) {
	tax := app.MustTaxonomy()
	for _, n := range []int{1, 2, 3, 4, 5, 6, 9, 12, 40, 199, 201, 3000} {
		ds := Generate(tax, n, int64(n))
		if len(ds) != n {
			t.Fatalf("Generate(%d) returned %d drafts", n, len(ds))
		}
		checkDrafts(t, tax, ds)
		if n >= 5 {
			seen := map[app.SubRegion]bool{}
			for _, d := range ds[:5] {
				seen[*d.Patch.SubRegion] = true
			}
			if len(seen) != 5 {
				t.Errorf("n=%d: the first five meetings cover %d sub-regions, want 5", n, len(seen))
			}
		}
	}
	if ds := Generate(tax, 0, 1); ds != nil {
		t.Errorf("Generate(0) = %d drafts, want none", len(ds))
	}
}

func checkDrafts(t *testing.T, tax *app.Taxonomy, ds []app.Draft) {
	t.Helper()
	kinds := map[app.RecordID]app.Kind{}
	prevID := ""
	meetingsDone := false
	for i, d := range ds {
		p := d.Patch
		where := func() string { return string(d.Kind) + " " + string(d.ID) }
		if !app.ValidID(string(d.ID)) || string(d.ID) <= prevID {
			t.Fatalf("draft %d: id %q is not a valid id after %q", i, d.ID, prevID)
		}
		prevID = string(d.ID)
		if d.Kind == app.KindMeeting && meetingsDone {
			t.Fatalf("%s: meeting after other records", where())
		}
		meetingsDone = d.Kind != app.KindMeeting
		if err := tax.ValidatePatch(d.Kind, &p); err != nil {
			t.Fatalf("%s: %v", where(), err)
		}
		op := &app.Op{Device: "0123456789abcdef", Seq: 1, Type: app.OpCreate, Record: d.ID, Kind: d.Kind, Patch: &p}
		r := app.Fold([]*app.Op{op})
		if err := tax.ValidateRecord(r); err != nil {
			t.Fatalf("%s: %v", where(), err)
		}
		if p.Lang == nil || p.SubRegion == nil || p.Country == nil || p.Author == nil || p.Org == nil || p.Title == nil || p.Body == nil {
			t.Fatalf("%s: missing field: %+v", where(), p)
		}
		if r.Country == "" || r.SubRegion == "" {
			t.Fatalf("%s: no place", where())
		}
		if *p.SubRegion != "regional" {
			if sr, _ := tax.RegionOf(*p.Country); sr != *p.SubRegion {
				t.Fatalf("%s: country %s is not in %s", where(), *p.Country, *p.SubRegion)
			}
		}
		checkBody(t, where(), *p.Body)
		switch d.Kind {
		case app.KindMeeting:
			day, err := time.Parse(time.DateOnly, deref(p.Date))
			if err != nil || day.Year() != 2024 {
				t.Fatalf("%s: date %q is not in 2024", where(), deref(p.Date))
			}
			if deref(p.Venue) == "" || !strings.Contains(*p.Title, " — ") {
				t.Fatalf("%s: venue %q, title %q", where(), deref(p.Venue), *p.Title)
			}
			if p.Meeting != nil || p.ReplyTo != nil {
				t.Fatalf("%s: a meeting refers to something", where())
			}
		case app.KindComment:
			if p.ReplyTo == nil || kinds[*p.ReplyTo] != app.KindProposal {
				t.Fatalf("%s: does not reply to an earlier proposal", where())
			}
			if !strings.HasPrefix(*p.Title, "Re: ") || len(p.AddThemes) != 0 || p.Status != nil {
				t.Fatalf("%s: title %q, themes %v, status %v", where(), *p.Title, p.AddThemes, p.Status)
			}
		default:
			if n := len(p.AddThemes); n < 1 || n > 3 || len(p.AddPops) > 2 || len(p.AddTags) > 2 {
				t.Fatalf("%s: %d themes, %d populations, %d tags", where(), n, len(p.AddPops), len(p.AddTags))
			}
			if d.Kind == app.KindInput && p.Stakeholder == nil {
				t.Fatalf("%s: an input without stakeholder group", where())
			}
			if (d.Kind == app.KindProposal) != (p.Status != nil) {
				t.Fatalf("%s: status %v", where(), p.Status)
			}
		}
		if d.Kind != app.KindMeeting {
			if p.Meeting == nil || kinds[*p.Meeting] != app.KindMeeting {
				t.Fatalf("%s: not in an earlier meeting", where())
			}
		}
		kinds[d.ID] = d.Kind
	}
}

// checkBody checks a body's length and paragraphs.
func checkBody(t *testing.T, where, body string) {
	t.Helper()
	words := len(strings.Fields(body))
	paras := strings.Split(body, "\n\n")
	if words < minWords || words > maxWords || len(paras) > 4 {
		t.Fatalf("%s: body of %d words in %d paragraphs:\n%s", where, words, len(paras), body)
	}
	for _, para := range paras {
		if strings.TrimSpace(para) != para || para == "" || strings.Contains(para, "\n") {
			t.Fatalf("%s: malformed paragraph %q", where, para)
		}
	}
	if strings.ContainsAny(body, "{}") {
		t.Fatalf("%s: unfilled slot in %q", where, body)
	}
}

func TestMix(t *testing.T) {
	for _, n := range []int{3000, 30000} {
		ds := Generate(nil, n, 7)
		meetings := countKind(ds, app.KindMeeting)
		if want := (n + 100) / 200; meetings != want {
			t.Errorf("n=%d: %d meetings, want %d", n, meetings, want)
		}
		rest := float64(n - meetings)
		tol := 0.03
		if n > 10000 {
			tol = 0.01
		}
		for k, want := range map[app.Kind]float64{app.KindNote: .45, app.KindProposal: .30, app.KindInput: .20, app.KindComment: .05} {
			if got := float64(countKind(ds, k)) / rest; math.Abs(got-want) > tol {
				t.Errorf("n=%d: %.1f%% %ss, want %.0f%%", n, 100*got, k, 100*want)
			}
		}
	}
}

func TestCoverage(t *testing.T) {
	tax := app.MustTaxonomy()
	ds := Generate(tax, 3000, 1)

	kinds := map[app.Kind]int{}
	langs := map[app.Lang]int{}
	regions := map[app.SubRegion]bool{}
	themes := map[app.ThemeCode]bool{}
	stakeholders := map[app.StakeholderCode]bool{}
	pops := map[app.PopulationCode]bool{}
	tags := map[app.TagCode]bool{}
	authors := map[string]bool{}
	accented, nonEnglish := 0, 0
	// Records by the language of their meeting's country.
	meetingCountry := map[app.RecordID]app.CountryCode{}
	byHost := map[string]map[app.Lang]int{}
	for _, d := range ds {
		p := d.Patch
		kinds[d.Kind]++
		regions[*p.SubRegion] = true
		authors[*p.Author] = true
		for _, c := range p.AddThemes {
			themes[c] = true
			for _, a := range tax.Ancestors(c) {
				themes[a] = true
			}
		}
		for _, c := range p.AddPops {
			pops[c] = true
		}
		for _, c := range p.AddTags {
			tags[c] = true
		}
		if p.Stakeholder != nil {
			stakeholders[*p.Stakeholder] = true
		}
		if *p.Lang != "en" {
			nonEnglish++
			if strings.ContainsAny(*p.Body, "áéíóúñçãõêàèôÁÉÍÓÚ") {
				accented++
			}
		}
		if d.Kind == app.KindMeeting {
			meetingCountry[d.ID] = *p.Country
			continue
		}
		langs[*p.Lang]++
		host := "other"
		switch c := meetingCountry[*p.Meeting]; {
		case c == "BR":
			host = "BR"
		case c == "HT":
			host = "HT"
		case slices.Contains([]app.CountryCode{"JM", "TT", "BB", "BS", "GY", "AG", "DM", "GD", "KN", "LC", "VC"}, c):
			host = "anglophone"
		}
		if byHost[host] == nil {
			byHost[host] = map[app.Lang]int{}
		}
		byHost[host][*p.Lang]++
	}

	for _, k := range app.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	records := len(ds) - kinds[app.KindMeeting]
	for l, want := range map[app.Lang]float64{"es": .50, "pt": .20, "en": .20, "fr": .10} {
		if got := float64(langs[l]) / float64(records); math.Abs(got-want) > .08 {
			t.Errorf("%.1f%% of records in %s, want about %.0f%%", 100*got, l, 100*want)
		}
	}
	for host, lang := range map[string]app.Lang{"BR": "pt", "HT": "fr", "anglophone": "en", "other": "es"} {
		counts := byHost[host]
		total := 0
		for _, c := range counts {
			total += c
		}
		if total > 0 && float64(counts[lang])/float64(total) < .5 {
			t.Errorf("records of meetings in %s: %v; want most in %s", host, counts, lang)
		}
	}
	for _, sr := range tax.SubRegions {
		if !regions[app.SubRegion(sr.Code)] {
			t.Errorf("no record in sub-region %s", sr.Code)
		}
	}
	for _, th := range tax.Themes {
		if !themes[app.ThemeCode(th.Code)] {
			t.Errorf("no record under theme %s", th.Code)
		}
	}
	children := 0
	for c := range themes {
		if strings.HasPrefix(string(c), "gcr-") || strings.HasPrefix(string(c), "mpa-") {
			children++
		}
	}
	if children < 6 {
		t.Errorf("only %d gcr-/mpa- sub-themes used", children)
	}
	if len(stakeholders) < len(tax.Stakeholders) || len(pops) < len(tax.Populations) || len(tags) < len(tax.Tags) {
		t.Errorf("used %d stakeholder groups, %d populations, %d tags; want all", len(stakeholders), len(pops), len(tags))
	}
	if len(authors) < 500 {
		t.Errorf("only %d distinct authors", len(authors))
	}
	if float64(accented)/float64(nonEnglish) < .97 {
		t.Errorf("only %d of %d bodies in es, pt and fr have accented letters", accented, nonEnglish)
	}
	var all strings.Builder
	for _, d := range ds {
		all.WriteString(*d.Patch.Body)
	}
	for _, r := range "áéíóúñçãõêà" {
		if !strings.ContainsRune(all.String(), r) {
			t.Errorf("no body contains %q", r)
		}
	}
}

// TestVocabulary checks that bodies differ enough for full-text search to
// discriminate: many distinct words, and no word in nearly every record.
func TestVocabulary(t *testing.T) {
	ds := Generate(nil, 3000, 5)
	df := map[string]int{}
	for _, d := range ds {
		for _, w := range app.Words(*d.Patch.Title + "\n" + *d.Patch.Body) {
			df[w]++
		}
	}
	if len(df) < 3000 {
		t.Errorf("only %d distinct words in 3000 records", len(df))
	}
	for _, w := range []string{"migracion", "apatridia", "refugiados", "integracao", "statelessness", "asile"} {
		if df[w] < 10 {
			t.Errorf("%q occurs in %d records", w, df[w])
		}
	}
	for _, w := range []string{"cartagena", "reasentamiento", "asylum", "frontieres"} {
		if n := df[w]; n == 0 || n > len(ds)/2 {
			t.Errorf("%q occurs in %d of %d records", w, n, len(ds))
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	tax := app.MustTaxonomy()
	for b.Loop() {
		Generate(tax, 100000, 1)
	}
}

func countKind(ds []app.Draft, k app.Kind) int {
	n := 0
	for _, d := range ds {
		if d.Kind == k {
			n++
		}
	}
	return n
}

func sameIDs(ids []app.RecordID, ds []app.Draft) bool {
	if len(ids) != len(ds) {
		return false
	}
	want := make([]app.RecordID, len(ds))
	for i, d := range ds {
		want[i] = d.ID
	}
	got := slices.Clone(ids)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
