package storage

import (
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// bodyValue is what a record's body key holds.
func bodyValue(t *testing.T, st *Store, id app.RecordID) []byte {
	t.Helper()
	var v []byte
	if err := st.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(bodyKey(id))
		if err == nil {
			v, err = item.ValueCopy(nil)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBodyStoredOnce: a text that an operation holds is stored as a
// reference to it; a text no operation holds (merged from concurrent
// edits) is stored itself; both read back whole, and a reference to
// nothing is reported, not read as text, and mended by the next write.
func TestBodyStoredOnce(t *testing.T) {
	// Through Receive, as sync does, so that each clock observes the
	// other's operations: edits made after receiving sort after what was
	// received, even within the same millisecond.
	svcA, stA, svcB, _ := pair(t)
	body := "Primer párrafo.\n\nSegundo párrafo."
	id, err := svcA.Create(app.KindProposal, note("Propuesta", body, "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := stA.Ops(id)
	if v := bodyValue(t, stA, id); v[0] != bodyRef || string(v[1:]) != string(opKey(ops[0].Device, ops[0].Seq)) {
		t.Fatalf("body key holds %q, not a reference to the create", v)
	}
	if r, _ := stA.Record(id); r.Body != body {
		t.Fatalf("text %q", r.Body)
	}

	// Concurrent edits of two paragraphs: the merged text is neither's.
	pull(t, svcA, svcB)
	if err := svcA.Update(id, app.Patch{Body: sp("Primer párrafo, corregido.\n\nSegundo párrafo.")}); err != nil {
		t.Fatal(err)
	}
	if err := svcB.Update(id, app.Patch{Body: sp("Primer párrafo.\n\nSegundo párrafo, ampliado.")}); err != nil {
		t.Fatal(err)
	}
	pull(t, svcB, svcA)
	merged := "Primer párrafo, corregido.\n\nSegundo párrafo, ampliado."
	if r, _ := stA.Record(id); r.Body != merged {
		t.Fatalf("merged text %q", r.Body)
	}
	if v := bodyValue(t, stA, id); string(v) != merged {
		t.Fatalf("body key holds %q, not the merged text", v)
	}

	// An edit that sets the text: a reference to it.
	if err := svcA.Update(id, app.Patch{Body: sp("Texto nuevo.")}); err != nil {
		t.Fatal(err)
	}
	ops, _ = stA.Ops(id)
	last := ops[len(ops)-1]
	if v := bodyValue(t, stA, id); v[0] != bodyRef || string(v[1:]) != string(opKey(last.Device, last.Seq)) {
		t.Fatalf("body key holds %q, not a reference to the edit", v)
	}
	if r, _ := stA.Record(id); r.Body != "Texto nuevo." {
		t.Fatalf("text %q", r.Body)
	}

	// A reference to an operation that is not there.
	if err := stA.db.Update(func(txn *badger.Txn) error {
		return txn.Set(bodyKey(id), append([]byte{bodyRef}, opKey(last.Device, last.Seq+100)...))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := stA.Record(id); app.KindOf(err) != app.Corrupt {
		t.Fatalf("dangling reference: %v", err)
	}
	rep, err := stA.Check()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "missing") {
		t.Fatalf("check: %v", rep.Problems)
	}
	// The next write to the record goes through, and stores its text again
	// from the operations.
	if err := svcA.Update(id, app.Patch{Title: sp("Título corregido")}); err != nil {
		t.Fatalf("an edit of a record whose stored text is damaged: %v", err)
	}
	if r, err := stA.Record(id); err != nil || r.Body != "Texto nuevo." {
		t.Fatalf("after the edit: %v %q", err, r.Body)
	}
	if rep, _ = stA.Check(); strings.Contains(strings.Join(rep.Problems, "\n"), "missing") {
		t.Fatalf("check after the edit: %v", rep.Problems)
	}
}
