package storage

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"github.com/klauspost/compress/s2"
)

// TestBackupWhileWritingRestores: a backup taken while records are being
// written restores into a consistent workspace: every record it holds is
// the fold of its operations, and the same as on the source.
func TestBackupWhileWritingRestores(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "src")
	svc, st := newService(t, dir)
	for i := range 300 {
		if _, err := svc.Create(app.KindNote, note(fmt.Sprint("Antes ", i), "Texto.", "andes", "PE", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var stop atomic.Bool
	wg.Add(1)
	go func() { // people keep working
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			if _, err := svc.Create(app.KindNote, note(fmt.Sprint("Durante ", i), "Texto.", "andes", "PE", "broad-protection")); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var buf bytes.Buffer
	if err := st.Backup(&buf, nil); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()

	dst := filepath.Join(t.TempDir(), "restored")
	if err := Restore(dst, bytes.NewReader(buf.Bytes()), nil); err != nil {
		t.Fatal(err)
	}
	rsvc, rst := newService(t, dst)
	rep, err := rst.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Records < 300 {
		t.Fatalf("restored store: %d records, problems %v", rep.Records, rep.Problems)
	}
	if rsvc.Workspace().ID != svc.Workspace().ID {
		t.Fatal("the restored workspace differs")
	}
	if rsvc.Device() == svc.Device() {
		t.Fatal("the restored directory writes as the device the backup came from")
	}
	res, _ := rsvc.List(app.Filter{}, 0)
	for _, r := range res.Records {
		a, _ := svc.Get(r.ID)
		b, _ := rsvc.Get(r.ID)
		ea, _ := app.EncodeRecord(a)
		eb, _ := app.EncodeRecord(b)
		if !bytes.Equal(ea, eb) {
			t.Fatalf("record %s differs after restore", r.ID)
		}
	}
	t.Logf("the backup caught %d records of the source's %d", res.Total, func() int { r, _ := svc.List(app.Filter{}, 0); return r.Total }())
}

func TestEncryptedBackup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "src")
	fill(t, dir, "frase")
	st, err := Open(dir, Options{Passphrase: []byte("frase")})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := st.Backup(&buf, []byte("frase")); err != nil {
		t.Fatal(err)
	}
	srcID, err := st.Identity()
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if bytes.Contains(buf.Bytes(), []byte("QWERTY")) || bytes.Contains(buf.Bytes(), []byte(backupMagic)) {
		t.Fatal("the encrypted backup holds plaintext")
	}
	for _, pass := range []string{"", "otra"} {
		if err := Restore(filepath.Join(t.TempDir(), "r"), bytes.NewReader(buf.Bytes()), []byte(pass)); app.KindOf(err) != app.Passphrase {
			t.Fatalf("restore with %q: %v", pass, err)
		}
	}
	dst := filepath.Join(t.TempDir(), "r")
	if err := Restore(dst, bytes.NewReader(buf.Bytes()), []byte("frase")); err != nil {
		t.Fatal(err)
	}
	if !IsProtected(dst) {
		t.Fatal("an encrypted backup restored into an unprotected directory")
	}
	if n := count(t, dst, "frase"); n != 50 {
		t.Fatalf("%d records restored", n)
	}
	// A new device there too, announced when the app opened it (count
	// opens it through the app).
	rst, err := Open(dst, Options{Passphrase: []byte("frase")})
	if err != nil {
		t.Fatal(err)
	}
	rid, err := rst.Identity()
	if err != nil || rid.Device == srcID.Device {
		t.Fatalf("restored identity %v, %v", rid, err)
	}
	if o, _, err := rst.LastOp(rid.Device); err != nil || o == nil || o.Type != app.OpDevice {
		t.Fatalf("the new device is not announced: %+v %v", o, err)
	}
	rst.Close()
	// Bad input.
	if err := Restore(filepath.Join(t.TempDir(), "x"), strings.NewReader("no es una copia"), nil); app.KindOf(err) != app.Invalid {
		t.Fatalf("not a backup: %v", err)
	}
	if err := Restore(dst, bytes.NewReader(buf.Bytes()), []byte("frase")); app.KindOf(err) != app.Invalid {
		t.Fatalf("restore into a non-empty directory: %v", err)
	}
	if err := Restore(filepath.Join(t.TempDir(), "y"), bytes.NewReader(buf.Bytes()[:buf.Len()/2]), []byte("frase")); app.KindOf(err) != app.Corrupt {
		t.Fatalf("a truncated backup: %v", err)
	}
}

// TestCheckFindsCorruption: a healthy store checks clean; a damaged record
// value or operation is reported.
func TestCheckFindsCorruption(t *testing.T) {
	svc, st := newService(t, "")
	var ids []app.RecordID
	for i := range 20 {
		id, err := svc.Create(app.KindNote, note(fmt.Sprint("Nota ", i), "Texto.", "caribbean", "HT", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		if err := svc.Update(id, app.Patch{Title: sp(fmt.Sprint("Nota editada ", i))}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := st.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Records != 20 || rep.Operations != 41 || rep.Signatures == 0 {
		t.Fatalf("healthy store: %+v", rep)
	}
	// A record whose stored state no longer matches its operations.
	r, _ := st.Record(ids[3])
	r.Title = "Cambiado a mano"
	enc, _ := app.EncodeRecord(stored(r))
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Set(recordKey(ids[3]), enc) }); err != nil {
		t.Fatal(err)
	}
	// An operation whose bytes were altered.
	o, raw, _ := st.LastOp(svc.Device())
	bad := bytes.Replace(raw, []byte("Nota editada 19"), []byte("Nota editada 91"), 1)
	if bytes.Equal(bad, raw) {
		t.Fatal("the test did not alter the operation")
	}
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Set(opKey(o.Device, o.Seq), bad) }); err != nil {
		t.Fatal(err)
	}
	rep, err = st.Check()
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(rep.Problems, "\n")
	if !strings.Contains(all, string(ids[3])) || !strings.Contains(all, "bad signature") {
		t.Fatalf("the damage was not found:\n%s", all)
	}
}

// TestRestoredLaptopWritesAsNewDevice: a backup restored on another
// laptop, or on the same one after the original wrote more, writes as a
// new device. Both laptops write, the restored one before it has synced
// anything; everything reaches everyone and no peer refuses anything.
// With the original's identity, the restored laptop's first write took a
// sequence number the original had already used: every peer refused it,
// and sync with that laptop stopped there.
func TestRestoredLaptopWritesAsNewDevice(t *testing.T) {
	a, sa, b, _ := pair(t)
	create := func(s *app.Service, title string) app.RecordID {
		t.Helper()
		id, err := s.Create(app.KindNote, note(title, "texto", "andes", "CO", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	create(a, "antes de la copia")
	var backup bytes.Buffer
	if err := sa.Backup(&backup, nil); err != nil {
		t.Fatal(err)
	}
	create(a, "después de la copia")
	dir := filepath.Join(t.TempDir(), "restored")
	if err := Restore(dir, &backup, nil); err != nil {
		t.Fatal(err)
	}
	restored, st := newService(t, dir)
	if restored.Device() == a.Device() || restored.Workspace().ID != a.Workspace().ID {
		t.Fatalf("restored as device %s of workspace %s", restored.Device(), restored.Workspace().ID)
	}
	// Its backups carry its own signing key, not the original's.
	var again bytes.Buffer
	if err := st.Backup(&again, nil); err != nil {
		t.Fatal(err)
	}
	kvs, err := io.ReadAll(s2.NewReader(bytes.NewReader(again.Bytes()[len(backupMagic):])))
	if err != nil {
		t.Fatal(err)
	}
	aid, _ := sa.Identity()
	rid, _ := st.Identity()
	if bytes.Contains(kvs, aid.Key.Seed()) || !bytes.Contains(kvs, rid.Key.Seed()) {
		t.Fatal("a backup of the restored laptop holds the original's signing key, or not its own")
	}
	create(restored, "escrita al restaurar")
	create(a, "la original sigue")
	for range 2 {
		pull(t, a, b)
		pull(t, restored, b)
		pull(t, b, a)
		pull(t, b, restored)
	}
	want, _ := a.List(app.Filter{}, 0)
	if want.Total != 4 {
		t.Fatalf("a holds %d notes", want.Total)
	}
	for _, s := range []*app.Service{b, restored} {
		got, _ := s.List(app.Filter{}, 0)
		if got.Total != 4 {
			t.Fatalf("%s holds %d notes", s.Device(), got.Total)
		}
		for _, r := range want.Records {
			x, _ := a.Get(r.ID)
			y, err := s.Get(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			ex, _ := app.EncodeRecord(x)
			ey, _ := app.EncodeRecord(y)
			if !bytes.Equal(ex, ey) {
				t.Fatalf("record %s differs on %s", r.ID, s.Device())
			}
		}
	}
	if rep, err := st.Check(); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %+v %v", rep, err)
	}
}

// TestOwnOperationsComeBack: a laptop restored, with its identity, from an
// older backup (as builds before Restore gave a new identity did) gets its
// later operations back from a peer; its next write must follow the last
// of them in its chain, or every peer refuses it.
func TestOwnOperationsComeBack(t *testing.T) {
	a, sa, b, _ := pair(t)
	if _, err := a.Create(app.KindNote, note("antes de la copia", "texto", "andes", "CO", "broad-protection")); err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	if err := sa.Backup(&backup, nil); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"después 1", "después 2"} {
		if _, err := a.Create(app.KindNote, note(title, "texto", "andes", "CO", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	pull(t, a, b)

	dir := filepath.Join(t.TempDir(), "restored")
	if err := Restore(dir, &backup, nil); err != nil {
		t.Fatal(err)
	}
	aid, err := sa.Identity()
	if err != nil {
		t.Fatal(err)
	}
	old, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.setIdentity(aid); err != nil {
		t.Fatal(err)
	}
	old.Close()
	restored, st := newService(t, dir)
	if restored.Device() != a.Device() {
		t.Fatal("the store does not hold the original identity")
	}
	pull(t, b, restored) // its own two operations, and b's announcement
	if v, _ := restored.Vector(); v[a.Device()] != 4 {
		t.Fatalf("holds its operations up to %d", v[a.Device()])
	}
	id, err := restored.Create(app.KindNote, note("después de restaurar", "texto", "andes", "CO", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	if n := pull(t, restored, b); n != 1 {
		t.Fatalf("b took %d operations", n)
	}
	if _, err := b.Get(id); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.Check(); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %+v %v", rep, err)
	}
}
