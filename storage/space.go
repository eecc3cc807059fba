package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// A full disk must refuse a write, not crash. Badger writes its files
// through memory maps: it creates each file at its full size with
// ftruncate, which on Linux and macOS makes a sparse file and succeeds
// whatever the free space, and then copies into the mapping. When the file
// system has no block left for a page being written, the kernel answers
// with SIGBUS, which kills the process (Badger writes from its own
// goroutines, so no recover can catch it). So the store checks the free
// space before every write and refuses one that Badger could not finish.
//
// What Badger v4.9.6 may write after one of our writes, with the options of
// badgerOptions:
//
//   - the memtable's write-ahead log (memtable.go: openMemTable maps a
//     2×MemTableSize file): up to MemTableSize (32 MB) before it is full
//     (isFull), plus the write itself;
//   - the flush of the full memtable to a level-0 table (levels.go,
//     table.CreateTable maps the table and copies into it): about its size
//     again, 32 MB, while its log is deleted only after the table is
//     written. With NumMemtables 2 one memtable at most waits for a flush;
//   - the value log (value.go): the values above ValueThreshold of the
//     write itself, appended to a sparse 2 GB file;
//   - compactions: a compaction writes its new tables before it deletes
//     the old ones, and one from level 0 takes every level-0 table and the
//     base level's tables that overlap (all of them, as our keys of every
//     prefix arrive together). Two compactors run on disjoint tables, so
//     at most the whole tree is rewritten at once: its size, read from
//     Badger's levels at each write;
//   - small files: MANIFEST changes, the 1 MB DISCARD file, the header page
//     of each new file.
//
// Hence the headroom: 2×32 MB for the log and the flush, 16 MB for the
// write's values and the small files, plus the tree's size, plus twice the
// bytes of the write itself (in the log or value log, and in its record's
// state). A new store needs 80 MB; one of 20,000 sample records (consulta
// demo, reopened: a tree of 12 MB, measured) 92 MB. The value-log GC rewrites the live part of a
// value-log file (at most half of its 1 GB, as it runs at a discard ratio
// of 0.5) before it deletes it, so it runs only with gcHeadroom more.
const (
	memTableSize = 32 << 20 // badgerOptions' MemTableSize
	baseHeadroom = 2*memTableSize + 16<<20
	gcHeadroom   = 512 << 20
	// reserveSize is the file kept beside the store and deleted at Close
	// when the disk has filled meanwhile (another program wrote to it):
	// Close flushes the memtable into a level-0 table, up to MemTableSize
	// and its index and filters.
	reserveSize = memTableSize + 8<<20
)

// ReserveFileName is the file of reserveSize bytes a store keeps in its
// data directory so that it can always close cleanly.
const ReserveFileName = "consulta-reserve"

// FreeSpaceFunc returns the bytes of the file system holding dir that
// Consulta may use (statfs's f_bavail: what an unprivileged process gets).
type FreeSpaceFunc func(dir string) (uint64, error)

// DiskFree is the free space of the file system holding dir, as the store
// measures it; ok is false where it cannot be measured.
func DiskFree(dir string) (free uint64, ok bool) {
	f, err := freeSpace(dir)
	return f, err == nil
}

// diskFull is the error of a write refused for want of space.
func diskFull(op, dir string, free, need uint64) error {
	if dir == "" {
		dir = "the store"
	}
	return &app.Error{Op: op, Kind: app.DiskFull, Msg: fmt.Sprintf(
		"the disk holding %s has %s free; Consulta needs at least %s free to write safely. Free some space and try again; nothing stored is lost", dir, mb(free, false), mb(need, true))}
}

// mb writes n bytes in megabytes, rounded down for what there is and up
// for what is needed, so that the message never promises too much.
func mb(n uint64, up bool) string {
	const m = 1 << 20
	if up {
		return fmt.Sprintf("%d MB", (n+m-1)/m)
	}
	return fmt.Sprintf("%d MB", n/m)
}

// free measures the free space of the store's file system; ok is false
// where it cannot be measured (the write then goes ahead, as before).
func (s *Store) free() (uint64, bool) {
	if s.freeSpace == nil {
		return 0, false
	}
	f, err := s.freeSpace(s.dir)
	return f, err == nil
}

// treeSize is the size of Badger's tables, which a compaction may rewrite.
func (s *Store) treeSize() uint64 {
	var n int64
	for _, l := range s.db.Levels() {
		n += l.Size
	}
	return uint64(max(n, 0))
}

// need is the free space a write of about extra bytes needs.
func (s *Store) need(extra int) uint64 {
	return baseHeadroom + s.treeSize() + 2*uint64(max(extra, 0))
}

// room says whether a write of about extra bytes may go ahead, and opens
// Badger for writing again when it was opened read-only and the space is
// back. The caller holds writeMu. Errors: app.DiskFull.
func (s *Store) room(op string, extra int) error {
	free, ok := s.free()
	if !ok {
		if s.readOnly {
			return s.reopen(op)
		}
		return nil
	}
	s.dbMu.RLock()
	need := s.need(extra)
	s.dbMu.RUnlock()
	if free < need {
		return diskFull(op, s.dir, free, need)
	}
	if s.readOnly {
		if err := s.reopen(op); err != nil {
			return err
		}
	}
	return nil
}

// Room reports whether the store can write now: nil, or app.DiskFull with
// what is free and what is needed. A store opened read-only because its
// disk was full is opened for writing again here once the space is back.
func (s *Store) Room() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed {
		return nil
	}
	return s.room("write", 0)
}

// ReadOnly reports whether the store is open read-only (its disk was full
// when it was opened, and no write has found room since).
func (s *Store) ReadOnly() bool {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.readOnly
}

// reopen closes the read-only Badger and opens it for writing. It waits
// for the readers to finish without stopping new ones (TryLock), for a
// few seconds at most. The caller holds writeMu.
func (s *Store) reopen(op string) error {
	deadline := time.Now().Add(5 * time.Second)
	for !s.dbMu.TryLock() {
		if time.Now().After(deadline) {
			return &app.Error{Op: op, Kind: app.Locked, Msg: "the disk has room again, but the store is busy being read; try again in a moment"}
		}
		time.Sleep(5 * time.Millisecond)
	}
	defer s.dbMu.Unlock()
	if err := s.db.Close(); err != nil {
		return &app.Error{Op: op, Kind: app.Corrupt, Msg: "cannot close the read-only store to reopen it for writing", Err: err}
	}
	db, err := badger.Open(s.bo.WithReadOnly(false))
	if err != nil {
		// Back to reading, so that what is on screen can still be read.
		if ro, rerr := badger.Open(s.bo.WithReadOnly(true)); rerr == nil {
			s.db = ro
		}
		return openError(s.dir, err)
	}
	s.db, s.readOnly = db, false
	s.keepReserve()
	return nil
}

// openNeed is the free space Open needs to open the store in dir for
// writing: Badger replays and flushes the memtables a crash left (their
// logs' allocated blocks), writes a new log and value-log file, and from
// then on writes as any write does (need, with the tables' size read from
// the directory).
func openNeed(dir string) uint64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return baseHeadroom
	}
	var n uint64 = baseHeadroom
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".sst":
			if fi, err := e.Info(); err == nil {
				n += uint64(fi.Size())
			}
		case ".mem":
			n += allocated(filepath.Join(dir, e.Name()))
		}
	}
	return n
}

// flushNeed is what Badger's Close needs: a level-0 table for what the
// memtables' logs hold, and a few megabytes for their index and filters
// and the MANIFEST.
func (s *Store) flushNeed() uint64 {
	var n uint64 = 8 << 20
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".mem") {
			n += allocated(filepath.Join(s.dir, e.Name()))
		}
	}
	return n
}

// keepReserve makes the reserve file when it is missing and the disk can
// spare it beyond a write's headroom. Without fallocate it does nothing.
func (s *Store) keepReserve() {
	if s.dir == "" || s.freeSpace == nil {
		return
	}
	path := filepath.Join(s.dir, ReserveFileName)
	if fi, err := os.Stat(path); err == nil && fi.Size() == reserveSize {
		return
	}
	free, ok := s.free()
	if !ok || free < s.need(0)+reserveSize {
		return
	}
	if err := preallocate(path, reserveSize); err != nil {
		os.Remove(path)
	}
}

// releaseReserve deletes the reserve file, giving its space to Close.
func (s *Store) releaseReserve() {
	if s.dir != "" {
		os.Remove(filepath.Join(s.dir, ReserveFileName))
	}
}

// closeShort is Close on a disk that cannot take Badger's flush even
// without the reserve: Badger's Close would be killed by SIGBUS. The
// store's log is on disk (every write is synced), so Badger is left
// open, to be released when the process ends, and its next Open replays
// the log. It returns the error Close reports.
func (s *Store) closeShort(free, need uint64) error {
	return &app.Error{Op: "close", Kind: app.DiskFull, Msg: fmt.Sprintf(
		"the disk holding %s has %s free and closing needs %s; the last changes are safe in the store's log and are written into its tables the next time it opens with room", s.dir, mb(free, false), mb(need, true))}
}

// openReadOnly opens bo read-only for a store whose disk is short. Errors:
// app.DiskFull when the store cannot be read without writing (it was not
// closed cleanly, and its log must be replayed and truncated first).
func openReadOnly(dir string, bo badger.Options, free, need uint64) (*badger.DB, error) {
	if !hasStore(dir) {
		return nil, diskFull("open", dir, free, need)
	}
	db, err := badger.Open(bo.WithReadOnly(true))
	if err == nil {
		return db, nil
	}
	if errors.Is(err, badger.ErrTruncateNeeded) {
		return nil, &app.Error{Op: "open", Kind: app.DiskFull, Msg: fmt.Sprintf(
			"the disk holding %s has %s free; this store was not closed cleanly and its last changes must be written into its tables before it can be read, which needs at least %s free. Free some space and try again; nothing stored is lost", dir, mb(free, false), mb(need, true))}
	}
	return nil, openError(dir, err)
}
