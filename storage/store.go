// The Store type, its options and the two ways every method reaches Badger
// (view and update). What the Store does is in the files named after it:
// open.go, apply.go, records.go, replica.go and so on (see doc.go).

package storage

import (
	"io"
	"log"
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

	// The workspace's roles (authority.go), with the role operations and
	// the laptops they were resolved from; replaced by a write under
	// writeMu, read under authMu.
	authMu      sync.RWMutex
	auth        *app.Authority
	authOps     []*app.Op
	authDevices []app.DeviceID
	authWaiting map[app.OpID]bool // operations a role operation's past names, not held yet

	gen           uint64 // writes so far; guarded by writeMu after Open
	wordsGen      uint64 // the generation the stored word snapshot is of
	wordsRestored bool   // Open took the word index from the snapshot
	wordsCurrent  bool   // the stored snapshot is of generation wordsGen
}

var _ app.Store = (*Store)(nil)

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

var _ io.Closer = (*Store)(nil)
