// The index loop: the goroutine that applies Apply's changes to the
// in-memory indexes in the order they were stored, and how readers wait
// for it.

package storage

import (
	"runtime"
	"sync"

	"github.com/cartagena-c40/consulta/app"
)

// change is a record before and after a write; old is nil for a new one.
type change struct{ old, new *app.Record }

// queueIndex hands a write's changes to the indexer; it waits while the
// indexer is several writes behind.
func (s *Store) queueIndex(changes []change) {
	if len(changes) == 0 {
		return
	}
	s.ixMu.Lock()
	s.ixQueued++
	s.ixMu.Unlock()
	s.idxQ <- changes
}

// indexLoop applies index updates in the order Apply queued them.
func (s *Store) indexLoop() {
	defer close(s.idxDone)
	for changes := range s.idxQ {
		// Take whatever else is queued too: one memdb transaction for
		// several writes copies and inserts each posting they touch once,
		// so an indexer that falls behind catches up faster.
		n := uint64(1)
	more:
		for {
			select {
			case c, ok := <-s.idxQ:
				if !ok {
					break more
				}
				changes = append(changes, c...)
				n++
			default:
				break more
			}
		}
		err := s.index(changes)
		s.ixMu.Lock()
		s.ixApplied += n
		if err != nil && s.ixErr == nil {
			s.ixErr = &app.Error{Op: "index", Kind: app.Corrupt, Msg: "the in-memory index could not be updated; everything is stored, restart Consulta to rebuild it", Err: err}
		}
		s.ixCond.Broadcast()
		s.ixMu.Unlock()
	}
}

// indexed waits until every index update queued so far is applied.
func (s *Store) indexed() error {
	s.ixMu.Lock()
	defer s.ixMu.Unlock()
	for want := s.ixQueued; s.ixApplied < want; {
		s.ixCond.Wait()
	}
	return s.ixErr
}

// index brings the in-memory indexes up to date with changes.
func (s *Store) index(changes []change) error {
	// Split the texts into words first, on every core (a first sync brings
	// a thousand records per batch) and before readers are held up, then
	// index them in order.
	words := make([][2][]uint32, len(changes))
	workers := min(runtime.NumCPU(), (len(changes)+63)/64)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := s.idx.text.tokenizer()
			defer s.idx.text.release(tok)
			for i := k; i < len(changes); i += workers {
				// Sorted to compare with the words before; a new record's
				// are added as they are.
				if c := changes[i]; c.old != nil {
					words[i][0] = tok.sortedIDs(c.old)
					words[i][1] = tok.sortedIDs(c.new)
				} else {
					words[i][1] = tok.ids(c.new)
				}
			}
		}()
	}
	wg.Wait()
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	mt := s.mem.Txn(true)
	w := s.idx.writer(mt)
	for i, c := range changes {
		if err := w.put(toSummary(c.new), words[i][1], words[i][0], true); err != nil {
			mt.Abort()
			return err
		}
	}
	return w.commit()
}
