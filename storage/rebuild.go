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

// loadBatch is up to 1,024 records on their way from Badger to the
// indexes: read in key order, decoded by a worker, indexed in order.
type loadBatch struct {
	vals   [][]byte
	bodies [][]byte
	refs   []int // the bodies that are operations holding the text
	keys   []string
	recs   []*app.Record // summaries
	ids    [][]uint32    // words of each record
	err    error
	done   chan struct{} // closed once decoded
}

// load reads every record into the indexes, in three stages that overlap:
// one goroutine reads the records (readRecords), one per core decodes them
// and splits their texts into words (decodeRecords), and this one indexes
// them in the order they were read (indexBatches). With a snapshot the
// words are in it: no text is read.
func (s *Store) load(snap *snapshot) error {
	words := snap == nil
	queue := make(chan *loadBatch, runtime.NumCPU()*2)
	work := make(chan *loadBatch, runtime.NumCPU()*2)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.decodeRecords(work, words)
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(queue)
		defer close(work)
		readErr <- s.readRecords(words, func(b *loadBatch) {
			work <- b
			queue <- b
		})
	}()
	mt := s.mem.Txn(true)
	defer mt.Abort()
	w := s.idx.writer(mt)
	err := indexBatches(w, queue, words)
	wg.Wait()
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	if err != nil {
		return err
	}
	return w.commit()
}

// readRecords reads every record's value, and what its text needs when
// words is set, and hands them to send in batches.
func (s *Store) readRecords(words bool, send func(*loadBatch)) error {
	return s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}})
		defer it.Close()
		b := &loadBatch{done: make(chan struct{})}
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			id := string(it.Item().Key()[1:])
			b.vals = append(b.vals, v)
			b.keys = append(b.keys, id)
			var body []byte
			if words {
				var isOp bool
				if body, isOp, err = readText(txn, app.RecordID(id), v); err != nil {
					return err
				}
				if isOp {
					b.refs = append(b.refs, len(b.bodies))
				}
			}
			b.bodies = append(b.bodies, body)
			if len(b.vals) == 1024 {
				send(b)
				b = &loadBatch{done: make(chan struct{})}
			}
		}
		if len(b.vals) > 0 {
			send(b)
		}
		return nil
	})
}

// readText returns what gives the text of record id, whose value is v:
// the encoded operation that holds it (isOp: the workers decode it), or
// the text itself; nil if it has none. A value that cannot be read is
// reported by the workers, which decode it whole.
func readText(txn *badger.Txn, id app.RecordID, v []byte) (body []byte, isOp bool, err error) {
	if n, _ := namesOf(v); n.TextIn != nil {
		return opHolding(txn, opKey(n.TextIn.Device, n.TextIn.Seq))
	}
	item, err := txn.Get(bodyKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if body, err = item.ValueCopy(nil); err != nil {
		return nil, false, err
	}
	if len(body) > 0 && body[0] == bodyRef {
		return opHolding(txn, body[1:])
	}
	return body, false, nil
}

// opHolding reads the operation stored under key, which holds a text. One
// that is missing leaves the record without words, as a damaged one does,
// rather than the store unopened.
func opHolding(txn *badger.Txn, key []byte) (enc []byte, isOp bool, err error) {
	switch enc, err = opValue(txn, key); {
	case errors.Is(err, errTextMissing):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return enc, true, nil
}

// decodeRecords decodes the batches from work as they come, until work is
// closed.
func (s *Store) decodeRecords(work <-chan *loadBatch, words bool) {
	tok := s.idx.text.tokenizer()
	for b := range work {
		b.decode(tok, words)
		close(b.done)
	}
}

// decode turns the batch's values into summaries and, when words is set,
// splits each record's text into words; it drops what it read from.
func (b *loadBatch) decode(tok *tokenizer, words bool) {
	b.recs = make([]*app.Record, len(b.vals))
	b.ids = make([][]uint32, len(b.vals))
	for _, i := range b.refs {
		// A damaged text leaves its record without words; reading it
		// says so, and check reports it.
		body, err := opText(b.bodies[i])
		if err != nil {
			body = nil
		}
		b.bodies[i] = body
	}
	for i, v := range b.vals {
		sr, err := decodeStored(v)
		if err != nil {
			b.err = &app.Error{Op: "open", Kind: app.Corrupt, Msg: fmt.Sprintf("record %s", b.keys[i]), Err: err}
			break
		}
		r := sr.Record
		if words {
			if len(b.bodies[i]) > 0 {
				r.Body = string(b.bodies[i])
			}
			b.ids[i] = tok.ids(r)
		}
		b.recs[i] = toSummary(r)
	}
	b.vals, b.bodies = nil, nil
}

// indexBatches puts the records of each batch from queue into the
// indexes, in the order they were read; after an error it only drains
// queue.
func indexBatches(w *indexWriter, queue <-chan *loadBatch, words bool) error {
	var err error
	for b := range queue {
		<-b.done
		if err == nil {
			err = b.err
		}
		for i := 0; err == nil && i < len(b.recs); i++ {
			err = w.put(b.recs[i], b.ids[i], nil, words)
		}
	}
	return err
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
