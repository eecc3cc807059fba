package storage

import (
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cartagena-c40/consulta/app"
)

// textIndex is the full-text word index: for each folded word, the sorted
// list of records whose title or body contain it.
//
// It lives beside memdb rather than in it on purpose: memdb stores one radix
// leaf per (value, object) pair, and the demo's 100,000 records hold about
// six million (word, record) pairs, which as radix leaves cost gigabytes and
// seconds to build. Posting lists of 4-byte record numbers cost 24 MB.
//
// It is not safe for concurrent use; Store guards it with its index lock.
type textIndex struct {
	num      map[app.RecordID]uint32
	recs     []*app.Record // by record number: the current version
	recWords [][]uint32    // by record number: its word ids
	vocab    map[string]uint32
	words    []string   // by word id
	post     [][]uint32 // by word id: ascending record numbers
}

func newTextIndex() *textIndex {
	return &textIndex{num: map[app.RecordID]uint32{}, vocab: map[string]uint32{}}
}

// put indexes r, replacing any earlier version of it.
func (t *textIndex) put(r *app.Record) {
	ws := app.Words(r.Title + "\n" + r.Body)
	ids := make([]uint32, len(ws))
	for i, w := range ws {
		id, ok := t.vocab[w]
		if !ok {
			id = uint32(len(t.words))
			t.vocab[w] = id
			t.words = append(t.words, w)
			t.post = append(t.post, nil)
		}
		ids[i] = id
	}
	slices.Sort(ids)
	n, ok := t.num[r.ID]
	if !ok {
		n = uint32(len(t.recs))
		t.num[r.ID] = n
		t.recs = append(t.recs, r)
		t.recWords = append(t.recWords, ids)
		for _, w := range ids {
			t.post[w] = append(t.post[w], n) // n is the largest number yet
		}
		return
	}
	t.recs[n] = r
	old := t.recWords[n]
	t.recWords[n] = ids
	for _, w := range old {
		if _, found := slices.BinarySearch(ids, w); !found {
			if i, found := slices.BinarySearch(t.post[w], n); found {
				t.post[w] = slices.Delete(t.post[w], i, i+1)
			}
		}
	}
	for _, w := range ids {
		if _, found := slices.BinarySearch(old, w); !found {
			if i, found := slices.BinarySearch(t.post[w], n); !found {
				t.post[w] = slices.Insert(t.post[w], i, n)
			}
		}
	}
}

// minPrefix is the shortest last word that also matches as a prefix, in
// runes: shorter prefixes match too much to be useful.
const minPrefix = 3

// search returns the records containing every word of query; the last word
// also matches longer words it begins. It returns nil when query holds no
// word.
func (t *textIndex) search(query string) []*app.Record {
	qs := app.Words(query)
	if len(qs) == 0 {
		return nil
	}
	size := (len(t.recs) + 63) / 64
	var acc []uint64
	for i, q := range qs {
		set := make([]uint64, size)
		if id, ok := t.vocab[q]; ok {
			for _, n := range t.post[id] {
				set[n/64] |= 1 << (n % 64)
			}
		}
		if i == len(qs)-1 && utf8.RuneCountInString(q) >= minPrefix {
			for id, w := range t.words {
				if len(w) > len(q) && strings.HasPrefix(w, q) {
					for _, n := range t.post[id] {
						set[n/64] |= 1 << (n % 64)
					}
				}
			}
		}
		if acc == nil {
			acc = set
			continue
		}
		for j := range acc {
			acc[j] &= set[j]
		}
	}
	var out []*app.Record
	for j, word := range acc {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			out = append(out, t.recs[j*64+b])
			word &^= 1 << b
		}
	}
	if out == nil {
		out = []*app.Record{}
	}
	return out
}
