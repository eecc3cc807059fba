package storage

import (
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
// several tokenizers sharing one vocabulary.
func TestTokenizerMatchesWords(t *testing.T) {
	recs := demoTexts(400)
	recs = append(recs, &app.Record{Title: "Migración MIGRACION migracion", Body: "Ação, ação; À l'école: l’élève. Niño niño NIÑO 2024 x y zz"})
	ti := newTextIndex()
	toks := []*tokenizer{ti.tokenizer(), ti.tokenizer()}
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
