// Step 2 of the write path (apply.go): refolding each record a write
// touches from its operations and writing its state, and PrepareCreate,
// which folds a new record ahead of the write.

package storage

import (
	"errors"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// foldRecords refolds each record the write touches and writes its state.
func (w *write) foldRecords() error {
	defer func() {
		if w.it != nil {
			w.it.Close()
		}
	}()
	for _, id := range w.touched {
		if err := w.foldRecord(id); err != nil {
			return err
		}
	}
	return nil
}

// history is what the write path knows of one record it refolds.
type history struct {
	id app.RecordID
	// fresh: this write creates the record and nothing of it is stored,
	// so its whole history is in the write.
	fresh bool
	ops   []*app.Op     // its operations, stored and new
	old   *storedRecord // its state before the write; nil if none
	// oldTextLost: old's text could not be read back. It is stored again
	// from the operations; the words of the lost text stay in the word
	// index until the next start.
	oldTextLost bool
	oldCreate   *app.Op   // the create old names, which has no link
	unlinked    *app.OpID // the create the new state names: it gets no link
}

// foldRecord brings the stored state of record id up to date with the
// write: it gathers the record's history, links its creates, folds it and
// writes the state, and notes the change for the indexer. A record whose
// create has not arrived is marked as awaiting it instead.
func (w *write) foldRecord(id app.RecordID) error {
	h, err := w.history(id)
	if err != nil {
		return err
	}
	if err := w.linkCreates(&h); err != nil {
		return err
	}
	st, err := w.fold(&h)
	if err != nil {
		return err
	}
	if st.r == nil {
		return w.txn.Set(awaitKey(id), nil)
	}
	if err := w.writeState(&h, st); err != nil {
		return err
	}
	if err := w.noteWaiting(id, st.r); err != nil {
		return err
	}
	var oldRec *app.Record
	if h.old != nil {
		oldRec = h.old.Record
	}
	w.changes = append(w.changes, change{oldRec, st.r})
	return nil
}

// history gathers record id's operations. A fresh record's are this
// write's, and its state will name its first create: nothing to read (the
// fast path). Any other record's are read back (readHistory).
func (w *write) history(id app.RecordID) (history, error) {
	_, had := w.s.known[id]
	if !had {
		w.known = append(w.known, id)
	}
	h := history{id: id, fresh: w.created[id] && !had}
	if !h.fresh {
		err := w.readHistory(&h)
		return h, err
	}
	h.ops = w.byRecord[id]
	for _, o := range h.ops {
		if o.Type == app.OpCreate {
			oid := o.ID()
			h.unlinked = &oid
			break
		}
	}
	return h, nil
}

// readHistory reads what is stored of a record that is not fresh: its
// state, if any (none when its create has just arrived), the operations
// its links find (this write's included), the create its state names, and
// then this write's creates, which have no link yet.
func (w *write) readHistory(h *history) error {
	var err error
	var te *textError
	switch h.old, err = storedTxn(w.txn, h.id); {
	case app.KindOf(err) == app.NotFound:
		h.old, err = nil, nil
	case errors.As(err, &te):
		h.oldTextLost, err = true, nil
	}
	if err != nil {
		return err
	}
	if w.it == nil {
		w.it = w.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecordOp}})
	}
	if h.ops, err = opsIter(w.txn, w.it, h.id, w.written); err != nil {
		return err
	}
	if h.old != nil && h.old.Unlinked != nil {
		if h.oldCreate, err = unlinkedOp(w.txn, h.id, *h.old.Unlinked); err != nil {
			return err
		}
		h.ops = append(h.ops, h.oldCreate)
	}
	for _, o := range w.byRecord[h.id] {
		if o.Type == app.OpCreate {
			h.ops = append(h.ops, o)
		}
	}
	return nil
}

// linkCreates links the record's creates that its new state will not
// name: the one its old state named, and this write's but the one a fresh
// record's state names.
func (w *write) linkCreates(h *history) error {
	if o := h.oldCreate; o != nil {
		if err := w.txn.Set(recordOpKey(h.id, o.Device, o.Seq), nil); err != nil {
			return err
		}
	}
	for _, o := range w.byRecord[h.id] {
		if o.Type != app.OpCreate || (h.unlinked != nil && *h.unlinked == o.ID()) {
			continue
		}
		if err := w.txn.Set(recordOpKey(h.id, o.Device, o.Seq), nil); err != nil {
			return err
		}
	}
	return nil
}

// fold folds the record's history into the state its record key will
// hold; no record while its create has not arrived. The fast path: a
// fresh record whose whole history is the create PrepareCreate saw takes
// the state it made, which is what folding here would give.
func (w *write) fold(h *history) (folded, error) {
	if p := w.prepared[h.id]; h.fresh && p != nil && len(h.ops) == 1 && h.ops[0] == p.op &&
		w.auth.AllowedAll(p.op, nil, p.op.Device).OK {
		return p.folded, nil
	}
	r := w.foldAuthorized(h.ops) // not nil when fresh: a create is among the operations
	if r == nil {
		return folded{}, nil
	}
	return stateOf(r, h.ops, h.unlinked)
}

// writeState writes the record's new state, and its text under the body
// key when no operation holds it (merged from concurrent edits); a body
// key written before schema 3 is removed once an operation holds the
// text. A record whose create has just arrived no longer awaits it.
func (w *write) writeState(h *history, st folded) error {
	if !h.fresh && h.old == nil {
		if err := w.txn.Delete(awaitKey(h.id)); err != nil {
			return err
		}
	}
	if err := w.txn.Set(recordKey(h.id), st.enc); err != nil {
		return err
	}
	switch {
	case st.r.Body != "" && st.textIn == nil:
		return w.txn.Set(bodyKey(h.id), []byte(st.r.Body))
	case h.old != nil && h.old.TextIn == nil && (h.old.Record.Body != "" || h.oldTextLost):
		return w.txn.Delete(bodyKey(h.id))
	}
	return nil
}

// folded is what a record key holds once a write has folded the record:
// the record, the operation whose patch holds its text (nil if none does)
// and the encoded state naming them. r is nil for a record whose create
// has not arrived: it has no state yet.
type folded struct {
	r      *app.Record
	textIn *app.OpID
	enc    []byte // encodeStored(r, textIn, the create it names)
}

// stateOf returns what the record key of r, folded from rops, holds,
// naming the create unlinked.
func stateOf(r *app.Record, rops []*app.Op, unlinked *app.OpID) (folded, error) {
	st := folded{r: r}
	if src := bodySource(rops, r.Body); src != nil {
		oid := src.ID()
		st.textIn = &oid
	}
	var err error
	st.enc, err = encodeStored(r, st.textIn, unlinked)
	return st, err
}

// prepared is the state a create makes when it is the record's whole
// history, folded and encoded ahead by PrepareCreate.
type prepared struct {
	op *app.Op
	folded
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
	st, err := stateOf(r, rops, &unlinked)
	if err != nil {
		return nil // storing will encode it again, and say what is wrong
	}
	return &prepared{op: o, folded: st}
}
