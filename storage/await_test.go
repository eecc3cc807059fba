package storage

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// awaitFixture returns a record's create and an edit of it, made on one
// laptop, and a second create of the same id made on another.
func awaitFixture(t *testing.T) (id app.RecordID, create, edit, dup *app.Op) {
	t.Helper()
	svcA, _ := newService(t, "")
	svcB, _ := newService(t, "")
	id = app.RecordID(app.NewID(time.Now()))
	d := app.Draft{ID: id, Kind: app.KindProposal, Patch: note("Título", "Texto", "andes", "PE", "broad-protection")}
	if _, err := svcA.CreateMany([]app.Draft{d}); err != nil {
		t.Fatal(err)
	}
	if err := svcA.Update(id, app.Patch{Title: sp("Título corregido")}); err != nil {
		t.Fatal(err)
	}
	d.Patch = note("Otro", "Otro texto", "caribbean", "HT", "global-compact")
	if _, err := svcB.CreateMany([]app.Draft{d}); err != nil {
		t.Fatal(err)
	}
	a, _ := svcA.History(id)
	b, _ := svcB.History(id)
	if len(a) != 2 || len(b) != 1 {
		t.Fatalf("%d and %d operations", len(a), len(b))
	}
	return id, a[0], a[1], b[0]
}

// openInit opens a store in dir (in memory when empty) that joined a
// workspace, as every store is before anything arrives.
func openInit(t *testing.T, dir string) *Store {
	t.Helper()
	st, err := Open(dir, Options{InMemory: dir == ""})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.NewService(st)
	if err == nil {
		// A workspace without roles (its id names no founder): these tests
		// are about operations arriving before their create, from laptops
		// of other workspaces, which no role would let apply here.
		_, err = svc.Join(app.WorkspaceID(app.NewID(time.Now())), make([]byte, 16), "Cartagena +40")
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// wantFold checks that the stored record is the fold of ops.
func wantFold(t *testing.T, st *Store, id app.RecordID, ops ...*app.Op) {
	t.Helper()
	got, err := st.Record(id)
	if err != nil {
		t.Fatal(err)
	}
	ga, _ := app.EncodeRecord(got)
	wa, _ := app.EncodeRecord(app.Fold(ops))
	if !bytes.Equal(ga, wa) || got.Body != app.Fold(ops).Body {
		t.Fatalf("stored %+v\nwant the fold of %d operations %+v", got, len(ops), app.Fold(ops))
	}
}

// TestApplyAwaitsCreate: an edit that arrives before its record's create
// waits for it, across a restart, and a later create of an id that exists
// does not replace the record. Apply takes a record whose create arrives
// as new only when neither holds; these fail if it trusts the batch alone.
func TestApplyAwaitsCreate(t *testing.T) {
	id, create, edit, dup := awaitFixture(t)
	dir := t.TempDir()
	st := openInit(t, dir)
	if err := st.Apply([]*app.Op{edit}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Record(id); app.KindOf(err) != app.NotFound {
		t.Fatalf("a record without its create: %v", err)
	}
	st.Close()
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Apply([]*app.Op{create}); err != nil {
		t.Fatal(err)
	}
	wantFold(t, st, id, create, edit)
	if err := st.Apply([]*app.Op{dup}); err != nil {
		t.Fatal(err)
	}
	wantFold(t, st, id, create, edit, dup)
	if got, _ := st.Record(id); got.Title != "Título corregido" {
		t.Fatalf("title %q", got.Title)
	}
	rep, err := st.Check()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems { // the devices' other operations are not here
		if strings.Contains(p, "record") {
			t.Errorf("check: %s", p)
		}
	}
	// In one batch, the duplicate create first.
	st2 := openInit(t, "")
	defer st2.Close()
	if err := st2.Apply([]*app.Op{dup, edit, create}); err != nil {
		t.Fatal(err)
	}
	wantFold(t, st2, id, create, edit, dup)
}

// TestMigrateAwaiting: a store of schema 1 holding an edit without its
// create gets that record marked on open, so the create that comes later
// folds with the edit.
func TestMigrateAwaiting(t *testing.T) {
	id, create, edit, _ := awaitFixture(t)
	other, otherCreate, _, _ := awaitFixture(t)
	dir := t.TempDir()
	st := openInit(t, dir)
	if err := st.Apply([]*app.Op{edit, otherCreate}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// Back to what schema 1 wrote: no await keys.
	db, err := badger.Open(badgerOptions(dir, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(awaitKey(id)); err != nil {
			return err
		}
		return txn.Set(schemaKey, binary.BigEndian.AppendUint32(nil, 1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(awaitKey(other)); err == nil {
			t.Error("a record with its create is marked as awaiting")
		}
		_, err := txn.Get(awaitKey(id))
		return err
	}); err != nil {
		t.Fatalf("the migration did not mark the record: %v", err)
	}
	if err := st.Apply([]*app.Op{create}); err != nil {
		t.Fatal(err)
	}
	wantFold(t, st, id, create, edit)
}

// TestCheckFindsUnmarkedOperations: operations with neither a record nor
// an await key, and an await key of a record that exists, are reported.
func TestCheckFindsUnmarkedOperations(t *testing.T) {
	id, create, edit, _ := awaitFixture(t)
	st := openInit(t, "")
	defer st.Close()
	if err := st.Apply([]*app.Op{edit}); err != nil {
		t.Fatal(err)
	}
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Delete(awaitKey(id)) }); err != nil {
		t.Fatal(err)
	}
	rep, err := st.Check()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "not marked as awaiting") {
		t.Fatalf("problems: %v", rep.Problems)
	}
	if err := st.Apply([]*app.Op{create}); err != nil {
		t.Fatal(err)
	}
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Set(awaitKey(id), nil) }); err != nil {
		t.Fatal(err)
	}
	if rep, _ = st.Check(); !strings.Contains(strings.Join(rep.Problems, "\n"), "marked as awaiting its create but it exists") {
		t.Fatalf("problems: %v", rep.Problems)
	}
}
