// The write path: Apply and its kin store operations and refold the
// records they touch, in one durable transaction, then hand the changes
// to the indexer (indexer.go).

package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// Apply stores ops and refolds the records they touch, in one durable
// transaction, then queues the in-memory index update (Query waits for it).
// Errors: app.Corrupt when
// a different operation is already stored at one of the addresses.
func (s *Store) Apply(ops []*app.Op) error { return s.apply(ops, nil, nil, false) }

// ApplyEncoded is Apply for operations received from a peer, with the bytes
// they arrived in (encs[i] is ops[i]'s canonical encoding, as app.DecodeOp
// checked it), which spares encoding them again. A batch too large for one
// Badger transaction is stored in consecutive parts, each durable: a peer
// still holds the operations, and a sync that stops after a part resumes
// from it. (A local write of that size is refused instead: its caller
// gives back the sequence numbers of a write that failed.)
func (s *Store) ApplyEncoded(ops []*app.Op, encs [][]byte) error {
	return s.ApplyPrepared(ops, encs, nil)
}

// prepared is the record a create makes when it is the record's whole
// history, folded and encoded ahead by PrepareCreate.
type prepared struct {
	op     *app.Op
	r      *app.Record
	textIn *app.OpID
	enc    []byte // encodeStored(r, textIn, op's address)
}

// PrepareCreate folds and encodes the record that create o makes, as
// storing it would if o is all of the record's history (the case of every
// record in a first sync), so that the decoding goroutines do this work
// while the chunk before is being stored. It reads nothing of the store
// and is safe for concurrent use. It returns nil for other operations.
func (s *Store) PrepareCreate(o *app.Op) any {
	if o.Type != app.OpCreate {
		return nil
	}
	rops := []*app.Op{o}
	r := app.Fold(rops)
	if r == nil {
		return nil
	}
	unlinked := o.ID()
	textIn, enc, err := stateOf(r, rops, &unlinked)
	if err != nil {
		return nil // storing will encode it again, and say what is wrong
	}
	return &prepared{op: o, r: r, textIn: textIn, enc: enc}
}

// stateOf returns what the record key of r, folded from rops, holds: the
// operation among rops whose patch holds its text (nil if none does), and
// the encoded state naming it and the create unlinked.
func stateOf(r *app.Record, rops []*app.Op, unlinked *app.OpID) (textIn *app.OpID, enc []byte, err error) {
	if src := bodySource(rops, r.Body); src != nil {
		oid := src.ID()
		textIn = &oid
	}
	enc, err = encodeStored(r, textIn, unlinked)
	return textIn, enc, err
}

// ApplyPrepared is ApplyEncoded with what PrepareCreate returned for each
// operation (prep[i] for ops[i], nil where nothing was prepared; prep may
// be nil). A prepared record is used only for a record whose whole history
// is that create; otherwise it is ignored.
func (s *Store) ApplyPrepared(ops []*app.Op, encs [][]byte, prep []any) error {
	if len(encs) != len(ops) || (prep != nil && len(prep) != len(ops)) {
		return &app.Error{Op: "apply", Kind: app.Invalid, Msg: "operations and encodings do not match"}
	}
	return s.apply(ops, encs, prep, true)
}

// apply stores ops in one transaction, or in halves when split is set and
// they do not fit in one. encs and prep may be nil.
func (s *Store) apply(ops []*app.Op, encs [][]byte, prep []any, split bool) error {
	err := s.applyTxn(ops, encs, prep)
	if !errors.Is(err, badger.ErrTxnTooBig) {
		return err
	}
	if !split || len(ops) < 2 {
		return &app.Error{Op: "apply", Kind: app.Invalid, Msg: "too many changes in one write; split them"}
	}
	h := len(ops) / 2
	half := func(p []any, lo, hi int) []any {
		if p == nil {
			return nil
		}
		return p[lo:hi]
	}
	if err := s.apply(ops[:h], encs[:h], half(prep, 0, h), true); err != nil {
		return err
	}
	return s.apply(ops[h:], encs[h:], half(prep, h, len(ops)), true)
}

// opsSize is about the bytes ops take encoded: encs' when given, else an
// estimate from the texts they carry.
func opsSize(ops []*app.Op, encs [][]byte) int {
	n := 0
	if encs != nil {
		for _, e := range encs {
			n += len(e)
		}
		return n
	}
	for _, o := range ops {
		n += 512
		if o.Patch != nil && o.Patch.Body != nil {
			n += len(*o.Patch.Body)
		}
	}
	return n
}

// applyTxn is apply in one transaction; encs and prep may be nil.
func (s *Store) applyTxn(ops []*app.Op, encs [][]byte, prep []any) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed {
		return &app.Error{Op: "apply", Msg: "the store is closed"}
	}
	if err := s.room("save", opsSize(ops, encs)); err != nil {
		return err
	}
	var touched, known []app.RecordID
	var changes []change
	batch := make(map[app.OpID]*app.Op, len(ops))
	tops := map[app.DeviceID]uint64{}
	// The new operations of each record, and the records created in this
	// batch: a record whose create arrives now, and which neither exists
	// nor awaits its create, has its whole history here.
	byRecord := make(map[app.RecordID][]*app.Op, len(ops)) // sized: growing rehashes every key
	created := make(map[app.RecordID]bool, len(ops))
	preparedFor := make(map[app.RecordID]*prepared, len(prep))
	err := s.update(func(txn *badger.Txn) error {
		for i, o := range ops {
			var enc []byte
			if encs != nil {
				enc = encs[i]
			} else {
				var err error
				if enc, err = app.EncodeOp(o); err != nil {
					return err
				}
			}
			key := opKey(o.Device, o.Seq)
			top, ok := tops[o.Device]
			if !ok {
				var err error
				if top, err = s.topTxn(txn, o.Device); err != nil {
					return err
				}
			}
			tops[o.Device] = max(top, o.Seq)
			if o.Seq > top {
				// Above everything stored of its device: new.
			} else if item, err := txn.Get(key); err == nil {
				same := false
				if err := item.Value(func(v []byte) error { same = string(v) == string(enc); return nil }); err != nil {
					return err
				}
				if !same {
					return &app.Error{Op: "apply", Kind: app.Corrupt, Msg: fmt.Sprintf("a different operation is already stored as %s", o.ID())}
				}
				continue // already applied: idempotent
			} else if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
			if err := txn.Set(key, enc); err != nil {
				return err
			}
			batch[o.ID()] = o
			if o.Type == app.OpDevice {
				if err := txn.Set(deviceKey(o.Device), o.PubKey); err != nil {
					return err
				}
			}
			if o.Record != "" {
				// A create's link waits: the record's state names the
				// create it is written with instead.
				if o.Type != app.OpCreate {
					if err := txn.Set(recordOpKey(o.Record, o.Device, o.Seq), nil); err != nil {
						return err
					}
				}
				if _, ok := byRecord[o.Record]; !ok {
					touched = append(touched, o.Record)
				}
				byRecord[o.Record] = append(byRecord[o.Record], o)
				if o.Type == app.OpCreate {
					created[o.Record] = true
					if prep != nil {
						if p, ok := prep[i].(*prepared); ok && p.op == o {
							preparedFor[o.Record] = p
						}
					}
				}
			}
		}
		if err := advanceVector(txn, ops); err != nil {
			return err
		}
		if err := txn.Set(genKey(), binary.BigEndian.AppendUint64(nil, s.gen+1)); err != nil {
			return err
		}
		// One iterator for the whole batch, made when first needed:
		// creating one per record would sort the transaction's pending
		// writes each time.
		var it *badger.Iterator
		defer func() {
			if it != nil {
				it.Close()
			}
		}()
		for _, id := range touched {
			_, had := s.known[id]
			fresh := created[id] && !had
			if !had {
				known = append(known, id)
			}
			var rops []*app.Op
			var old *storedRecord
			oldTextLost := false
			if fresh {
				rops = byRecord[id]
			} else {
				// Its stored state, if any: none when its create has just
				// arrived. A damaged text is stored again from the
				// operations, and the words of the lost text stay in the
				// word index until the next start.
				var err error
				var te *textError
				switch old, err = storedTxn(txn, id); {
				case app.KindOf(err) == app.NotFound:
					old, err = nil, nil
				case errors.As(err, &te):
					oldTextLost, err = true, nil
				}
				if err != nil {
					return err
				}
				if it == nil {
					it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecordOp}})
				}
				if rops, err = opsIter(txn, it, id, batch); err != nil {
					return err
				}
				// The create the old state names has no link yet: it gets
				// one, as the new state will not name it.
				if old != nil && old.Unlinked != nil {
					o, err := unlinkedOp(txn, id, *old.Unlinked)
					if err != nil {
						return err
					}
					rops = append(rops, o)
					if err := txn.Set(recordOpKey(id, o.Device, o.Seq), nil); err != nil {
						return err
					}
				}
			}
			// This write's creates of the record: linked, except the one
			// a new record's state names.
			var unlinked *app.OpID
			for _, o := range byRecord[id] {
				if o.Type != app.OpCreate {
					continue
				}
				if fresh && unlinked == nil {
					oid := o.ID()
					unlinked = &oid
					continue
				}
				if !fresh {
					rops = append(rops, o) // opsIter found only linked ones
				}
				if err := txn.Set(recordOpKey(id, o.Device, o.Seq), nil); err != nil {
					return err
				}
			}
			var r *app.Record
			var textIn *app.OpID
			var enc []byte
			var err error
			if p := preparedFor[id]; fresh && p != nil && len(rops) == 1 && rops[0] == p.op {
				// Its whole history is the create PrepareCreate saw, and
				// unlinked names it: what would be written below.
				r, textIn, enc = p.r, p.textIn, p.enc
			} else {
				r = app.Fold(rops) // not nil when fresh: a create is among rops
				if r == nil {      // its create has not arrived yet
					if err := txn.Set(awaitKey(id), nil); err != nil {
						return err
					}
					continue
				}
				if !fresh && old == nil { // its create has just arrived
					if err := txn.Delete(awaitKey(id)); err != nil {
						return err
					}
				}
				if textIn, enc, err = stateOf(r, rops, unlinked); err != nil {
					return err
				}
			}
			if err := txn.Set(recordKey(id), enc); err != nil {
				return err
			}
			// The body key holds a text no operation holds (merged from
			// concurrent edits); one written before schema 3 is removed
			// once an operation holds the text.
			switch {
			case r.Body != "" && textIn == nil:
				err = txn.Set(bodyKey(id), []byte(r.Body))
			case old != nil && old.TextIn == nil && (old.Record.Body != "" || oldTextLost):
				err = txn.Delete(bodyKey(id))
			}
			if err != nil {
				return err
			}
			var oldRec *app.Record
			if old != nil {
				oldRec = old.Record
			}
			changes = append(changes, change{oldRec, r})
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.gen++
	for dev, top := range tops {
		s.top[dev] = top
	}
	for _, id := range known {
		s.known[id] = struct{}{}
	}
	s.opsMu.Lock()
	close(s.opsCh)
	s.opsCh = make(chan struct{})
	s.opsMu.Unlock()
	if len(changes) > 0 {
		s.ixMu.Lock()
		s.ixQueued++
		s.ixMu.Unlock()
		s.idxQ <- changes // waits while the indexer is several writes behind
	}
	return nil
}

// topTxn returns the highest sequence of dev's operations stored, 0 if
// none, from memory once looked up. The caller holds writeMu.
func (s *Store) topTxn(txn *badger.Txn, dev app.DeviceID) (uint64, error) {
	if top, ok := s.top[dev]; ok {
		return top, nil
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: devicePrefix(dev), Reverse: true})
	defer it.Close()
	var top uint64
	if it.Seek(opKey(dev, math.MaxUint64)); it.Valid() {
		k := it.Item().Key()
		if len(k) != 1+16+8 {
			return 0, &app.Error{Op: "apply", Kind: app.Corrupt, Msg: fmt.Sprintf("bad operation key %x", k)}
		}
		top = binary.BigEndian.Uint64(k[1+16:])
	}
	return top, nil
}
