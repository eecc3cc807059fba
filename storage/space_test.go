package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

// fakeDisk is a free-space function whose answer a test sets.
type fakeDisk struct{ free atomic.Uint64 }

func newFakeDisk(free uint64) *fakeDisk {
	d := &fakeDisk{}
	d.free.Store(free)
	return d
}

func (d *fakeDisk) measure(string) (uint64, error) { return d.free.Load(), nil }

const plenty = 100 << 30

func openFake(t *testing.T, dir string, d *fakeDisk) (*app.Service, *Store) {
	t.Helper()
	st, err := Open(dir, Options{InMemory: dir == "", FreeSpace: d.measure})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Workspace() == nil {
		if _, err := svc.Init("Cartagena +40"); err != nil {
			t.Fatal(err)
		}
	}
	return svc, st
}

func wantDiskFull(t *testing.T, err error, free string) {
	t.Helper()
	if app.KindOf(err) != app.DiskFull {
		t.Fatalf("got %v (%v), want a DiskFull error", err, app.KindOf(err))
	}
	msg := err.Error()
	for _, want := range []string{free + " free", "needs at least", "MB free to write safely", "Free some space"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("message %q does not say %q", msg, want)
		}
	}
}

// TestFullDiskRefusesThenResumes: a write (80 MB and the write, rounded up) on a disk without the headroom
// is refused with a message naming what is free and what is needed, the
// store is untouched, and the next write after the space comes back goes
// ahead in the same open store.
func TestFullDiskRefusesThenResumes(t *testing.T) {
	for _, dir := range []string{"", "disk"} {
		t.Run(fmt.Sprintf("inmemory=%v", dir == ""), func(t *testing.T) {
			if dir != "" {
				dir = filepath.Join(t.TempDir(), dir)
			}
			d := newFakeDisk(plenty)
			svc, st := openFake(t, dir, d)
			first, err := svc.Create(app.KindNote, note("antes", "texto", "andes", "BO", "broad-protection"))
			if err != nil {
				t.Fatal(err)
			}
			d.free.Store(12 << 20)
			if err := st.Room(); app.KindOf(err) != app.DiskFull {
				t.Fatalf("Room on a full disk: %v", err)
			}
			_, err = svc.Create(app.KindNote, note("durante", "texto", "andes", "BO", "broad-protection"))
			wantDiskFull(t, err, "12 MB")
			if !strings.Contains(err.Error(), "needs at least 81 MB") {
				t.Fatalf("a new store needs the base headroom: %v", err)
			}
			err = svc.SaveDraft("new", "un texto a medias")
			wantDiskFull(t, err, "12 MB")
			res, err := svc.List(app.Filter{}, 0)
			if err != nil || len(res.Records) != 1 || res.Records[0].ID != first {
				t.Fatalf("reads on a full disk: %v %v", res, err)
			}

			d.free.Store(plenty)
			if err := st.Room(); err != nil {
				t.Fatal(err)
			}
			second, err := svc.Create(app.KindNote, note("después", "texto", "andes", "BO", "broad-protection"))
			if err != nil {
				t.Fatalf("no write after the space came back: %v", err)
			}
			if _, err := svc.Get(second); err != nil {
				t.Fatal(err)
			}
			// The refused write gave its sequence number back: the
			// device's chain has no gap (check would say so).
			if rep, err := st.Check(); err != nil || len(rep.Problems) != 0 {
				t.Fatalf("check after a refused write: %+v %v", rep, err)
			}
		})
	}
}

// TestFullDiskOpensReadOnly: a store whose disk is full opens read-only,
// every read works, writes are refused, and the first write after the
// space is back reopens it for writing without closing the store.
func TestFullDiskOpensReadOnly(t *testing.T) {
	dir := t.TempDir()
	d := newFakeDisk(plenty)
	st, err := Open(dir, Options{FreeSpace: d.measure})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Init("Cartagena +40"); err != nil {
		t.Fatal(err)
	}
	var ids []app.RecordID
	for i := range 20 {
		id, err := svc.Create(app.KindNote, note(fmt.Sprintf("nota %d", i), "migración y refugio", "andes", "BO", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ReserveFileName)); err != nil {
		t.Logf("no reserve file (no fallocate here?): %v", err)
	}

	d.free.Store(3 << 20)
	st, err = Open(dir, Options{FreeSpace: d.measure})
	if err != nil {
		t.Fatalf("a store on a full disk does not open: %v", err)
	}
	defer st.Close()
	if !st.ReadOnly() {
		t.Fatal("opened for writing on a full disk")
	}
	svc, err = app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if !svc.ReadOnly() || app.KindOf(svc.Room()) != app.DiskFull {
		t.Fatalf("the service does not tell: %v %v", svc.ReadOnly(), svc.Room())
	}
	for _, id := range ids {
		if _, err := svc.Get(id); err != nil {
			t.Fatal(err)
		}
	}
	res, err := svc.List(app.Filter{Text: "refugio"}, 0)
	if err != nil || len(res.Records) != len(ids) {
		t.Fatalf("search on a full disk: %d %v", len(res.Records), err)
	}
	if rep, err := st.Check(); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check on a full disk: %+v %v", rep, err)
	}
	_, err = svc.Create(app.KindNote, note("refused", "x", "andes", "BO", "broad-protection"))
	wantDiskFull(t, err, "3 MB")

	d.free.Store(plenty)
	id, err := svc.Create(app.KindNote, note("resumed", "x", "andes", "BO", "broad-protection"))
	if err != nil {
		t.Fatalf("no write after the space came back: %v", err)
	}
	if st.ReadOnly() {
		t.Fatal("still read-only")
	}
	ids = append(ids, id)
	for _, id := range ids {
		if _, err := svc.Get(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range ids {
		if _, err := st.Record(id); err != nil {
			t.Fatalf("record %s lost: %v", id, err)
		}
	}
}

// TestFullDiskNewStore: a new data directory on a full disk is refused
// with the message, and nothing is created in it.
func TestFullDiskNewStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	d := newFakeDisk(5 << 20)
	_, err := Open(dir, Options{FreeSpace: d.measure})
	wantDiskFull(t, err, "5 MB")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files written on a full disk: %v", entries)
	}
}

// TestHeadroomGrowsWithTheTree: the need counts the tables a compaction
// may rewrite, and the write's own bytes.
func TestHeadroomGrowsWithTheTree(t *testing.T) {
	_, st := openFake(t, t.TempDir(), newFakeDisk(plenty))
	if got := st.need(0); got < baseHeadroom {
		t.Fatalf("need %d below the base headroom", got)
	}
	if st.need(1<<20)-st.need(0) != 2<<20 {
		t.Fatal("a write's own bytes are not counted twice")
	}
}
