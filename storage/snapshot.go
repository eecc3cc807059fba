package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// The word index is the costliest part of start-up: splitting 100,000
// bodies into words takes two thirds of it. So Close stores the word index
// as it is, with the generation of the store (a counter every write bumps
// in the same transaction), and the next Open uses it when no write has
// happened since. After a crash the generations differ and the index is
// rebuilt from the records, so a stale snapshot is never used.
//
// Encoding, all integers unsigned varints:
//
//	magic "CWI1", generation, n, n record ids (26 bytes each) in record-number
//	order, v, v words (length, bytes), then per word: count, then the record
//	numbers as deltas from the previous one.
const snapshotMagic = "CWI1"

type snapshot struct {
	gen   uint64
	ids   []app.RecordID
	words []string
	post  [][]uint32
}

// loadSnapshot reads the store's generation and, if it matches, the word
// snapshot. It returns nil when there is no usable snapshot.
func (s *Store) loadSnapshot() (*snapshot, error) {
	var snap *snapshot
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(genKey())
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			s.gen = 0
		case err != nil:
			return err
		default:
			if err := item.Value(func(v []byte) error {
				if len(v) != 8 {
					return &app.Error{Op: "open", Kind: app.Corrupt, Msg: "bad generation counter"}
				}
				s.gen = binary.BigEndian.Uint64(v)
				return nil
			}); err != nil {
				return err
			}
		}
		item, err = txn.Get(wordsKey())
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			sn, err := decodeSnapshot(v)
			if err == nil && sn.gen == s.gen {
				snap = sn
			}
			return nil // a snapshot that does not decode is only a missed shortcut
		})
	})
	return snap, err
}

// saveSnapshot stores the word index, unless the stored one is current.
func (s *Store) saveSnapshot() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.idxMu.RLock()
	defer s.idxMu.RUnlock()
	if (s.wordsCurrent && s.wordsGen == s.gen) || len(s.idx.recs) == 0 {
		return nil // the stored one is current, or there is nothing to store
	}
	b := s.idx.encodeSnapshot(s.gen)
	if s.room("close", len(b)) != nil {
		return nil // only a shortcut for the next Open, which rebuilds without it
	}
	err := s.update(func(txn *badger.Txn) error { return txn.Set(wordsKey(), b) })
	if err == nil {
		s.wordsGen, s.wordsCurrent = s.gen, true
	}
	return err
}

func (ix *index) encodeSnapshot(gen uint64) []byte {
	t := ix.text
	t.vocabMu.RLock()
	defer t.vocabMu.RUnlock()
	var b bytes.Buffer
	b.WriteString(snapshotMagic)
	u := func(x uint64) { b.Write(binary.AppendUvarint(nil, x)) }
	u(gen)
	u(uint64(len(ix.recs)))
	for _, r := range ix.recs {
		b.WriteString(string(r.ID))
	}
	u(uint64(len(t.words)))
	for _, w := range t.words {
		u(uint64(len(w)))
		b.WriteString(w)
	}
	var buf []byte
	for id := range t.words {
		var p []uint32
		if id < len(t.post) {
			p = t.post[id]
		}
		buf = binary.AppendUvarint(buf[:0], uint64(len(p)))
		prev := uint32(0)
		for _, n := range p {
			buf = binary.AppendUvarint(buf, uint64(n-prev))
			prev = n
		}
		b.Write(buf)
	}
	return b.Bytes()
}

func decodeSnapshot(b []byte) (*snapshot, error) {
	bad := func(what string) error { return fmt.Errorf("word snapshot: bad %s", what) }
	if !bytes.HasPrefix(b, []byte(snapshotMagic)) {
		return nil, bad("magic")
	}
	b = b[len(snapshotMagic):]
	u := func() (uint64, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return x, true
	}
	sn := &snapshot{}
	var ok bool
	if sn.gen, ok = u(); !ok {
		return nil, bad("generation")
	}
	n, ok := u()
	if !ok || n > uint64(len(b))/26 {
		return nil, bad("record count")
	}
	sn.ids = make([]app.RecordID, n)
	for i := range sn.ids {
		sn.ids[i] = app.RecordID(b[:26])
		b = b[26:]
	}
	v, ok := u()
	if !ok || v > uint64(len(b)) {
		return nil, bad("word count")
	}
	sn.words = make([]string, v)
	for i := range sn.words {
		l, ok := u()
		if !ok || l > uint64(len(b)) {
			return nil, bad("word")
		}
		sn.words[i] = string(b[:l])
		b = b[l:]
	}
	sn.post = make([][]uint32, v)
	for i := range sn.post {
		c, ok := u()
		if !ok || c > uint64(len(b)) {
			return nil, bad("posting")
		}
		p := make([]uint32, c)
		prev := uint64(0)
		for j := range p {
			d, ok := u()
			if !ok || (j > 0 && d == 0) || prev+d >= n {
				return nil, bad("posting")
			}
			prev += d
			p[j] = uint32(prev)
		}
		sn.post[i] = p
	}
	if len(b) != 0 {
		return nil, bad("length")
	}
	return sn, nil
}

// restore takes the words and postings of a snapshot.
func (t *textIndex) restore(sn *snapshot) {
	t.vocabMu.Lock()
	defer t.vocabMu.Unlock()
	t.words = sn.words
	t.vocab = make(map[string]uint32, len(sn.words))
	for i, w := range sn.words {
		t.vocab[w] = uint32(i)
	}
	t.post = sn.post
}
