// Reads of records and of their operations: a record's state with its
// text, and the operations that fold into it (by the record-operation
// links, and the create its state names).

package storage

import (
	"errors"
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// LastOp returns dev's operation with the highest sequence number, decoded
// and as stored, or nil when dev has none.
func (s *Store) LastOp(dev app.DeviceID) (*app.Op, []byte, error) {
	var o *app.Op
	var enc []byte
	err := s.view(func(txn *badger.Txn) error {
		prefix := devicePrefix(dev)
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: prefix})
		defer it.Close()
		it.Seek(append(prefix, 0xff))
		if !it.Valid() {
			return nil
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		o, err = app.DecodeOp(v)
		enc = v
		return err
	})
	return o, enc, err
}

func decodeItem(item *badger.Item) (*app.Op, error) {
	var o *app.Op
	err := item.Value(func(v []byte) (err error) {
		o, err = app.DecodeOp(v)
		return err
	})
	return o, err
}

// opsTxn loads a record's operations: those the record-operation index
// lists, and the create its state names if that has no link.
func opsTxn(txn *badger.Txn, id app.RecordID) ([]*app.Op, error) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: recordOpPrefix(id)})
	ops, err := opsIter(txn, it, id, nil)
	it.Close()
	if err != nil {
		return nil, err
	}
	item, err := txn.Get(recordKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ops, nil
	}
	if err != nil {
		return nil, err
	}
	// Only the name of the create: a damaged record leaves its history
	// readable, and check reports it.
	var names storedNames
	var decErr error
	if err := item.Value(func(v []byte) error {
		names, decErr = namesOf(v)
		return nil
	}); err != nil {
		return nil, err
	}
	if decErr != nil || names.Unlinked == nil {
		return ops, nil
	}
	o, err := unlinkedOp(txn, id, *names.Unlinked)
	if err != nil {
		return nil, err
	}
	return append(ops, o), nil
}

// opsIter loads a record's operations with it, an iterator over the
// record-operation index. Operations found in known (those being written)
// are not read back.
func opsIter(txn *badger.Txn, it *badger.Iterator, id app.RecordID, known map[app.OpID]*app.Op) ([]*app.Op, error) {
	prefix := recordOpPrefix(id)
	var ops []*app.Op
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		dev, seq, ok := splitRecordOpKey(it.Item().Key())
		if !ok {
			return nil, &app.Error{Op: "load", Kind: app.Corrupt, Msg: fmt.Sprintf("bad index key %x", it.Item().Key())}
		}
		if o, ok := known[app.OpID{Device: dev, Seq: seq}]; ok {
			ops = append(ops, o)
			continue
		}
		item, err := txn.Get(opKey(dev, seq))
		if err != nil {
			return nil, &app.Error{Op: "load", Kind: app.Corrupt, Msg: fmt.Sprintf("operation %s/%d of record %s is missing", dev, seq, id), Err: err}
		}
		o, err := decodeItem(item)
		if err != nil {
			return nil, err
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// Record returns a record's current state, body included. Errors:
// app.NotFound, app.Corrupt.
func (s *Store) Record(id app.RecordID) (*app.Record, error) {
	var r *app.Record
	err := s.view(func(txn *badger.Txn) (err error) {
		r, err = recordTxn(txn, id)
		return err
	})
	return r, err
}

// textError is a record whose text cannot be read back (its reference
// names an operation that is missing or damaged); recordTxn returns the
// record without its text beside it.
type textError struct{ err *app.Error }

func (e *textError) Error() string { return e.err.Error() }

func (e *textError) Unwrap() error { return e.err }

// Records returns records ids whole, read in one transaction: a draft's
// paragraphs and amendments are read thousands at a time.
func (s *Store) Records(ids []app.RecordID) ([]*app.Record, error) {
	out := make([]*app.Record, len(ids))
	err := s.view(func(txn *badger.Txn) error {
		for i, id := range ids {
			r, err := recordTxn(txn, id)
			if err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func recordTxn(txn *badger.Txn, id app.RecordID) (*app.Record, error) {
	sr, err := storedTxn(txn, id)
	if sr == nil {
		return nil, err
	}
	return sr.Record, err
}

// storedTxn reads what a record key holds, with the record's text in Body
// wherever it is kept. A text that cannot be read back gives the record
// without it and a *textError.
func storedTxn(txn *badger.Txn, id app.RecordID) (*storedRecord, error) {
	item, err := txn.Get(recordKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, &app.Error{Kind: app.NotFound, Msg: fmt.Sprintf("no record with id %s", id)}
	}
	if err != nil {
		return nil, err
	}
	var sr *storedRecord
	err = item.Value(func(v []byte) (err error) {
		sr, err = decodeStored(v)
		return err
	})
	if err != nil {
		return nil, err
	}
	var text []byte
	switch {
	case sr.TextIn != nil:
		text, err = opTextAt(txn, opKey(sr.TextIn.Device, sr.TextIn.Seq))
	case sr.Record.Body == "": // stores of the first days kept the body in the record
		item, err = txn.Get(bodyKey(id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return sr, nil
		}
		if err != nil {
			return nil, err
		}
		if text, err = item.ValueCopy(nil); err != nil {
			return nil, err
		}
		text, err = bodyText(txn, text)
	default:
		return sr, nil
	}
	if err != nil {
		return sr, &textError{&app.Error{Op: "load", Kind: app.Corrupt, Msg: fmt.Sprintf("the text of record %s", id), Err: err}}
	}
	sr.Record.Body = string(text)
	return sr, nil
}

// unlinkedOp reads the create that record id's state names as having no
// record-operation link.
func unlinkedOp(txn *badger.Txn, id app.RecordID, at app.OpID) (*app.Op, error) {
	item, err := txn.Get(opKey(at.Device, at.Seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, &app.Error{Op: "load", Kind: app.Corrupt, Msg: fmt.Sprintf("operation %s, the create of record %s, is missing", at, id)}
	}
	if err != nil {
		return nil, err
	}
	o, err := decodeItem(item)
	if err != nil {
		return nil, err
	}
	if o.Type != app.OpCreate || o.Record != id {
		return nil, &app.Error{Op: "load", Kind: app.Corrupt, Msg: fmt.Sprintf("record %s names operation %s as its create, which it is not", id, at)}
	}
	return o, nil
}

// Ops returns a record's operations sorted in the order they apply. Errors:
// app.NotFound, app.Corrupt.
func (s *Store) Ops(id app.RecordID) ([]*app.Op, error) {
	var ops []*app.Op
	err := s.view(func(txn *badger.Txn) (err error) {
		ops, err = opsTxn(txn, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, &app.Error{Kind: app.NotFound, Msg: fmt.Sprintf("no record with id %s", id)}
	}
	sortOps(ops)
	return ops, nil
}
