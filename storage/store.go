package storage

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
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
	// Passphrase opens a protected data directory; given for a new one, it
	// creates it protected (see protect.go). Errors: app.Passphrase when
	// it is needed and missing, or wrong.
	Passphrase []byte
	// FreeSpace measures the free space of the file system holding the
	// store, before every write and at Open (see space.go); nil means
	// statfs. Tests fake a full disk with it. An in-memory store checks
	// only when it is given.
	FreeSpace FreeSpaceFunc
}

// Store is Consulta's storage: Badger on disk, memdb and a word index in
// memory. It implements app.Store and is safe for concurrent use.
type Store struct {
	// dbMu guards db itself, which a store opened read-only on a full disk
	// replaces by one open for writing once the space is back (reopen,
	// which also holds writeMu). Every use of db holds it for reading.
	dbMu sync.RWMutex
	db   *badger.DB
	tax  *app.Taxonomy

	dir       string         // "" in memory
	bo        badger.Options // what db was opened with, for reopen
	freeSpace FreeSpaceFunc  // nil: not measured
	readOnly  bool           // db is open read-only (the disk was full); guarded by writeMu

	writeMu sync.Mutex // serializes writes that read first (Apply, Init, SetWorkspace)

	// idxMu guards mem's commits and idx together, so that a reader sees
	// both at the same version.
	idxMu sync.RWMutex
	mem   *memdb.MemDB
	idx   *index

	stop chan struct{}
	done chan struct{}

	// Apply stores in Badger and hands the in-memory index update to the
	// indexer goroutine, so that the next write's Badger transaction runs
	// while this one's words are indexed (a first sync is a stream of
	// writes). Readers of the index wait for every update queued before
	// they started: a Query after Apply returned sees the write.
	idxQ      chan []change
	idxDone   chan struct{}
	ixMu      sync.Mutex
	ixCond    *sync.Cond
	ixQueued  uint64 // index updates handed to the indexer
	ixApplied uint64 // ... and applied
	ixErr     error  // the indexer failed; the index is stale until reopened
	closed    bool   // guarded by writeMu

	// What Apply knows without reading Badger, guarded by writeMu: the
	// records that have a stored state or await their create, and the
	// highest sequence stored of each device it has looked up. A first sync
	// then reads nothing back: every operation is above its device's top
	// and every record it creates is unknown.
	known map[app.RecordID]struct{}
	top   map[app.DeviceID]uint64

	opsMu sync.Mutex
	opsCh chan struct{} // closed and replaced whenever operations are stored

	gen           uint64 // writes so far; guarded by writeMu after Open
	wordsGen      uint64 // the generation the stored word snapshot is of
	wordsRestored bool   // Open took the word index from the snapshot
	wordsCurrent  bool   // the stored snapshot is of generation wordsGen
}

var _ app.Store = (*Store)(nil)

// Open opens the store in dir, creating dir if it does not exist, and
// rebuilds the in-memory indexes from it. Errors:
//   - app.Foreign: dir holds something that is not a Consulta store, or a
//     store written by a newer version; nothing in it is changed;
//   - app.Locked: another process has the store open;
//   - app.Corrupt: the store cannot be read.
//   - app.DiskFull: the disk is full and the store cannot be read without
//     writing (it is new, or was not closed cleanly).
//
// On a disk without the room a write needs (see space.go), the store opens
// read-only: every read works, every write is refused with app.DiskFull
// until the space is back, when the first write opens it for writing.
func Open(dir string, o Options) (*Store, error) {
	bo := badgerOptions(dir, o)
	free := o.FreeSpace
	if free == nil && !o.InMemory {
		free = freeSpace
	}
	if o.InMemory {
		// Without a value log every value stays in the tree.
		bo = bo.WithDir("").WithValueDir("").WithInMemory(true).WithValueThreshold(1 << 20)
	} else if err := checkDir(dir); err != nil {
		return nil, err
	} else if key, err := storeKey(dir, o.Passphrase); err != nil {
		return nil, err
	} else if key != nil {
		bo = bo.WithEncryptionKey(key)
	}
	var db *badger.DB
	var err error
	readOnly := false
	if f, ferr := callFree(free, dir); !o.InMemory && ferr == nil && f < openNeed(dir) {
		readOnly = true
		db, err = openReadOnly(dir, bo, f, openNeed(dir))
		if err != nil {
			return nil, err
		}
	} else if db, err = badger.Open(bo); err != nil {
		return nil, openError(dir, err)
	}
	if o.InMemory {
		dir = ""
	}
	mem, err := memdb.NewMemDB(schema())
	if err != nil {
		db.Close()
		return nil, err
	}
	tax := app.MustTaxonomy()
	s := &Store{db: db, tax: tax, mem: mem, idx: newIndex(tax),
		dir: dir, bo: bo, freeSpace: free, readOnly: readOnly,
		stop: make(chan struct{}), done: make(chan struct{}), opsCh: make(chan struct{}),
		idxQ: make(chan []change, 4), idxDone: make(chan struct{})}
	s.ixCond = sync.NewCond(&s.ixMu)
	if err := s.checkSchema(dir); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.rebuild(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadKnown(); err != nil {
		db.Close()
		return nil, err
	}
	// The rebuild leaves a few hundred megabytes of garbage behind (every
	// record decoded with its body); give it back to the system now rather
	// than whenever the runtime gets round to it.
	debug.FreeOSMemory()
	interval := o.GCInterval
	if interval == 0 {
		interval = 10 * time.Minute
	}
	if !readOnly {
		s.keepReserve()
	}
	go s.gcLoop(interval)
	go s.indexLoop()
	return s, nil
}

// callFree measures with free, which may be nil (not measured).
func callFree(free FreeSpaceFunc, dir string) (uint64, error) {
	if free == nil {
		return 0, errors.ErrUnsupported
	}
	return free(dir)
}

// view runs fn in a read-only transaction.
func (s *Store) view(fn func(*badger.Txn) error) error {
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	return s.db.View(fn)
}

// update runs fn in a read-write transaction; the caller has checked room.
func (s *Store) update(fn func(*badger.Txn) error) error {
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	return s.db.Update(fn)
}

// openError says why Badger could not open the store in dir.
func openError(dir string, err error) error {
	switch {
	case strings.Contains(err.Error(), "directory lock"):
		return &app.Error{Op: "open", Kind: app.Locked, Msg: fmt.Sprintf("the data directory %s is in use by another Consulta; close it first or use another --data directory", dir)}
	case errors.Is(err, badger.ErrEncryptionKeyMismatch):
		return wrongPassphrase()
	}
	return &app.Error{Op: "open", Kind: app.Corrupt, Msg: fmt.Sprintf("cannot open the store in %s", dir), Err: err}
}

// badgerOptions are the options every store is opened with.
//
// Values over 1 KB (most operations, which hold a text) go to the value
// log and the tree keeps a pointer to them: otherwise each is written to
// the tree's log, its memtable, a level-0 table and again by compaction.
// Records (without their text) and everything read to open stay in the
// tree. A first sync of 100,000 operations spent about 10% less CPU, with
// no compaction during it; opening did not get slower.
//
// Iterators here do not prefetch values: Badger starts a goroutine per item
// to do so; on a busy machine each wait for such a goroutine cost the
// sync's Vector calls milliseconds. The only iteration over values in the
// value log is EachOpAfter's, whose reads come from the page cache.
//
// Tables are not compressed: a first sync spent 1.5 s of its CPU in
// Snappy; the texts take about a quarter more disk (384 MB against 311 MB
// for the 100,000-record benchmark workspace), and opening got faster.
func badgerOptions(dir string, o Options) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{o.Log}).
		WithSyncWrites(true). // an acknowledged write is on disk
		// Memory: the defaults (five 64 MB memtables, a 256 MB block cache)
		// are sized for servers; a laptop at a meeting runs other things.
		WithMemTableSize(32 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(16 << 20).
		WithIndexCacheSize(32 << 20). // also needed by encryption
		WithNumCompactors(2).
		// Every transaction that reads before it writes holds writeMu, so
		// Badger's conflict tracking would only cost time.
		WithDetectConflicts(false).
		WithMetricsEnabled(false).
		WithCompression(options.None).
		WithValueThreshold(1024)
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
	if len(entries) == 0 || (len(entries) == 1 && entries[0].Name() == KeyFileName) {
		return nil // empty, or protected before its store was made
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
		return &app.Error{Op: "open", Kind: app.Foreign, Msg: fmt.Sprintf("%s is not a Consulta data directory (it holds other files); refusing to use it so that nothing in it is overwritten", dir)}
	}
	return nil
}

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

func (s *Store) gcLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.gc()
		}
	}
}

// Close stops background work and closes the database.
func (s *Store) Close() error {
	s.writeMu.Lock()
	if s.closed {
		s.writeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.idxQ)
	s.writeMu.Unlock()
	<-s.idxDone
	close(s.stop)
	<-s.done
	s.writeMu.Lock()
	readOnly := s.readOnly
	s.writeMu.Unlock()
	if readOnly {
		return s.db.Close() // it writes nothing
	}
	err := s.saveSnapshot()
	// Badger's Close flushes the memtable into a table through a memory
	// map: on a disk filled meanwhile, the reserve gives it the room.
	if free, ok := s.free(); ok && free < s.flushNeed() {
		s.releaseReserve()
		if free, _ = s.free(); free < s.flushNeed() {
			return s.closeShort(free, s.flushNeed())
		}
	}
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// gc collects the value log's garbage while the disk has room for what it
// rewrites (see space.go).
func (s *Store) gc() {
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	for {
		if free, ok := s.free(); ok && free < s.need(0)+gcHeadroom {
			return
		}
		if s.db.RunValueLogGC(0.5) != nil {
			return
		}
	}
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
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.room("init", len(wb)+len(ib)); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
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

// setIdentity replaces this device's identity (Restore gives a restored
// store a new one). Earlier versions are discarded, so that backups of
// this store do not carry the old signing key.
func (s *Store) setIdentity(id *app.Identity) error {
	b, err := app.Marshal(id)
	if err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.room("identity", len(b)); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
		return txn.SetEntry(badger.NewEntry(identityKey(), b).WithDiscard())
	})
}

// get reads one value. Errors: app.NotFound, app.NotInitialized for the
// metadata keys.
func (s *Store) get(key []byte, v any) error {
	return s.view(func(txn *badger.Txn) error {
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

// bodyRef starts a body key's value that names the operation holding the
// text instead of holding it (UTF-8 text never contains the byte 0xFF):
// most records' text is that of the operation that created or last set
// it, and storing it twice doubled what a first sync writes.
const bodyRef = 0xFF

// bodySource returns the operation among ops whose patch sets the body to
// body, nil if none does (a merged text, or none).
func bodySource(ops []*app.Op, body string) *app.Op {
	for i := len(ops) - 1; i >= 0; i-- {
		if p := ops[i].Patch; p != nil && p.Body != nil && *p.Body == body && body != "" {
			return ops[i]
		}
	}
	return nil
}

// bodyText returns the text a body key's value v stands for: v itself, or
// the body of the operation it names.
func bodyText(txn *badger.Txn, v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] != bodyRef {
		return v, nil
	}
	return opTextAt(txn, v[1:])
}

// opTextAt returns the text of the operation stored under key.
func opTextAt(txn *badger.Txn, key []byte) ([]byte, error) {
	enc, err := opValue(txn, key)
	if err != nil {
		return nil, err
	}
	return opText(enc)
}

// opText returns the text the encoded operation enc sets.
func opText(enc []byte) ([]byte, error) {
	o, err := app.DecodeOp(enc)
	if err != nil {
		return nil, err
	}
	if o.Patch == nil || o.Patch.Body == nil {
		return nil, fmt.Errorf("operation %s sets no text", o.ID())
	}
	return []byte(*o.Patch.Body), nil
}

// errTextMissing is a text that names an operation the store does not hold.
var errTextMissing = errors.New("the operation holding a text is missing")

// opValue reads the operation stored under key, which a body names.
func opValue(txn *badger.Txn, key []byte) ([]byte, error) {
	if len(key) != 1+16+8 || key[0] != prefixOp {
		return nil, fmt.Errorf("a text names %x, which is no operation's key: %w", key, errTextMissing)
	}
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("a text names operation %x, which is missing: %w", key[1:], errTextMissing)
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// change is a record before and after a write; old is nil for a new one.
type change struct{ old, new *app.Record }

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
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed {
		return &app.Error{Op: "save", Msg: "the store is closed"}
	}
	if err := s.room("save", len(key)+len(value)); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
		if len(value) == 0 {
			return txn.Delete(localKey(key))
		}
		return txn.Set(localKey(key), value)
	})
}

// GetLocal returns the value stored under key by PutLocal, or nil.
func (s *Store) GetLocal(key string) ([]byte, error) {
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
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
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: localKey(prefix)})
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

// advanceVector moves each device's high-water mark past the operations
// just written, as far as its sequence has no gap.
func advanceVector(txn *badger.Txn, ops []*app.Op) error {
	inBatch := map[app.DeviceID]map[uint64]bool{}
	for _, o := range ops {
		if inBatch[o.Device] == nil {
			inBatch[o.Device] = map[uint64]bool{}
		}
		inBatch[o.Device][o.Seq] = true
	}
	for dev, seqs := range inBatch {
		hw, err := vectorTxn(txn, dev)
		if err != nil {
			return err
		}
		start := hw
		for seqs[hw+1] { // what this batch brings needs no lookup
			hw++
		}
		for {
			_, err := txn.Get(opKey(dev, hw+1))
			if errors.Is(err, badger.ErrKeyNotFound) {
				break
			}
			if err != nil {
				return err
			}
			hw++
		}
		if hw != start {
			if err := txn.Set(vectorKey(dev), binary.BigEndian.AppendUint64(nil, hw)); err != nil {
				return err
			}
		}
	}
	return nil
}

func vectorTxn(txn *badger.Txn, dev app.DeviceID) (uint64, error) {
	item, err := txn.Get(vectorKey(dev))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var hw uint64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return &app.Error{Kind: app.Corrupt, Msg: "bad version vector entry"}
		}
		hw = binary.BigEndian.Uint64(v)
		return nil
	})
	return hw, err
}

// Vector returns, for each device, the highest sequence number up to which
// every operation of that device is stored: what this store has, in the
// form a peer needs to know what to send.
func (s *Store) Vector() (app.Vector, error) {
	vec := app.Vector{}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixVector}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil || len(v) != 8 {
				return &app.Error{Kind: app.Corrupt, Msg: "bad version vector entry"}
			}
			vec[app.DeviceID(it.Item().Key()[1:])] = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return vec, err
}

// EachOpAfter calls fn with the encoded operations of dev with sequence
// numbers above after, in order: at most limit, and at most maxBytes in
// all, but always at least one if there is one. It does not copy them: enc
// is valid only during the call (it is often the store's memory-mapped
// log), so that a sender copies each operation once, into its message
// (app.Service.OpsAfter copies them). An error from fn stops it and is
// returned.
func (s *Store) EachOpAfter(dev app.DeviceID, after uint64, limit, maxBytes int, fn func(enc []byte) error) error {
	n, size := 0, 0
	return s.view(func(txn *badger.Txn) error {
		prefix := devicePrefix(dev)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(opKey(dev, after+1)); it.ValidForPrefix(prefix) && (n == 0 || n < limit); it.Next() {
			full := false
			err := it.Item().Value(func(v []byte) error {
				if n > 0 && size+len(v) > maxBytes {
					full = true
					return nil
				}
				n, size = n+1, size+len(v)
				return fn(v)
			})
			if err != nil || full {
				return err
			}
		}
		return nil
	})
}

// DeviceKey returns the public key a device announced. Errors: app.NotFound.
func (s *Store) DeviceKey(dev app.DeviceID) (ed25519.PublicKey, error) {
	var key ed25519.PublicKey
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(deviceKey(dev))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return &app.Error{Kind: app.NotFound, Msg: fmt.Sprintf("unknown device %s", dev)}
		}
		if err != nil {
			return err
		}
		key, err = item.ValueCopy(nil)
		return err
	})
	return key, err
}

// OpsChanged returns a channel that is closed the next time operations are
// stored, by this device or received from a peer.
func (s *Store) OpsChanged() <-chan struct{} {
	s.opsMu.Lock()
	defer s.opsMu.Unlock()
	return s.opsCh
}

// SetWorkspace replaces the stored workspace description (a member learns
// the title from its peers). The id and secret must not change. Errors:
// app.NotInitialized, app.Foreign.
func (s *Store) SetWorkspace(ws *app.Workspace) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	cur, err := s.Workspace()
	if err != nil {
		return err
	}
	if cur.ID != ws.ID || string(cur.Secret) != string(ws.Secret) {
		return &app.Error{Op: "workspace", Kind: app.Foreign, Msg: "a workspace's id and secret never change"}
	}
	b, err := app.Marshal(ws)
	if err != nil {
		return err
	}
	if err := s.room("workspace", len(b)); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error { return txn.Set(workspaceKey(), b) })
}
