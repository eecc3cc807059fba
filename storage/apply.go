// The write path: Apply and its kin store operations and refold the
// records they touch, in one durable transaction, then hand the changes
// to the indexer. applyTxn lists the steps; this file holds all but the
// refolding of records, which is in fold.go.

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

// applyTxn is apply in one transaction; encs and prep may be nil. These
// are the write path's steps, in the order they run:
//
//  1. storeOps checks and stores each operation and links it to its
//     record;
//  2. foldRecords refolds each record the operations touch and writes its
//     state (fold.go; for each record, foldRecord: history, linkCreates,
//     fold, writeState);
//  3. advance moves the version vector past what was stored;
//  4. once the transaction is durable, committed remembers what it stored,
//     wakes whoever waits for operations and hands the changes to the
//     indexer (indexer.go).
//
// A first sync takes each step's fast path: an operation above its
// device's highest stored sequence is new without a lookup, and a record
// created in this write, of which nothing is stored, is folded from the
// write alone, with no read; when PrepareCreate has folded it ahead, from
// its state.
func (s *Store) applyTxn(ops []*app.Op, encs [][]byte, prep []any) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed {
		return &app.Error{Op: "apply", Msg: "the store is closed"}
	}
	if err := s.room("save", opsSize(ops, encs)); err != nil {
		return err
	}
	w := s.newWrite(ops, encs, prep)
	err := s.update(func(txn *badger.Txn) error {
		w.txn = txn
		if err := w.storeOps(); err != nil {
			return err
		}
		if err := w.reauthorize(); err != nil {
			return err
		}
		if err := w.foldRecords(); err != nil {
			return err
		}
		return w.advance()
	})
	if err != nil {
		return err
	}
	s.committed(w)
	if w.stale {
		return s.refoldStaleLocked()
	}
	return nil
}

// write is one transaction of the write path: the operations it stores
// and what each step leaves for the next. applyTxn makes it under writeMu.
type write struct {
	s    *Store
	txn  *badger.Txn
	ops  []*app.Op
	encs [][]byte // ops' canonical encodings; nil: encode them
	prep []any    // what PrepareCreate made of each; may be nil

	// Left by storeOps: each device's highest sequence, stored or in this
	// write; the operations this write stores (not those stored already);
	// the records they touch, in order, with their new operations; the
	// records this write creates, and the states PrepareCreate made for
	// them.
	tops     map[app.DeviceID]uint64
	written  map[app.OpID]*app.Op
	touched  []app.RecordID
	byRecord map[app.RecordID][]*app.Op
	created  map[app.RecordID]bool
	prepared map[app.RecordID]*prepared

	// Left by foldRecords: the records Apply knows from now on, and each
	// record before and after, for the indexer.
	known   []app.RecordID
	changes []change

	// One iterator over the record-operation links for the whole write,
	// made when first needed: one per record would sort the transaction's
	// pending writes each time.
	it *badger.Iterator

	// Roles (authority.go): the role operations and laptops this write
	// stores; the authority its records are folded with, and what it was
	// resolved from when the write changed it; the records waiting for
	// role operations before it; touched as a set, once needed.
	roleOps      []*app.Op
	devices      []app.DeviceID
	auth         *app.Authority
	authOps      []*app.Op
	authDevices  []app.DeviceID
	wasWaiting   map[app.RecordID]bool
	touchedSet   map[app.RecordID]bool
	reauthorized bool // auth is new: committed sets it
	authWaiting  map[app.OpID]bool
	awaited      bool // the write stores an operation a role operation's past waits for
	stale        bool // it marked records to refold after it (too many for one transaction)
}

func (s *Store) newWrite(ops []*app.Op, encs [][]byte, prep []any) *write {
	return &write{s: s, ops: ops, encs: encs, prep: prep,
		tops:    map[app.DeviceID]uint64{},
		written: make(map[app.OpID]*app.Op, len(ops)),
		// Sized: growing rehashes every key.
		byRecord: make(map[app.RecordID][]*app.Op, len(ops)),
		created:  make(map[app.RecordID]bool, len(ops)),
		prepared: make(map[app.RecordID]*prepared, len(prep)),
	}
}

// storeOps checks and stores each operation, and links it to its record.
func (w *write) storeOps() error {
	for i, o := range w.ops {
		enc, err := w.encoding(i)
		if err != nil {
			return err
		}
		isNew, err := w.isNew(o, enc)
		if err != nil {
			return err
		}
		if !isNew {
			continue // already stored: idempotent
		}
		if err := w.storeOp(o, enc); err != nil {
			return err
		}
		if o.Record != "" {
			if err := w.linkOp(o, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// encoding returns the bytes ops[i] is stored as.
func (w *write) encoding(i int) ([]byte, error) {
	if w.encs != nil {
		return w.encs[i], nil
	}
	return app.EncodeOp(w.ops[i])
}

// isNew says whether o is not stored yet. An operation above everything
// stored of its device is new without a lookup; one at an address in use
// must be the same operation, stored again. Errors: app.Corrupt when a
// different operation is stored there.
func (w *write) isNew(o *app.Op, enc []byte) (bool, error) {
	top, ok := w.tops[o.Device]
	if !ok {
		var err error
		if top, err = w.s.topTxn(w.txn, o.Device); err != nil {
			return false, err
		}
	}
	w.tops[o.Device] = max(top, o.Seq)
	if o.Seq > top {
		return true, nil
	}
	item, err := w.txn.Get(opKey(o.Device, o.Seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	same := false
	if err := item.Value(func(v []byte) error { same = string(v) == string(enc); return nil }); err != nil {
		return false, err
	}
	if !same {
		return false, &app.Error{Op: "apply", Kind: app.Corrupt, Msg: fmt.Sprintf("a different operation is already stored as %s", o.ID())}
	}
	return false, nil
}

// storeOp writes o under its address, and the key a device announces
// under the device's.
func (w *write) storeOp(o *app.Op, enc []byte) error {
	if err := w.txn.Set(opKey(o.Device, o.Seq), enc); err != nil {
		return err
	}
	w.written[o.ID()] = o
	if w.s.awaitedByRoles(o.ID()) {
		w.awaited = true
	}
	switch o.Type {
	case app.OpDevice:
		w.devices = append(w.devices, o.Device)
		return w.txn.Set(deviceKey(o.Device), o.PubKey)
	case app.OpRole:
		w.roleOps = append(w.roleOps, o)
		return w.txn.Set(roleOpKey(o.Device, o.Seq), nil)
	}
	return nil
}

// linkOp links o, ops[i], to its record and notes the record as touched.
// A create's link waits for linkCreates: the state of a record created
// here names its create instead.
func (w *write) linkOp(o *app.Op, i int) error {
	if o.Type != app.OpCreate {
		if err := w.txn.Set(recordOpKey(o.Record, o.Device, o.Seq), nil); err != nil {
			return err
		}
	}
	if _, ok := w.byRecord[o.Record]; !ok {
		w.touched = append(w.touched, o.Record)
	}
	w.byRecord[o.Record] = append(w.byRecord[o.Record], o)
	if o.Type == app.OpCreate {
		w.created[o.Record] = true
		if w.prep != nil {
			if p, ok := w.prep[i].(*prepared); ok && p.op == o {
				w.prepared[o.Record] = p
			}
		}
	}
	return nil
}

// advance moves each device's high-water mark in the version vector past
// the operations written, and counts the write in the store's generation.
func (w *write) advance() error {
	if err := advanceVector(w.txn, w.ops); err != nil {
		return err
	}
	return w.txn.Set(genKey(), binary.BigEndian.AppendUint64(nil, w.s.gen+1))
}

// committed takes in a write that is durable: what Apply knows without
// reading Badger, the generation, then whoever waits for operations and
// the indexer.
func (s *Store) committed(w *write) {
	s.gen++
	if w.reauthorized {
		s.setAuthority(w.auth, w.authOps, w.authDevices, w.authWaiting)
	}
	for dev, top := range w.tops {
		s.top[dev] = top
	}
	for _, id := range w.known {
		s.known[id] = struct{}{}
	}
	s.opsStored()
	s.queueIndex(w.changes)
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
