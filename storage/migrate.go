// The schema version check at Open, and the migrations that bring a store
// written by an older version up to schemaVersion (see prefix.go).

package storage

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// migrations upgrade a store from the version of their key to the next.
var migrations = map[uint32]func(*badger.Txn) error{
	1: markAwaiting,
	2: noMigration,
}

// noMigration (schema 2 to 3): what schema 2 wrote reads as it is.
func noMigration(*badger.Txn) error { return nil }

// markAwaiting (schema 1 to 2) sets the await key of every record that has
// operations but no state, which Apply from schema 2 on keeps up to date.
// It writes in the schema check's one transaction, which holds some 80,000
// such keys: records wait for their create only while a sync is partial.
func markAwaiting(txn *badger.Txn) error {
	var ids []app.RecordID // with operations, in key order
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecordOp}})
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) < 1+26 {
			continue // Check reports it
		}
		if id := app.RecordID(k[1 : 1+26]); len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	it.Close()
	// Badger allows one iterator at a time in a write transaction.
	var awaiting []app.RecordID
	it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}})
	i := 0
	for it.Rewind(); it.Valid() && i < len(ids); it.Next() {
		id := app.RecordID(it.Item().Key()[1:])
		for ; i < len(ids) && ids[i] < id; i++ {
			awaiting = append(awaiting, ids[i])
		}
		if i < len(ids) && ids[i] == id {
			i++
		}
	}
	it.Close()
	awaiting = append(awaiting, ids[i:]...)
	for _, id := range awaiting {
		if err := txn.Set(awaitKey(id), nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) checkSchema(dir string) error {
	const op = "open"
	txnFn := s.update
	if s.readOnly {
		txnFn = s.view
	}
	return txnFn(func(txn *badger.Txn) error {
		item, err := txn.Get(schemaKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			it := txn.NewIterator(badger.IteratorOptions{})
			defer it.Close()
			if it.Rewind(); it.Valid() {
				return &app.Error{Op: op, Kind: app.Foreign, Msg: fmt.Sprintf("%s holds a database that is not Consulta's; refusing to use it", dir)}
			}
			return nil // a new, empty store
		}
		if err != nil {
			return &app.Error{Op: op, Kind: app.Corrupt, Err: err}
		}
		v, err := item.ValueCopy(nil)
		if err != nil || len(v) != 4 {
			return &app.Error{Op: op, Kind: app.Corrupt, Msg: "unreadable schema version"}
		}
		ver := binary.BigEndian.Uint32(v)
		if ver == schemaVersion {
			return nil
		}
		if ver > schemaVersion {
			return &app.Error{Op: op, Kind: app.Foreign, Msg: fmt.Sprintf("%s was written by a newer Consulta (schema %d; this one knows %d); upgrade Consulta to open it", dir, ver, schemaVersion)}
		}
		if s.readOnly {
			free, _ := s.free()
			return &app.Error{Op: op, Kind: app.DiskFull, Msg: fmt.Sprintf("the disk holding %s has %s free; this store must be upgraded to this version of Consulta before it can be read, which needs at least %s free. Free some space and try again; nothing stored is lost", dir, mb(free, false), mb(s.need(0), true))}
		}
		for ; ver < schemaVersion; ver++ {
			m, ok := migrations[ver]
			if !ok {
				return &app.Error{Op: op, Kind: app.Foreign, Msg: fmt.Sprintf("no migration from schema %d", ver)}
			}
			if err := m(txn); err != nil {
				return &app.Error{Op: op, Kind: app.Corrupt, Msg: fmt.Sprintf("migrating from schema %d", ver), Err: err}
			}
		}
		return txn.Set(schemaKey, binary.BigEndian.AppendUint32(nil, schemaVersion))
	})
}
