// Rebuilding the in-memory indexes at Open: every record's summary read
// from Badger and decoded on every core, its words from the snapshot or
// from its text, and what Apply keeps in memory (known records).

package storage

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/go-memdb"
)

// rebuild loads every materialized record into the in-memory indexes.
// Decoding runs on every core; indexing, which needs the records in a
// stable order, runs as they arrive. The word index comes from the snapshot
// the last Close wrote, when no write happened since; otherwise every
// record is split into words again.
func (s *Store) rebuild() error {
	snap, err := s.loadSnapshot()
	if err != nil {
		return err
	}
	if snap != nil {
		s.idx.reserve(snap.ids)
		s.idx.text.restore(snap)
		s.wordsRestored = true
	}
	if err := s.load(snap); err != nil {
		return err
	}
	if snap != nil && len(s.idx.recs) != len(snap.ids) {
		// The snapshot named records the store does not hold (or the other
		// way round): it cannot be trusted. Start again without it.
		return s.reload()
	}
	for _, r := range s.idx.recs {
		if r == nil {
			return s.reload()
		}
	}
	s.wordsGen, s.wordsCurrent = s.gen, s.wordsRestored
	return nil
}

// reload forgets a snapshot that did not fit and rebuilds from the records.
func (s *Store) reload() error {
	s.idx = newIndex(s.tax)
	mem, err := memdb.NewMemDB(schema())
	if err != nil {
		return err
	}
	s.mem, s.wordsRestored = mem, false
	return s.load(nil)
}

// load reads every record into the indexes.
func (s *Store) load(snap *snapshot) error {
	type batch struct {
		vals   [][]byte
		bodies [][]byte
		refs   []int // the bodies that are operations holding the text
		keys   []string
		recs   []*app.Record // summaries
		ids    [][]uint32    // words of each record
		err    error
		done   chan struct{}
	}
	queue := make(chan *batch, runtime.NumCPU()*2)
	work := make(chan *batch, runtime.NumCPU()*2)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := s.idx.text.tokenizer()
			for b := range work {
				b.recs = make([]*app.Record, len(b.vals))
				b.ids = make([][]uint32, len(b.vals))
				for _, i := range b.refs {
					// A damaged text leaves its record without words;
					// reading it says so, and check reports it.
					body, err := opText(b.bodies[i])
					if err != nil {
						body = nil
					}
					b.bodies[i] = body
				}
				for i, v := range b.vals {
					if b.err != nil {
						break
					}
					sr, err := decodeStored(v)
					if err != nil {
						b.err = &app.Error{Op: "open", Kind: app.Corrupt, Msg: fmt.Sprintf("record %s", b.keys[i]), Err: err}
						break
					}
					r := sr.Record
					if snap == nil {
						if len(b.bodies[i]) > 0 {
							r.Body = string(b.bodies[i])
						}
						b.ids[i] = tok.ids(r)
					}
					b.recs[i] = toSummary(r)
				}
				b.vals, b.bodies = nil, nil
				close(b.done)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(queue)
		defer close(work)
		readErr <- s.view(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}})
			defer it.Close()
			b := &batch{done: make(chan struct{})}
			flush := func() {
				work <- b
				queue <- b
				b = &batch{done: make(chan struct{})}
			}
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				id := string(it.Item().Key()[1:])
				b.vals = append(b.vals, v)
				b.keys = append(b.keys, id)
				var body []byte
				if snap == nil { // the words are needed, so the text is
					var err error
					// A value that cannot be read is reported by the
					// workers, which decode it whole.
					if n, _ := namesOf(v); n.TextIn != nil {
						body = append([]byte{bodyRef}, opKey(n.TextIn.Device, n.TextIn.Seq)...)
					} else {
						var item *badger.Item
						if item, err = txn.Get(bodyKey(app.RecordID(id))); err == nil {
							body, err = item.ValueCopy(nil)
						}
					}
					if err == nil && len(body) > 0 && body[0] == bodyRef {
						// The workers decode the operation that holds it. One
						// that is missing leaves the record without words, as
						// a damaged one does, rather than the store unopened.
						switch body, err = opValue(txn, body[1:]); {
						case errors.Is(err, errTextMissing):
							body, err = nil, nil
						case err != nil:
							return err
						default:
							b.refs = append(b.refs, len(b.bodies))
						}
					}
					if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
						return err
					}
				}
				b.bodies = append(b.bodies, body)
				if len(b.vals) == 1024 {
					flush()
				}
			}
			if len(b.vals) > 0 {
				flush()
			}
			return nil
		})
	}()
	mt := s.mem.Txn(true)
	defer mt.Abort()
	w := s.idx.writer(mt)
	var err error
	for b := range queue {
		<-b.done
		if err == nil {
			err = b.err
		}
		for i := 0; err == nil && i < len(b.recs); i++ {
			err = w.put(b.recs[i], b.ids[i], nil, snap == nil)
		}
	}
	wg.Wait()
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	if err != nil {
		return err
	}
	return w.commit()
}

// loadKnown fills known from the index the rebuild made and the records
// awaiting their create.
func (s *Store) loadKnown() error {
	s.known = make(map[app.RecordID]struct{}, len(s.idx.nums))
	for id, n := range s.idx.nums {
		if s.idx.recs[n] != nil {
			s.known[id] = struct{}{}
		}
	}
	s.top = map[app.DeviceID]uint64{}
	return s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixAwait}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			s.known[app.RecordID(it.Item().Key()[1:])] = struct{}{}
		}
		return nil
	})
}
