package storage

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cartagena-c40/consulta/app"
)

// textIndex is the full-text word index: for each folded word, the
// ascending numbers of the records whose title or body contain it.
//
// Postings are sorted lists rather than bitmaps because real text has tens
// of thousands of distinct words, most of them rare. The vocabulary is safe
// for concurrent use, so that records can be split into words on every
// core at start-up; the postings are guarded by Store.idxMu.
type textIndex struct {
	vocabMu sync.RWMutex
	vocab   map[string]uint32
	words   []string // by word id

	post [][]uint32 // by word id: ascending record numbers

	// tokenizers keeps tokenizers between writes, with the words they have
	// looked up, so that each write does not learn the vocabulary again.
	tokenizers sync.Pool
}

func newTextIndex() *textIndex {
	return &textIndex{vocab: map[string]uint32{}}
}

// id returns the id of word w, creating one if add is set.
func (t *textIndex) id(w []byte, add bool) (uint32, bool) {
	t.vocabMu.RLock()
	id, ok := t.vocab[string(w)]
	t.vocabMu.RUnlock()
	if ok || !add {
		return id, ok
	}
	t.vocabMu.Lock()
	defer t.vocabMu.Unlock()
	if id, ok := t.vocab[string(w)]; ok {
		return id, true
	}
	id = uint32(len(t.words))
	s := string(w)
	t.vocab[s] = id
	t.words = append(t.words, s)
	return id, true
}

// tokenizer splits records into word ids. Each goroutine uses its own.
type tokenizer struct {
	t   *textIndex
	buf []byte
	gen uint32 // counts the records split; a word's slot holds the last that met it
	// The words this tokenizer has looked up, so that it rarely takes the
	// vocabulary's lock: an open-addressing table keyed by the word's
	// hash, the words' bytes in one arena. A first sync looks up some
	// twenty million words; Go's map, with a string per entry, spent a
	// third of the splitting time there.
	slots []localWord
	used  int
	arena []byte
}

// localWord is a slot of the tokenizer's table; n == 0 marks it empty.
type localWord struct {
	hash uint64
	off  uint32 // the word's bytes: arena[off : off+n]
	n    uint32
	id   uint32
	// gen is the generation of the last record that contained the word,
	// so that a record's repeated words are given once. It lives in the
	// slot the lookup has just read rather than in an array by word id,
	// which cost a second cache miss per word.
	gen uint32
}

func (t *textIndex) tokenizer() *tokenizer {
	if k, ok := t.tokenizers.Get().(*tokenizer); ok {
		return k
	}
	return &tokenizer{t: t, slots: make([]localWord, 1<<12)}
}

// release gives a tokenizer back for the next write.
func (t *textIndex) release(k *tokenizer) { t.tokenizers.Put(k) }

// slot returns the slot of word w, whose hash is h, adding the word if
// this tokenizer has not met it.
func (k *tokenizer) slot(w []byte, h uint64) *localWord {
	mask := uint64(len(k.slots) - 1)
	// Fibonacci hashing spreads the hash's bits over the slot number.
	for i := (h * 0x9E3779B97F4A7C15) >> 32 & mask; ; i = (i + 1) & mask {
		s := &k.slots[i]
		if s.n == 0 {
			id, _ := k.t.id(w, true)
			*s = localWord{hash: h, off: uint32(len(k.arena)), n: uint32(len(w)), id: id}
			k.arena = append(k.arena, w...)
			if k.used++; k.used*4 > len(k.slots)*3 {
				k.grow()
				return k.slot(w, h)
			}
			return s
		}
		if s.hash == h && string(k.arena[s.off:s.off+s.n]) == string(w) {
			return s
		}
	}
}

// grow doubles the table.
func (k *tokenizer) grow() {
	old := k.slots
	k.slots = make([]localWord, 2*len(old))
	mask := uint64(len(k.slots) - 1)
	for _, s := range old {
		if s.n == 0 {
			continue
		}
		i := (s.hash * 0x9E3779B97F4A7C15) >> 32 & mask
		for k.slots[i].n != 0 {
			i = (i + 1) & mask
		}
		k.slots[i] = s
	}
}

// ids returns the distinct word ids of r's title and body, in a new slice,
// in no particular order.
func (k *tokenizer) ids(r *app.Record) []uint32 {
	if k.gen++; k.gen == 0 { // wrapped: no slot may claim this generation
		for i := range k.slots {
			k.slots[i].gen = 0
		}
		k.gen = 1
	}
	// About one distinct word per 12 bytes of text: sized once rather
	// than grown a word at a time.
	out := make([]uint32, 0, (len(r.Title)+len(r.Body))/12+4)
	visit := func(w []byte, h uint64) {
		if s := k.slot(w, h); s.gen != k.gen {
			s.gen = k.gen
			out = append(out, s.id)
		}
	}
	k.buf = app.EachWordHash(r.Title, k.buf, visit)
	k.buf = app.EachWordHash(r.Body, k.buf, visit)
	return out
}

// sortedIDs is ids, sorted, for comparing two versions of a record.
func (k *tokenizer) sortedIDs(r *app.Record) []uint32 {
	ids := k.ids(r)
	slices.Sort(ids)
	return ids
}

// add records that record n contains the words ids. The caller holds
// idxMu for writing.
func (t *textIndex) add(n uint32, ids []uint32) {
	for _, w := range ids {
		for int(w) >= len(t.post) {
			t.post = append(t.post, nil)
		}
		p := t.post[w]
		if len(p) == 0 || p[len(p)-1] < n {
			t.post[w] = append(p, n)
		} else if i, found := slices.BinarySearch(p, n); !found {
			t.post[w] = slices.Insert(p, i, n)
		}
	}
}

// wordAdds collects pairs (word, record number) to add to the word index
// together. Added one record at a time, each pair touched the end of its
// word's posting, far from the last one touched: a first sync adds some
// ten million pairs, and those cache misses were most of the word index's
// cost. Grouped by word, each posting is touched once per batch.
type wordAdds struct {
	words, nums []uint32            // the pairs, in the order records came
	records     map[uint32]struct{} // the record numbers among them
	at, sorted  []uint32            // flush's counting sort, kept between batches
}

// holds reports whether record n's words are among the pairs.
func (a *wordAdds) holds(n uint32) bool {
	_, ok := a.records[n]
	return ok
}

// put adds the pairs (w, n) for each w of ids.
func (a *wordAdds) put(n uint32, ids []uint32) {
	if a.records == nil {
		a.records = map[uint32]struct{}{}
	}
	a.records[n] = struct{}{}
	for _, w := range ids {
		a.words = append(a.words, w)
		a.nums = append(a.nums, n)
	}
}

// flush adds the pairs to t and empties a. The caller holds idxMu for
// writing.
func (a *wordAdds) flush(t *textIndex) {
	if len(a.words) == 0 {
		return
	}
	top := slices.Max(a.words)
	for int(top) >= len(t.post) {
		t.post = append(t.post, nil)
	}
	// Counting sort by word, stable: each word's numbers keep the order
	// the records came in.
	at := slices.Grow(a.at[:0], int(top)+2)[:top+2]
	clear(at)
	for _, w := range a.words {
		at[w+1]++
	}
	for w := 1; w < len(at); w++ {
		at[w] += at[w-1]
	}
	sorted := slices.Grow(a.sorted[:0], len(a.nums))[:len(a.nums)]
	for i, w := range a.words {
		sorted[at[w]] = a.nums[i]
		at[w]++
	}
	start := uint32(0)
	for w := range top + 1 { // at[w] is now where word w's numbers end
		if end := at[w]; end > start {
			t.addRun(w, sorted[start:end])
			start = end
		}
	}
	a.words, a.nums, a.at, a.sorted = a.words[:0], a.nums[:0], at, sorted
	clear(a.records)
	if cap(a.words) > maxKeptPairs { // after opening, or a burst of a first sync
		*a = wordAdds{}
	}
}

// maxKeptPairs bounds the pairs whose buffers wordAdds keeps between
// flushes: about 14,000 new records' words, 24 MB. A first sync's writes
// reuse them instead of growing new ones each time.
const maxKeptPairs = 1 << 21

// addRun records that the records ns contain word w.
func (t *textIndex) addRun(w uint32, ns []uint32) {
	p := t.post[w]
	ascending := len(p) == 0 || p[len(p)-1] < ns[0]
	for i := 1; ascending && i < len(ns); i++ {
		ascending = ns[i-1] < ns[i]
	}
	if ascending {
		t.post[w] = append(p, ns...) // new records: the usual case
		return
	}
	word := []uint32{w}
	for _, n := range ns {
		t.add(n, word)
	}
}

// remove records that record n no longer contains the words ids.
func (t *textIndex) remove(n uint32, ids []uint32) {
	for _, w := range ids {
		if int(w) < len(t.post) {
			if i, found := slices.BinarySearch(t.post[w], n); found {
				t.post[w] = slices.Delete(t.post[w], i, i+1)
			}
		}
	}
}

// minPrefix is the shortest last word that also matches as a prefix, in
// runes: shorter prefixes match too much to be useful.
const minPrefix = 3

// search returns the records containing every word of query; the last word
// also matches longer words it begins. ok is false when query holds no
// word. The caller holds idxMu for reading.
func (t *textIndex) search(query string) (b bitmap, ok bool) {
	qs := app.Words(query)
	if len(qs) == 0 {
		return nil, false
	}
	t.vocabMu.RLock()
	defer t.vocabMu.RUnlock()
	posting := func(id uint32) []uint32 {
		if int(id) < len(t.post) {
			return t.post[id]
		}
		return nil
	}
	for i, q := range qs {
		var set bitmap
		if id, found := t.vocab[q]; found {
			for _, n := range posting(id) {
				set = set.with(n)
			}
		}
		if i == len(qs)-1 && utf8.RuneCountInString(q) >= minPrefix {
			for id, w := range t.words {
				if len(w) > len(q) && strings.HasPrefix(w, q) {
					for _, n := range posting(uint32(id)) {
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
