package storage

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
)

// demoTexts returns n demo records with their titles and bodies: what a
// first sync splits into words.
func demoTexts(n int) []*app.Record {
	var out []*app.Record
	for _, d := range demo.Generate(nil, n, 7) {
		r := &app.Record{}
		if d.Patch.Title != nil {
			r.Title = *d.Patch.Title
		}
		if d.Patch.Body != nil {
			r.Body = *d.Patch.Body
		}
		out = append(out, r)
	}
	return out
}

// TestTokenizerMatchesWords checks the tokenizer's word ids against
// app.Words, record by record, with tokenizers reused across records and
// several tokenizers sharing one vocabulary, one of them counting past
// 2³² records.
func TestTokenizerMatchesWords(t *testing.T) {
	recs := demoTexts(400)
	recs = append(recs, &app.Record{Title: "Migración MIGRACION migracion", Body: "Ação, ação; À l'école: l’élève. Niño niño NIÑO 2024 x y zz"})
	ti := newTextIndex()
	toks := []*tokenizer{ti.tokenizer(), ti.tokenizer()}
	toks[1].gen = math.MaxUint32 - 100 // its count of records wraps on the way
	for i, r := range recs {
		got := toks[i%2].ids(r)
		var words []string
		for _, id := range got {
			words = append(words, ti.words[id])
		}
		want := app.Words(r.Title + " " + r.Body)
		slices.Sort(words)
		slices.Sort(want)
		if !slices.Equal(words, want) {
			t.Fatalf("record %d: words %q, want %q", i, words, want)
		}
	}
}

// BenchmarkTokenize splits demo records into word ids, as a first sync
// does for each record it receives. Reports text bytes per second.
func BenchmarkTokenize(b *testing.B) {
	recs := demoTexts(5000)
	size := 0
	for _, r := range recs {
		size += len(r.Title) + len(r.Body)
	}
	ti := newTextIndex()
	tok := ti.tokenizer()
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, r := range recs {
			tok.ids(r)
		}
	}
}

// TestWordAddsMatchAdd: adding words a batch at a time, grouped by word,
// gives the same postings as adding them record by record, also when a
// batch holds records numbered below what the postings hold already.
func TestWordAddsMatchAdd(t *testing.T) {
	// build adds twenty rounds of random records to a new index, one at a
	// time or through wordAdds flushed after every record or every round.
	build := func(how string) *textIndex {
		rng := rand.New(rand.NewPCG(1, 2))
		ti := newTextIndex()
		var adds wordAdds
		for round := range 20 {
			for range rng.IntN(300) {
				n := uint32(round*1000 + rng.IntN(1000))
				if rng.IntN(10) == 0 {
					n = uint32(rng.IntN(round*1000 + 1)) // an older record
				}
				ids := map[uint32]bool{}
				for range rng.IntN(40) {
					ids[uint32(rng.IntN(500))] = true
				}
				words := slices.Sorted(maps.Keys(ids))
				switch how {
				case "add":
					ti.add(n, words)
				case "record":
					adds.put(n, words)
					adds.flush(ti)
				default:
					adds.put(n, words)
				}
			}
			adds.flush(ti)
		}
		return ti
	}
	want := build("add")
	for _, how := range []string{"record", "round"} {
		got := build(how)
		if len(got.post) != len(want.post) {
			t.Fatalf("%s: %d postings, want %d", how, len(got.post), len(want.post))
		}
		for w := range want.post {
			if !slices.Equal(got.post[w], want.post[w]) {
				t.Fatalf("%s: word %d: %v, want %v", how, w, got.post[w], want.post[w])
			}
		}
	}
	for w, p := range want.post {
		if !slices.IsSorted(p) {
			t.Fatalf("word %d: unsorted %v", w, p)
		}
	}
}

// TestIndexCreateAndEditInOneBatch: when the indexer takes a record's
// creation and an edit of it in one batch, the words the edit removed are
// gone from the word index and those it added are found.
func TestIndexCreateAndEditInOneBatch(t *testing.T) {
	_, st := newService(t, "")
	rec := func(title string) *app.Record {
		return &app.Record{ID: "01JAAAAAAAAAAAAAAAAAAAAAAA", Kind: app.KindNote, Status: app.StatusActive,
			Title: title, Body: "texto común", Themes: []app.ThemeCode{"broad-protection"}}
	}
	other := &app.Record{ID: "01JBBBBBBBBBBBBBBBBBBBBBBB", Kind: app.KindNote, Status: app.StatusActive,
		Title: "otra nota", Body: "antiguo", Themes: []app.ThemeCode{"broad-protection"}}
	created, edited := rec("antiguo título"), rec("nuevo título")
	if err := st.index([]change{{nil, created}, {nil, other}, {rec("antiguo título"), edited}}); err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]int{"antiguo": 1, "nuevo": 1, "común": 1, "otra": 1} {
		res, err := st.Query(&app.Query{Text: word})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("%q finds %d records, want %d", word, res.Total, want)
		}
	}
}
