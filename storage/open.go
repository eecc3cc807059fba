// Opening and closing a store: Badger's options, the checks on the data
// directory, Open's order of work (schema, rebuild of the in-memory
// indexes), the value log's garbage collection and Close.

package storage

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/hashicorp/go-memdb"
)

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
	if err := s.loadAuthority(); err != nil {
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
	// Records a crash left to refold under the roles (authority.go).
	if !readOnly {
		s.writeMu.Lock()
		err := s.refoldStaleLocked()
		s.writeMu.Unlock()
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// callFree measures with free, which may be nil (not measured).
func callFree(free FreeSpaceFunc, dir string) (uint64, error) {
	if free == nil {
		return 0, errors.ErrUnsupported
	}
	return free(dir)
}

// openError says why Badger could not open the store in dir.
func openError(dir string, err error) error {
	switch {
	// Badger's words when another process holds its LOCK file, on Unix
	// ("Cannot acquire directory lock ...") and on Windows ("Cannot create
	// lock file ...") alike.
	case strings.Contains(err.Error(), "Another process is using this Badger database"):
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

// badgerLogger forwards Badger's errors and warnings and drops the rest.
type badgerLogger struct{ l *log.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Printf("storage: "+f, a...)
	}
}

func (b badgerLogger) Warningf(f string, a ...any) { b.Errorf(f, a...) }

func (badgerLogger) Infof(string, ...any) {}

func (badgerLogger) Debugf(string, ...any) {}
