package storage

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

type badgerTxn = badger.Txn

func sp[T any](v T) *T { return &v }

func newService(t testing.TB, dir string) (*app.Service, *Store) {
	t.Helper()
	st, err := Open(dir, Options{InMemory: dir == ""})
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

func note(title, body string, sr app.SubRegion, country app.CountryCode, themes ...app.ThemeCode) app.Patch {
	return app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &country, AddThemes: themes}
}

func TestCreateQueryAndFacets(t *testing.T) {
	svc, st := newService(t, "")
	meeting, err := svc.Create(app.KindMeeting, app.Patch{Title: sp("Consulta Andina"), SubRegion: sp[app.SubRegion]("andes"), Country: sp[app.CountryCode]("EC"), Date: sp("2024-04-02")})
	if err != nil {
		t.Fatal(err)
	}
	// A note in a meeting inherits its sub-region and country.
	n1, err := svc.Create(app.KindNote, app.Patch{Title: sp("Migración y documentación"), Body: sp("Niñas y niños en tránsito"),
		Meeting: &meeting, AddThemes: []app.ThemeCode{"gcr-self-reliance"}, AddTags: []app.TagCode{"children"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Get(n1)
	if err != nil {
		t.Fatal(err)
	}
	if r.SubRegion != "andes" || r.Country != "EC" || r.Status != app.StatusActive {
		t.Fatalf("inherited wrong: %+v", r)
	}
	p1, err := svc.Create(app.KindProposal, note("Apatridia", "Erradicar la apatridia", "southern-cone", "BR", "mpa-eradicating-statelessness"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(app.KindInput, note("Integração local", "Integração laboral", "southern-cone", "BR", "mpa-local-integration")); err != nil {
		t.Fatal(err)
	}

	list := func(f app.Filter) []app.RecordID {
		t.Helper()
		res, err := svc.List(f, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []app.RecordID
		for _, r := range res.Records {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if got := list(app.Filter{SubRegions: []string{"andes"}}); len(got) != 2 {
		t.Errorf("andes: %v", got)
	}
	// A theme includes its sub-themes.
	if got := list(app.Filter{Themes: []string{"global-compact"}}); !slices.Equal(got, []app.RecordID{n1}) {
		t.Errorf("global-compact: %v", got)
	}
	if got := list(app.Filter{Themes: []string{"future-outlook"}, Kinds: []string{"proposal"}}); !slices.Equal(got, []app.RecordID{p1}) {
		t.Errorf("future-outlook proposals: %v", got)
	}
	for _, q := range []string{"migración", "MIGRACION", "migracion", "migra", "transito niñas"} {
		if got := list(app.Filter{Text: q}); !slices.Equal(got, []app.RecordID{n1}) {
			t.Errorf("text %q: %v", q, got)
		}
	}
	if got := list(app.Filter{Text: "integracao", SubRegions: []string{"andes"}}); len(got) != 0 {
		t.Errorf("text plus sub-region: %v", got)
	}
	res, err := svc.List(app.Filter{SubRegions: []string{"southern-cone"}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || len(res.Records) != 1 {
		t.Errorf("paging: total %d, page %d", res.Total, len(res.Records))
	}
	if res.Facets.Theme["future-outlook"] != 2 || res.Facets.Kind["proposal"] != 1 || res.Facets.SubRegion["southern-cone"] != 2 {
		t.Errorf("facets: %+v", res.Facets)
	}
	all, _ := svc.List(app.Filter{}, 0)
	if all.Total != 4 || all.Facets.Kind["meeting"] != 1 || all.Facets.Theme["global-compact"] != 1 {
		t.Errorf("unfiltered facets: %+v", all.Facets)
	}

	// Edit and withdraw reach the indexes.
	if err := svc.Update(n1, app.Patch{SubRegion: sp[app.SubRegion]("regional"), Title: sp("Documentos")}); err != nil {
		t.Fatal(err)
	}
	if got := list(app.Filter{Text: "migracion"}); len(got) != 0 {
		t.Errorf("old title still indexed: %v", got)
	}
	if got := list(app.Filter{Text: "documentos", SubRegions: []string{"regional"}}); !slices.Equal(got, []app.RecordID{n1}) {
		t.Errorf("new title not indexed: %v", got)
	}
	if err := svc.Withdraw(p1); err != nil {
		t.Fatal(err)
	}
	if got := list(app.Filter{Statuses: []string{"withdrawn"}}); !slices.Equal(got, []app.RecordID{p1}) {
		t.Errorf("withdrawn: %v", got)
	}
	ops, err := svc.History(p1)
	if err != nil || len(ops) != 2 || ops[1].Type != app.OpWithdraw || ops[1].Base[0] != ops[0].ID() {
		t.Errorf("history: %v %v", ops, err)
	}
	_ = st
}

func TestBadInputWritesNothing(t *testing.T) {
	svc, _ := newService(t, "")
	before, _ := svc.List(app.Filter{}, 0)
	bad := []app.Patch{
		note("", "b", "andes", "PE", "broad-protection"),
		note("t", "b", "andes", "PE", "no-such-theme"),
		note("t", "b", "andes", "BR", "broad-protection"),
		note("t", "b", "andes", "PE"),
		{Title: sp("t"), AddThemes: []app.ThemeCode{"broad-protection"}, Meeting: sp[app.RecordID]("01J00000000000000000000000")},
	}
	for i, p := range bad {
		if _, err := svc.Create(app.KindNote, p); app.KindOf(err) != app.Invalid {
			t.Errorf("case %d: err = %v, want Invalid", i, err)
		}
	}
	if err := svc.Update("01J00000000000000000000000", app.Patch{Title: sp("x")}); app.KindOf(err) != app.NotFound {
		t.Errorf("unknown id: %v", err)
	}
	after, _ := svc.List(app.Filter{}, 0)
	if after.Total != before.Total {
		t.Fatalf("bad input wrote records: %d -> %d", before.Total, after.Total)
	}
	// The sequence has no gap: the next good write takes seq 2 (1 is the device).
	id, err := svc.Create(app.KindNote, note("t", "b", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := svc.History(id)
	if ops[0].Seq != 2 {
		t.Errorf("seq after rejected writes = %d, want 2", ops[0].Seq)
	}
}

// TestApplyOrderIndependent: two stores given the same operations in
// different orders, in different batches, hold byte-identical records.
func TestApplyOrderIndependent(t *testing.T) {
	svc, src := newService(t, "")
	var ids []app.RecordID
	for i := 0; i < 20; i++ {
		id, err := svc.Create(app.KindProposal, note("p", "b", "caribbean", "HT", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 100; i++ {
		id := ids[rng.IntN(len(ids))]
		var err error
		switch rng.IntN(3) {
		case 0:
			err = svc.Update(id, app.Patch{Title: sp("t" + string(rune('a'+i%26)))})
		case 1:
			err = svc.Update(id, app.Patch{AddThemes: []app.ThemeCode{"global-compact"}, DelThemes: []app.ThemeCode{"broad-protection"}})
		case 2:
			err = svc.Update(id, app.Patch{Status: sp(app.StatusSubmitted)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var all []*app.Op
	for _, id := range ids {
		ops, err := src.Ops(id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ops...)
	}
	for trial := 0; trial < 3; trial++ {
		dst, err := Open("", Options{InMemory: true})
		if err != nil {
			t.Fatal(err)
		}
		shuffled := slices.Clone(all)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for len(shuffled) > 0 {
			n := min(1+rng.IntN(10), len(shuffled))
			if err := dst.Apply(shuffled[:n]); err != nil {
				t.Fatal(err)
			}
			shuffled = shuffled[n:]
		}
		if err := dst.Apply(all[:5]); err != nil { // replays are no-ops
			t.Fatal(err)
		}
		for _, id := range ids {
			a, _ := src.Record(id)
			b, err := dst.Record(id)
			if err != nil {
				t.Fatal(err)
			}
			ea, _ := app.EncodeRecord(a)
			eb, _ := app.EncodeRecord(b)
			if !bytes.Equal(ea, eb) {
				t.Fatalf("record %s differs after reordering", id)
			}
		}
		dst.Close()
	}
	// A different operation at an existing address is refused.
	forged := *all[0]
	forged.HLC++
	if err := src.Apply([]*app.Op{&forged}); app.KindOf(err) != app.Corrupt {
		t.Fatalf("conflicting op: %v", err)
	}
}

func TestReopenRebuildsIndexes(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := app.NewService(st)
	if _, err := svc.Init("C+40"); err != nil {
		t.Fatal(err)
	}
	id, err := svc.Create(app.KindNote, note("Movilidad humana", "b", "mesoamerica", "GT", "regional-approach"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	svc2, _ := newService(t, dir)
	res, err := svc2.List(app.Filter{Text: "movilidad", Countries: []string{"GT"}}, 0)
	if err != nil || res.Total != 1 || res.Records[0].ID != id {
		t.Fatalf("after reopen: %+v %v", res, err)
	}
	// The device's sequence continues where it stopped.
	id2, err := svc2.Create(app.KindNote, note("otra", "b", "mesoamerica", "GT", "regional-approach"))
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := svc2.History(id2)
	if ops[0].Seq != 3 {
		t.Fatalf("seq after reopen = %d, want 3", ops[0].Seq)
	}
}

func TestOpenRefusals(t *testing.T) {
	// A directory with other files in it is not touched.
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "thesis.docx"), []byte("precious"), 0o600)
	if _, err := Open(foreign, Options{}); app.KindOf(err) != app.Foreign {
		t.Errorf("foreign dir: %v", err)
	}
	if entries, _ := os.ReadDir(foreign); len(entries) != 1 {
		t.Errorf("foreign dir was written to: %v", entries)
	}
	// A file instead of a directory.
	file := filepath.Join(foreign, "thesis.docx")
	if _, err := Open(file, Options{}); app.KindOf(err) != app.Foreign {
		t.Errorf("file: %v", err)
	}
	// A directory in use.
	dir := t.TempDir()
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); app.KindOf(err) != app.Locked {
		t.Errorf("locked dir: %v", err)
	}
	st.Close()
	// A store from a newer version.
	st, _ = Open(dir, Options{})
	st.db.Update(func(txn *badgerTxn) error { return txn.Set(schemaKey, []byte{0, 0, 0, 99}) })
	st.Close()
	if _, err := Open(dir, Options{}); app.KindOf(err) != app.Foreign {
		t.Errorf("newer schema: %v", err)
	}
}

func TestWatchFiresOnChange(t *testing.T) {
	svc, _ := newService(t, "")
	res, err := svc.List(app.Filter{SubRegions: []string{"andes"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-res.Changed:
		t.Fatal("fired before any change")
	default:
	}
	if _, err := svc.Create(app.KindNote, note("t", "b", "andes", "PE", "broad-protection")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-res.Changed:
	case <-time.After(time.Second):
		t.Fatal("watch did not fire after a matching write")
	}
}

func TestCreateWithExistingIDRefused(t *testing.T) {
	svc, _ := newService(t, "")
	id := app.RecordID(app.NewID(time.Now()))
	d := app.Draft{ID: id, Kind: app.KindNote, Patch: note("t", "b", "andes", "PE", "broad-protection")}
	if _, err := svc.CreateMany([]app.Draft{d}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateMany([]app.Draft{d}); app.KindOf(err) != app.Exist {
		t.Fatalf("second create with the same id: %v", err)
	}
	if ops, _ := svc.History(id); len(ops) != 1 {
		t.Fatalf("%d operations", len(ops))
	}
}

// TestWordSnapshot: a clean close stores the word index and the next open
// uses it; a write after it (as before a crash) or damaged bytes make the
// next open rebuild it from the records; either way searches answer the same.
func TestWordSnapshot(t *testing.T) {
	dir := t.TempDir()
	open := func() (*app.Service, *Store) {
		st, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := app.NewService(st)
		if err != nil {
			t.Fatal(err)
		}
		return svc, st
	}
	search := func(svc *app.Service, text string) []app.RecordID {
		res, err := svc.List(app.Filter{Text: text}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []app.RecordID
		for _, r := range res.Records {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}
	svc, st := open()
	svc.Init("C+40")
	var ids []app.RecordID
	for i, w := range []string{"migración", "apatridia", "frontera", "migrantes"} {
		id, err := svc.Create(app.KindNote, note(fmt.Sprint("nota ", i), w+" y documentación", "andes", "PE", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	want := search(svc, "migra")
	st.Close()

	svc, st = open()
	if !st.wordsRestored {
		t.Fatal("the word index was not taken from the snapshot")
	}
	if got := search(svc, "migra"); !slices.Equal(got, want) {
		t.Fatalf("from snapshot: %v, want %v", got, want)
	}
	// A write, then a crash: no Close, so no new snapshot.
	if err := svc.Update(ids[1], app.Patch{Body: sp("migración forzada")}); err != nil {
		t.Fatal(err)
	}
	want = search(svc, "migra")
	st.db.Close()
	close(st.stop)

	svc, st = open()
	if st.wordsRestored {
		t.Fatal("a stale snapshot was used")
	}
	if got := search(svc, "migra"); !slices.Equal(got, want) || len(got) != 3 {
		t.Fatalf("after rebuild: %v, want %v", got, want)
	}
	st.Close()

	// Damaged snapshot bytes are ignored.
	st, _ = Open(dir, Options{})
	st.db.Update(func(txn *badgerTxn) error { return txn.Set(wordsKey(), []byte("CWI1 garbage")) })
	st.db.Close()
	close(st.stop)
	svc, st = open()
	defer st.Close()
	if st.wordsRestored {
		t.Fatal("a damaged snapshot was used")
	}
	if got := search(svc, "migra"); !slices.Equal(got, want) {
		t.Fatalf("after damaged snapshot: %v", got)
	}
}

// TestOpenRefusesCorruptRecord: a damaged record is reported by name and
// the store is not opened (issue 7's check will repair from operations).
func TestOpenRefusesCorruptRecord(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := app.NewService(st)
	svc.Init("C+40")
	id, err := svc.Create(app.KindNote, note("t", "b", "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	st.db.Update(func(txn *badgerTxn) error { return txn.Set(recordKey(id), []byte{0xff, 0x00, 0x13}) })
	st.Close()
	_, err = Open(dir, Options{})
	if app.KindOf(err) != app.Corrupt || !strings.Contains(err.Error(), string(id)) {
		t.Fatalf("open with a corrupt record: %v", err)
	}
}
