package storage

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cartagena-c40/consulta/app"
)

// textIndex is the full-text word index: for each folded word, the
// ascending numbers of the records whose title or body contain it.
//
// Postings are sorted lists rather than bitmaps because real text has tens
// of thousands of distinct words, most of them rare. The index is not safe
// for concurrent use; Store guards it with idxMu.
type textIndex struct {
	vocab map[string]uint32
	words []string   // by word id
	post  [][]uint32 // by word id: ascending record numbers

	seen []uint32 // by word id: the generation of the last wordIDs call that met it
	gen  uint32
	buf  []byte
	ids  []uint32
}

func newTextIndex() *textIndex {
	return &textIndex{vocab: map[string]uint32{}}
}

// wordIDs returns the distinct word ids of r, sorted, creating ids for new
// words when add is set (and skipping unknown words otherwise). The result
// is valid until the next call.
func (t *textIndex) wordIDs(r *app.Record, add bool) []uint32 {
	t.ids = t.ids[:0]
	t.gen++
	mark := t.gen
	visit := func(w []byte) {
		id, ok := t.vocab[string(w)]
		if !ok {
			if !add {
				return
			}
			id = uint32(len(t.words))
			s := string(w)
			t.vocab[s] = id
			t.words = append(t.words, s)
			t.post = append(t.post, nil)
			t.seen = append(t.seen, 0)
		}
		if t.seen[id] == mark {
			return
		}
		t.seen[id] = mark
		t.ids = append(t.ids, id)
	}
	t.buf = app.EachWord(r.Title, t.buf, visit)
	t.buf = app.EachWord(r.Body, t.buf, visit)
	slices.Sort(t.ids)
	return t.ids
}

// put indexes r as record number n, replacing old (nil for a new record).
func (t *textIndex) put(n uint32, old, r *app.Record) {
	if old == nil {
		for _, w := range t.wordIDs(r, true) {
			p := t.post[w]
			if len(p) == 0 || p[len(p)-1] < n {
				t.post[w] = append(p, n)
			} else if i, found := slices.BinarySearch(p, n); !found {
				t.post[w] = slices.Insert(p, i, n)
			}
		}
		return
	}
	if old.Title == r.Title && old.Body == r.Body {
		return
	}
	oldIDs := slices.Clone(t.wordIDs(old, false))
	newIDs := t.wordIDs(r, true)
	for _, w := range oldIDs {
		if _, found := slices.BinarySearch(newIDs, w); !found {
			if i, found := slices.BinarySearch(t.post[w], n); found {
				t.post[w] = slices.Delete(t.post[w], i, i+1)
			}
		}
	}
	for _, w := range newIDs {
		if i, found := slices.BinarySearch(t.post[w], n); !found {
			t.post[w] = slices.Insert(t.post[w], i, n)
		}
	}
}

// minPrefix is the shortest last word that also matches as a prefix, in
// runes: shorter prefixes match too much to be useful.
const minPrefix = 3

// search returns the records containing every word of query; the last word
// also matches longer words it begins. ok is false when query holds no word.
func (t *textIndex) search(query string) (b bitmap, ok bool) {
	qs := app.Words(query)
	if len(qs) == 0 {
		return nil, false
	}
	for i, q := range qs {
		var set bitmap
		if id, found := t.vocab[q]; found {
			for _, n := range t.post[id] {
				set = set.with(n)
			}
		}
		if i == len(qs)-1 && utf8.RuneCountInString(q) >= minPrefix {
			for id, w := range t.words {
				if len(w) > len(q) && strings.HasPrefix(w, q) {
					for _, n := range t.post[id] {
						set = set.with(n)
					}
				}
			}
		}
		if i == 0 {
			b = set
		} else {
			b = b.and(set)
		}
	}
	return b, true
}
