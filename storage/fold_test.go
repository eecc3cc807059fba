package storage

import (
	"bytes"
	"fmt"
	"maps"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// TestPreparedCreatesStoreTheSame: creates prepared ahead (PrepareCreate,
// as Decode does on its goroutines) leave exactly what storing them
// unprepared leaves, also where a prepared record must not be used: a
// create whose record already has an edit stored, a create edited in the
// same batch, a preparation handed in for another operation, and a batch
// received twice.
func TestPreparedCreatesStoreTheSame(t *testing.T) {
	a, _, _, plain := pair(t)
	_, ahead := joined(t, a)
	ids := make([]app.RecordID, 6)
	for i := range ids {
		r, err := a.Create(app.KindNote, note(fmt.Sprint("nota ", i), fmt.Sprint("texto número ", i), "andes", "CO", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = r
	}
	for _, i := range []int{1, 4} {
		if err := a.Update(ids[i], app.Patch{Title: ptrTo(fmt.Sprint("nota revisada ", i))}); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := a.OpsAfter(a.Device(), 0, 100, 1<<20) // device, six creates, two edits
	if err != nil || len(raw) != 9 {
		t.Fatalf("%d operations, %v", len(raw), err)
	}
	ops := make([]*app.Op, len(raw))
	for i := range raw {
		if ops[i], err = app.DecodeOp(raw[i]); err != nil {
			t.Fatal(err)
		}
	}
	// The edit of record 4 comes first, alone: its create then finds it.
	edit4 := 8
	first, rest := []int{0, edit4}, []int{1, 2, 3, 4, 5, 6, 7}
	for _, batch := range [][]int{first, rest, rest} { // the last again: nothing new
		bops, braw := make([]*app.Op, len(batch)), make([][]byte, len(batch))
		prep := make([]any, len(batch))
		for k, i := range batch {
			bops[k], braw[k] = ops[i], raw[i]
			prep[k] = ahead.PrepareCreate(ops[i])
		}
		if len(prep) > 3 {
			prep[2], prep[3] = prep[3], prep[2] // handed in for the wrong operations
		}
		if err := plain.ApplyEncoded(bops, braw); err != nil {
			t.Fatal(err)
		}
		if err := ahead.ApplyPrepared(bops, braw, prep); err != nil {
			t.Fatal(err)
		}
	}
	dump := func(s *Store) map[string]string {
		out := map[string]string{}
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.DefaultIteratorOptions)
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				k := it.Item().KeyCopy(nil)
				switch {
				case k[0] == prefixOp && !bytes.HasPrefix(k, devicePrefix(a.Device())):
					// each store's own device announcement
				case k[0] == prefixOp, k[0] == prefixRecordOp, k[0] == prefixRecord, k[0] == prefixBody, k[0] == prefixAwait:
					v, err := it.Item().ValueCopy(nil)
					if err != nil {
						return err
					}
					out[string(k)] = string(v)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := dump(plain), dump(ahead)
	if len(want) < 9+6 || !maps.Equal(got, want) {
		t.Fatalf("prepared: %d keys, unprepared: %d; they differ", len(got), len(want))
	}
	for _, id := range ids {
		r, err := ahead.Record(id)
		if err != nil || r.Body == "" {
			t.Fatalf("record %s: %+v, %v", id, r, err)
		}
	}
	if rep, err := ahead.Check(); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %+v, %v", rep, err)
	}
}
