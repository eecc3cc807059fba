package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/go-memdb"
)

// Options configures Open.
type Options struct {
	// InMemory keeps everything in memory, for tests. Dir is ignored.
	InMemory bool
	// Log receives Badger's warnings and errors; nil discards them.
	Log *log.Logger
	// GCInterval is how often the value log is garbage-collected; zero
	// means every 10 minutes.
	GCInterval time.Duration
}

// Store is Consulta's storage: Badger on disk, memdb and a word index in
// memory. It implements app.Store and is safe for concurrent use.
type Store struct {
	db  *badger.DB
	tax *app.Taxonomy

	writeMu sync.Mutex // serializes Apply: one writer at a time

	// idxMu guards mem's commits, text and counts together, so that a
	// reader sees all three at the same version.
	idxMu  sync.RWMutex
	mem    *memdb.MemDB
	text   *textIndex
	counts *app.Facets // facet counts over every record

	stop chan struct{}
	done chan struct{}
}

var _ app.Store = (*Store)(nil)

// Open opens the store in dir, creating dir if it does not exist, and
// rebuilds the in-memory indexes from it. Errors:
//   - app.Foreign: dir holds something that is not a Consulta store, or a
//     store written by a newer version; nothing in it is changed;
//   - app.Locked: another process has the store open;
//   - app.Corrupt: the store cannot be read.
func Open(dir string, o Options) (*Store, error) {
	const op = "open"
	bo := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{o.Log}).
		WithSyncWrites(true). // an acknowledged write is on disk
		WithNumMemtables(2).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(16 << 20).
		WithNumCompactors(2).
		WithMetricsEnabled(false)
	if o.InMemory {
		bo = bo.WithDir("").WithValueDir("").WithInMemory(true)
	} else if err := checkDir(dir); err != nil {
		return nil, err
	}
	db, err := badger.Open(bo)
	if err != nil {
		if strings.Contains(err.Error(), "directory lock") {
			return nil, &app.Error{Op: op, Kind: app.Locked, Msg: fmt.Sprintf("the data directory %s is in use by another Consulta; close it first or use another --data directory", dir)}
		}
		return nil, &app.Error{Op: op, Kind: app.Corrupt, Msg: fmt.Sprintf("cannot open the store in %s", dir), Err: err}
	}
	mem, err := memdb.NewMemDB(schema())
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, tax: app.MustTaxonomy(), mem: mem, text: newTextIndex(), counts: app.NewFacets(),
		stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.checkSchema(dir); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.rebuild(); err != nil {
		db.Close()
		return nil, err
	}
	interval := o.GCInterval
	if interval == 0 {
		interval = 10 * time.Minute
	}
	go s.gcLoop(interval)
	return s, nil
}

// checkDir refuses a directory that holds files but no Badger store, so that
// a mistyped --data never writes into someone's documents.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return &app.Error{Op: "open", Kind: app.Foreign, Err: err}
	}
	if !fi.IsDir() {
		return &app.Error{Op: "open", Kind: app.Foreign, Msg: fmt.Sprintf("%s is a file, not a data directory", dir)}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &app.Error{Op: "open", Kind: app.Foreign, Err: err}
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
		return &app.Error{Op: "open", Kind: app.Foreign, Msg: fmt.Sprintf("%s is not a Consulta data directory (it holds other files); refusing to use it so that nothing in it is overwritten", dir)}
	}
	return nil
}

// migrations upgrade a store from the version of their key to the next.
// None exist yet: schema 1 is the first.
var migrations = map[uint32]func(*badger.Txn) error{}

func (s *Store) checkSchema(dir string) error {
	const op = "open"
	return s.db.Update(func(txn *badger.Txn) error {
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
		if ver > schemaVersion {
			return &app.Error{Op: op, Kind: app.Foreign, Msg: fmt.Sprintf("%s was written by a newer Consulta (schema %d; this one knows %d); upgrade Consulta to open it", dir, ver, schemaVersion)}
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

// rebuild loads every materialized record into the in-memory indexes.
func (s *Store) rebuild() error {
	mt := s.mem.Txn(true)
	defer mt.Abort()
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var r *app.Record
			err := it.Item().Value(func(v []byte) (err error) {
				r, err = app.DecodeRecord(v)
				return err
			})
			if err != nil {
				return &app.Error{Op: "open", Kind: app.Corrupt, Msg: fmt.Sprintf("record %s", it.Item().Key()[1:]), Err: err}
			}
			if err := s.indexLocked(mt, nil, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	mt.Commit()
	return nil
}

// indexLocked puts r, replacing old, into every in-memory index. The caller
// holds idxMu for writing (or is rebuilding before anyone can read).
func (s *Store) indexLocked(mt *memdb.Txn, old, r *app.Record) error {
	if err := mt.Insert(tableRecords, r); err != nil {
		return err
	}
	s.text.put(r)
	if old != nil {
		countRecord(s.tax, s.counts, old, -1)
	}
	countRecord(s.tax, s.counts, r, 1)
	return nil
}

func (s *Store) gcLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			for s.db.RunValueLogGC(0.5) == nil {
			}
		}
	}
}

// Close stops background work and closes the database.
func (s *Store) Close() error {
	close(s.stop)
	<-s.done
	return s.db.Close()
}

// Init stores the workspace and this device's identity. Errors: app.Exist
// when the store already holds a workspace.
func (s *Store) Init(ws *app.Workspace, id *app.Identity) error {
	wb, err := app.Marshal(ws)
	if err != nil {
		return err
	}
	ib, err := app.Marshal(id)
	if err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error {
		if _, err := txn.Get(workspaceKey()); err == nil {
			return &app.Error{Op: "init", Kind: app.Exist, Msg: "this data directory already holds a workspace"}
		}
		if err := txn.Set(schemaKey, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
			return err
		}
		if err := txn.Set(workspaceKey(), wb); err != nil {
			return err
		}
		return txn.Set(identityKey(), ib)
	})
}

// get reads one value. Errors: app.NotFound, app.NotInitialized for the
// metadata keys.
func (s *Store) get(key []byte, v any) error {
	return s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return &app.Error{Kind: app.NotInitialized, Msg: "no workspace here yet; create one with init"}
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if err := app.Unmarshal(b, v); err != nil {
				return &app.Error{Kind: app.Corrupt, Msg: fmt.Sprintf("key %x", key), Err: err}
			}
			return nil
		})
	})
}

// Workspace returns the workspace. Errors: app.NotInitialized, app.Corrupt.
func (s *Store) Workspace() (*app.Workspace, error) {
	var ws app.Workspace
	if err := s.get(workspaceKey(), &ws); err != nil {
		return nil, err
	}
	return &ws, nil
}

// Identity returns this device's identity. Errors: app.NotInitialized,
// app.Corrupt.
func (s *Store) Identity() (*app.Identity, error) {
	var id app.Identity
	if err := s.get(identityKey(), &id); err != nil {
		return nil, err
	}
	return &id, nil
}

// LastOp returns dev's highest sequence number and that operation's HLC.
func (s *Store) LastOp(dev app.DeviceID) (seq uint64, hlc app.HLC, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		prefix := devicePrefix(dev)
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: prefix})
		defer it.Close()
		it.Seek(append(prefix, 0xff))
		if !it.Valid() {
			return nil
		}
		o, err := decodeItem(it.Item())
		if err != nil {
			return err
		}
		seq, hlc = o.Seq, o.HLC
		return nil
	})
	return seq, hlc, err
}

func decodeItem(item *badger.Item) (*app.Op, error) {
	var o *app.Op
	err := item.Value(func(v []byte) (err error) {
		o, err = app.DecodeOp(v)
		return err
	})
	return o, err
}

// Apply stores ops and refolds the records they touch, in one durable
// transaction, then updates the in-memory indexes. Errors: app.Corrupt when
// a different operation is already stored at one of the addresses.
func (s *Store) Apply(ops []*app.Op) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var touched []app.RecordID
	seen := map[app.RecordID]bool{}
	var recs []*app.Record
	batch := make(map[app.OpID]*app.Op, len(ops))
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, o := range ops {
			enc, err := app.EncodeOp(o)
			if err != nil {
				return err
			}
			key := opKey(o.Device, o.Seq)
			if item, err := txn.Get(key); err == nil {
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
				if err := txn.Set(recordOpKey(o.Record, o.Device, o.Seq), nil); err != nil {
					return err
				}
				if !seen[o.Record] {
					seen[o.Record] = true
					touched = append(touched, o.Record)
				}
			}
		}
		// One iterator for the whole batch: creating one per record would
		// sort the transaction's pending writes each time.
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecordOp}})
		defer it.Close()
		for _, id := range touched {
			rops, err := opsIter(txn, it, id, batch)
			if err != nil {
				return err
			}
			r := app.Fold(rops)
			if r == nil {
				continue // its create has not arrived yet
			}
			enc, err := app.EncodeRecord(r)
			if err != nil {
				return err
			}
			if err := txn.Set(recordKey(id), enc); err != nil {
				return err
			}
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return &app.Error{Op: "apply", Kind: app.Invalid, Msg: "too many changes in one write; split them"}
		}
		return err
	}
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	mt := s.mem.Txn(true)
	for _, r := range recs {
		old, err := mt.First(tableRecords, indexID, string(r.ID))
		if err != nil {
			mt.Abort()
			return err
		}
		o, _ := old.(*app.Record)
		if err := s.indexLocked(mt, o, r); err != nil {
			mt.Abort()
			return err
		}
	}
	mt.Commit()
	return nil
}

// opsTxn loads a record's operations.
func opsTxn(txn *badger.Txn, id app.RecordID) ([]*app.Op, error) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: recordOpPrefix(id)})
	defer it.Close()
	return opsIter(txn, it, id, nil)
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

// Record returns a record's current state from memory. The record is shared
// and must not be modified. Errors: app.NotFound.
func (s *Store) Record(id app.RecordID) (*app.Record, error) {
	s.idxMu.RLock()
	defer s.idxMu.RUnlock()
	obj, err := s.mem.Txn(false).First(tableRecords, indexID, string(id))
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, &app.Error{Kind: app.NotFound, Msg: fmt.Sprintf("no record with id %s", id)}
	}
	return obj.(*app.Record), nil
}

// Ops returns a record's operations sorted in the order they apply. Errors:
// app.NotFound, app.Corrupt.
func (s *Store) Ops(id app.RecordID) ([]*app.Op, error) {
	var ops []*app.Op
	err := s.db.View(func(txn *badger.Txn) (err error) {
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

// badgerLogger forwards Badger's errors and warnings and drops the rest.
type badgerLogger struct{ l *log.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Printf("storage: "+f, a...)
	}
}
func (b badgerLogger) Warningf(f string, a ...any) { b.Errorf(f, a...) }
func (badgerLogger) Infof(string, ...any)          {}
func (badgerLogger) Debugf(string, ...any)         {}

var _ io.Closer = (*Store)(nil)

// PutLocal stores a value of this laptop's own (a draft, a setting)
// durably; an empty value deletes the key.
func (s *Store) PutLocal(key string, value []byte) error {
	return s.db.Update(func(txn *badger.Txn) error {
		if len(value) == 0 {
			return txn.Delete(localKey(key))
		}
		return txn.Set(localKey(key), value)
	})
}

// GetLocal returns the value stored under key by PutLocal, or nil.
func (s *Store) GetLocal(key string) ([]byte, error) {
	var v []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(localKey(key))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	})
	return v, err
}

// ListLocal returns every local key starting with prefix, with its value.
func (s *Store) ListLocal(prefix string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: localKey(prefix), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().Key()[1:])] = v
		}
		return nil
	})
	return out, err
}
