package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// storedValue is what a record key holds, decoded, without the text.
func storedValue(t *testing.T, st *Store, id app.RecordID) *storedRecord {
	t.Helper()
	var sr *storedRecord
	if err := st.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(recordKey(id))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) (err error) {
			sr, err = decodeStored(v)
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	return sr
}

// keyValue is what key holds; ok is false when it is not there.
func keyValue(t *testing.T, st *Store, key []byte) (v []byte, ok bool) {
	t.Helper()
	if err := st.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err == nil {
			v, err = item.ValueCopy(nil)
		}
		ok = err == nil
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v, ok
}

// TestBodyStoredOnce: a text that an operation holds is named by the
// record's state; a text no operation holds (merged from concurrent edits)
// is stored under the body key; both read back whole, and a reference to
// nothing is reported, not read as text, and mended by the next write.
func TestBodyStoredOnce(t *testing.T) {
	// Through Receive, as sync does, so that each clock observes the
	// other's operations: edits made after receiving sort after what was
	// received, even within the same millisecond.
	svcA, stA, svcB, _ := trusted(t)
	body := "Primer párrafo.\n\nSegundo párrafo."
	id, err := svcA.Create(app.KindProposal, note("Propuesta", body, "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := stA.Ops(id)
	if sr := storedValue(t, stA, id); sr.TextIn == nil || *sr.TextIn != ops[0].ID() {
		t.Fatalf("the state names %v as holding the text, not the create %v", sr.TextIn, ops[0].ID())
	}
	if v, ok := keyValue(t, stA, bodyKey(id)); ok {
		t.Fatalf("body key holds %q besides", v)
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
	if v, _ := keyValue(t, stA, bodyKey(id)); string(v) != merged {
		t.Fatalf("body key holds %q, not the merged text", v)
	}
	if sr := storedValue(t, stA, id); sr.TextIn != nil {
		t.Fatalf("the state names %v as holding a merged text", sr.TextIn)
	}

	// An edit that sets the text: the state names it, and the merged text
	// is gone from the body key.
	if err := svcA.Update(id, app.Patch{Body: sp("Texto nuevo.")}); err != nil {
		t.Fatal(err)
	}
	ops, _ = stA.Ops(id)
	last := ops[len(ops)-1]
	if sr := storedValue(t, stA, id); sr.TextIn == nil || *sr.TextIn != last.ID() {
		t.Fatalf("the state names %v as holding the text, not the edit %v", sr.TextIn, last.ID())
	}
	if v, ok := keyValue(t, stA, bodyKey(id)); ok {
		t.Fatalf("body key still holds %q", v)
	}
	if r, _ := stA.Record(id); r.Body != "Texto nuevo." {
		t.Fatalf("text %q", r.Body)
	}

	// A reference to an operation that is not there.
	sr := storedValue(t, stA, id)
	enc, err := encodeStored(sr.Record, &app.OpID{Device: last.Device, Seq: last.Seq + 100}, sr.Unlinked)
	if err != nil {
		t.Fatal(err)
	}
	if err := stA.db.Update(func(txn *badger.Txn) error { return txn.Set(recordKey(id), enc) }); err != nil {
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

// TestCreateLinkedByState: a record written with its create has no
// record-operation link for it, its state names the create instead; the
// record's next write links it. Either way the create is among the
// record's operations, for history, for folding and for check.
func TestCreateLinkedByState(t *testing.T) {
	svc, st := newService(t, "")
	id, err := svc.Create(app.KindProposal, note("Propuesta", "Texto", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := st.Ops(id)
	if err != nil || len(ops) != 1 || ops[0].Type != app.OpCreate {
		t.Fatalf("operations of a new record: %v %v", ops, err)
	}
	create := ops[0]
	if _, ok := keyValue(t, st, recordOpKey(id, create.Device, create.Seq)); ok {
		t.Fatal("the create has a link as well")
	}
	if sr := storedValue(t, st, id); sr.Unlinked == nil || *sr.Unlinked != create.ID() {
		t.Fatalf("the state names %v as its create, not %v", sr.Unlinked, create.ID())
	}
	if err := svc.Update(id, app.Patch{Title: sp("Propuesta corregida")}); err != nil {
		t.Fatal(err)
	}
	if _, ok := keyValue(t, st, recordOpKey(id, create.Device, create.Seq)); !ok {
		t.Fatal("the create has no link after the record's next write")
	}
	if sr := storedValue(t, st, id); sr.Unlinked != nil {
		t.Fatalf("the state still names %v as unlinked", sr.Unlinked)
	}
	if ops, err = st.Ops(id); err != nil || len(ops) != 2 {
		t.Fatalf("operations after an edit: %d %v", len(ops), err)
	}
	if err := svc.Update(id, app.Patch{Body: sp("Texto corregido")}); err != nil {
		t.Fatal(err)
	}
	r, err := st.Record(id)
	if err != nil || r.Title != "Propuesta corregida" || r.Body != "Texto corregido" || r.Ops != 3 {
		t.Fatalf("after two edits: %v %+v", err, r)
	}
	if rep, err := st.Check(); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check: %v %v", err, rep)
	}

	// A state that names as its create an operation that is not one.
	other, err := svc.Create(app.KindNote, note("Nota", "Texto", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	sr := storedValue(t, st, other)
	edit := ops[1].ID()
	enc, err := encodeStored(sr.Record, sr.TextIn, &edit)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Set(recordKey(other), enc) }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Ops(other); app.KindOf(err) != app.Corrupt {
		t.Fatalf("a state naming an edit as its create: %v", err)
	}
	if rep, _ := st.Check(); !strings.Contains(strings.Join(rep.Problems, "\n"), "which it is not") {
		t.Fatalf("check: %v", rep.Problems)
	}
}

// TestSchema2StoreReads: a store written before schema 3 (texts named by
// body keys, every create linked) opens with every text, finds records by
// their words when the word index is rebuilt, passes check, and a record
// moves to the new form when it is next written.
func TestSchema2StoreReads(t *testing.T) {
	dir := t.TempDir()
	svc, st := newService(t, dir)
	texts := map[app.RecordID]string{}
	var ids []app.RecordID
	for i, w := range []string{"movilidad", "integración", "reasentamiento"} {
		body := fmt.Sprintf("Propuesta %d sobre %s en la región.", i, w)
		id, err := svc.Create(app.KindProposal, note("Propuesta", body, "andes", "PE", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		texts[id] = body
		ids = append(ids, id)
	}
	st.Close()

	// Back to what schema 2 wrote, and no word index snapshot, so that
	// opening reads every text.
	db, err := badger.Open(badgerOptions(dir, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(txn *badger.Txn) error {
		for _, id := range ids {
			item, err := txn.Get(recordKey(id))
			if err != nil {
				return err
			}
			v, _ := item.ValueCopy(nil)
			sr, err := decodeStored(v)
			if err != nil {
				return err
			}
			if sr.TextIn == nil || sr.Unlinked == nil {
				return fmt.Errorf("record %s was not written in schema 3's form: %+v", id, sr)
			}
			enc, _ := app.EncodeRecord(sr.Record)
			for _, kv := range [][2][]byte{
				{recordKey(id), enc},
				{bodyKey(id), append([]byte{bodyRef}, opKey(sr.TextIn.Device, sr.TextIn.Seq)...)},
				{recordOpKey(id, sr.Unlinked.Device, sr.Unlinked.Seq), nil},
			} {
				if err := txn.Set(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		if err := txn.Delete(wordsKey()); err != nil {
			return err
		}
		return txn.Set(schemaKey, binary.BigEndian.AppendUint32(nil, 2))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	svc, st = newService(t, dir)
	for id, want := range texts {
		if r, err := st.Record(id); err != nil || r.Body != want {
			t.Fatalf("record %s of schema 2: %v %q", id, err, r.Body)
		}
		if ops, err := st.Ops(id); err != nil || len(ops) != 1 {
			t.Fatalf("operations of record %s of schema 2: %d %v", id, len(ops), err)
		}
	}
	res, err := svc.List(app.Filter{Text: "reasentamiento"}, 0)
	if err != nil || res.Total != 1 || res.Records[0].ID != ids[2] {
		t.Fatalf("found by a word after opening: %+v %v", res, err)
	}
	if rep, err := st.Check(); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check: %v %v", err, rep)
	}
	if v, _ := keyValue(t, st, schemaKey); binary.BigEndian.Uint32(v) != schemaVersion {
		t.Fatalf("schema after opening: %x", v)
	}

	// The next write moves the record to schema 3's form.
	if err := svc.Update(ids[0], app.Patch{Title: sp("Propuesta corregida")}); err != nil {
		t.Fatal(err)
	}
	if v, ok := keyValue(t, st, bodyKey(ids[0])); ok {
		t.Fatalf("the body key still holds %q", v)
	}
	if sr := storedValue(t, st, ids[0]); sr.TextIn == nil {
		t.Fatal("the state does not name the operation holding the text")
	}
	if r, err := st.Record(ids[0]); err != nil || r.Body != texts[ids[0]] || r.Title != "Propuesta corregida" {
		t.Fatalf("after the edit: %v %+v", err, r)
	}
	if rep, err := st.Check(); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check after the edit: %v %v", err, rep)
	}
}

// TestStoredRecordForms: a record key's value of schema 3 reads back with
// both names, one written before reads as the record alone, and damaged
// values are refused rather than read as empty records.
func TestStoredRecordForms(t *testing.T) {
	r := &app.Record{ID: "01HZZZZZZZZZZZZZZZZZZZZZZZ", Kind: app.KindNote, Title: "Título", Body: "Texto", Version: app.OpID{Device: "0123456789abcdef", Seq: 3}}
	text, create := app.OpID{Device: "0123456789abcdef", Seq: 3}, app.OpID{Device: "fedcba9876543210", Seq: 1}
	v, err := encodeStored(r, &text, &create)
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != "Texto" {
		t.Fatal("encodeStored changed the record")
	}
	sr, err := decodeStored(v)
	if err != nil || sr.Record.Title != "Título" || sr.Record.Body != "" || *sr.TextIn != text || *sr.Unlinked != create {
		t.Fatalf("%v %+v", err, sr)
	}
	if n, err := namesOf(v); err != nil || *n.TextIn != text || *n.Unlinked != create {
		t.Fatalf("namesOf: %v %+v", err, n)
	}
	old, _ := app.EncodeRecord(stored(r))
	if sr, err := decodeStored(old); err != nil || sr.Record.Title != "Título" || sr.TextIn != nil || sr.Unlinked != nil {
		t.Fatalf("a value of schema 2: %v %+v", err, sr)
	}
	if n, err := namesOf(old); err != nil || n.TextIn != nil || n.Unlinked != nil {
		t.Fatalf("namesOf a value of schema 2: %v %+v", err, n)
	}
	for _, bad := range [][]byte{nil, {0x83, 0xf6, 0xf6, 0xf6}, v[:len(v)-3], append(v[:len(v):len(v)], 0)} {
		if _, err := decodeStored(bad); app.KindOf(err) != app.Corrupt {
			t.Errorf("%x: %v", bad, err)
		}
	}
}

// TestCheckFindsLostState: a record written with its create whose state is
// lost leaves a create that nothing finds; check names it.
func TestCheckFindsLostState(t *testing.T) {
	svc, st := newService(t, "")
	id, err := svc.Create(app.KindProposal, note("Propuesta", "El único texto de esta propuesta", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := st.Check(); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check: %v %v", err, rep)
	}
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Delete(recordKey(id)) }); err != nil {
		t.Fatal(err)
	}
	rep, err := st.Check()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "creates record "+string(id)) {
		t.Fatalf("check does not name the create nothing finds: %v", rep.Problems)
	}
}

// TestHistoryOfDamagedState: a record whose stored state is damaged keeps
// its history, where its text can still be read.
func TestHistoryOfDamagedState(t *testing.T) {
	svc, st := newService(t, "")
	id, err := svc.Create(app.KindProposal, note("Propuesta", "Texto", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Update(id, app.Patch{Title: sp("Propuesta corregida")}); err != nil {
		t.Fatal(err)
	}
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Set(recordKey(id), []byte{0x83, 0x01}) }); err != nil {
		t.Fatal(err)
	}
	ops, err := st.Ops(id)
	if err != nil || len(ops) != 2 || *ops[0].Patch.Body != "Texto" {
		t.Fatalf("history of a record whose state is damaged: %d %v", len(ops), err)
	}
}

// TestOpenWithMissingText: a text that names an operation the store does
// not hold leaves that record without its words when the word index is
// rebuilt, not the store unopened; reading the record and check say what
// is wrong, and the others are found by their words.
func TestOpenWithMissingText(t *testing.T) {
	dir := t.TempDir()
	svc, st := newService(t, dir)
	bad, err := svc.Create(app.KindProposal, note("Propuesta", "Texto dañado", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := svc.Create(app.KindProposal, note("Propuesta", "Texto sobre reasentamiento", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	sr := storedValue(t, st, bad)
	enc, err := encodeStored(sr.Record, &app.OpID{Device: sr.TextIn.Device, Seq: sr.TextIn.Seq + 100}, sr.Unlinked)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Set(recordKey(bad), enc) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// A write since the last close: the word index is rebuilt from texts.
	db, err := badger.Open(badgerOptions(dir, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Delete(wordsKey()) }); err != nil {
		t.Fatal(err)
	}
	db.Close()

	svc, st = newService(t, dir)
	if _, err := st.Record(bad); app.KindOf(err) != app.Corrupt {
		t.Fatalf("the record whose text is missing: %v", err)
	}
	res, err := svc.List(app.Filter{Text: "reasentamiento"}, 0)
	if err != nil || res.Total != 1 || res.Records[0].ID != good {
		t.Fatalf("found by a word: %+v %v", res, err)
	}
	rep, err := st.Check()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "missing") {
		t.Fatalf("check: %v", rep.Problems)
	}
}
