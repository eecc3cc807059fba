package storage

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

const (
	secretTitle = "Sobreviviente XQZ en Tapachula"
	secretBody  = "Nombre de la persona en riesgo: Marisol QWERTY Ixchel"
)

// fill writes records whose text must not appear in the files of a
// protected store, then closes it.
func fill(t *testing.T, dir string, pass string) {
	t.Helper()
	st, err := Open(dir, Options{Passphrase: []byte(pass)})
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
	for i := range 50 {
		if _, err := svc.Create(app.KindNote, note(fmt.Sprint(secretTitle, " ", i), secretBody, "mesoamerica", "MX", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// grepDir reports the files of dir that contain any of needles.
func grepDir(t *testing.T, dir string, needles ...[]byte) []string {
	var hits []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				hits = append(hits, fmt.Sprintf("%s holds %q", filepath.Base(p), n))
			}
		}
		return nil
	})
	return hits
}

func TestProtectedStoreHoldsNoPlaintext(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "plain")
	fill(t, plain, "")
	if hits := grepDir(t, plain, []byte(secretTitle), []byte("QWERTY")); len(hits) == 0 {
		t.Fatal("the control store holds no plaintext: the check cannot fail")
	}
	dir := filepath.Join(t.TempDir(), "protected")
	fill(t, dir, "correct horse battery staple")
	if hits := grepDir(t, dir, []byte(secretTitle), []byte("QWERTY"), []byte("Tapachula"), []byte("Cartagena +40")); len(hits) > 0 {
		t.Fatalf("plaintext in a protected store: %v", hits)
	}
	if !IsProtected(dir) || IsProtected(plain) {
		t.Fatal("IsProtected is wrong")
	}
}

// snapshotDir hashes every file's name and content.
func snapshotDir(t *testing.T, dir string) [32]byte {
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func TestWrongPassphraseOpensAndWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	fill(t, dir, "la clave buena")
	before := snapshotDir(t, dir)
	for _, pass := range []string{"", "la clave mala"} {
		st, err := Open(dir, Options{Passphrase: []byte(pass)})
		if app.KindOf(err) != app.Passphrase || st != nil {
			t.Fatalf("passphrase %q: %v", pass, err)
		}
	}
	if snapshotDir(t, dir) != before {
		t.Fatal("a refused passphrase changed the directory")
	}
	st, err := Open(dir, Options{Passphrase: []byte("la clave buena")})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := app.NewService(st)
	if res, _ := svc.List(app.Filter{Text: "tapachula"}, 0); res.Total != 50 {
		t.Fatalf("%d records after reopening", res.Total)
	}
	st.Close()
	// A passphrase for a store that is not protected is refused too.
	plain := filepath.Join(t.TempDir(), "plain")
	fill(t, plain, "")
	if _, err := Open(plain, Options{Passphrase: []byte("x")}); app.KindOf(err) != app.Invalid {
		t.Fatalf("passphrase for an unprotected store: %v", err)
	}
}

func count(t *testing.T, dir, pass string) int {
	t.Helper()
	st, err := Open(dir, Options{Passphrase: []byte(pass)})
	if err != nil {
		t.Fatalf("open with %q: %v", pass, err)
	}
	defer st.Close()
	svc, _ := app.NewService(st)
	res, err := svc.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func TestChangePassphraseKeepsEveryRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	fill(t, dir, "vieja")
	if err := ChangePassphrase(dir, []byte("mala"), []byte("nueva")); app.KindOf(err) != app.Passphrase {
		t.Fatalf("change with a wrong old passphrase: %v", err)
	}
	if err := ChangePassphrase(dir, []byte("vieja"), []byte("nueva")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{Passphrase: []byte("vieja")}); app.KindOf(err) != app.Passphrase {
		t.Fatalf("the old passphrase still opens: %v", err)
	}
	if n := count(t, dir, "nueva"); n != 50 {
		t.Fatalf("%d records after re-keying", n)
	}
	// A change interrupted after the key file recorded it, before or
	// after the registry was re-keyed, is finished by the new passphrase.
	for _, rotated := range []bool{false, true} {
		kf, _ := readKeyFile(dir)
		oldKey, _ := kf.Current.matches([]byte("nueva"))
		p, newKey, _ := newParams([]byte("otra"))
		sealed, _ := seal(newKey, oldKey)
		if err := writeKeyFile(dir, &keyFile{Current: kf.Current, Pending: &pendingKey{Params: p, OldKey: sealed}}); err != nil {
			t.Fatal(err)
		}
		if rotated {
			if err := rotate(dir, oldKey, newKey); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, dir, "otra"); n != 50 {
			t.Fatalf("rotated=%v: %d records", rotated, n)
		}
		if kf, _ := readKeyFile(dir); kf.Pending != nil {
			t.Fatal("the interrupted change was not finished")
		}
		if err := ChangePassphrase(dir, []byte("otra"), []byte("nueva")); err != nil {
			t.Fatal(err)
		}
	}
}

func TestProtectExistingStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	fill(t, dir, "")
	if err := Protect(dir, []byte("clave"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); app.KindOf(err) != app.Passphrase {
		t.Fatalf("a protected store opened without its passphrase: %v", err)
	}
	if n := count(t, dir, "clave"); n != 50 {
		t.Fatalf("%d records after protecting", n)
	}
	if hits := grepDir(t, filepath.Dir(dir), []byte(secretTitle), []byte("QWERTY")); len(hits) > 0 {
		t.Fatalf("plaintext left after protecting: %v", hits)
	}
	if err := Protect(dir, []byte("clave"), nil); app.KindOf(err) != app.Invalid {
		t.Fatalf("protecting twice: %v", err)
	}
}

// TestKeyFileKeepsItsCost: a store protected with other argon2id costs (as
// before they were lowered to one pass) opens with the costs its key file
// names, and a passphrase change gives it today's.
func TestKeyFileKeepsItsCost(t *testing.T) {
	saved := kdfCost
	kdfCost.Time = 3
	dir := filepath.Join(t.TempDir(), "data")
	fill(t, dir, "frase antigua")
	kdfCost = saved
	kf, err := readKeyFile(dir)
	if err != nil || kf.Current.Time != 3 {
		t.Fatalf("key file: %+v %v", kf, err)
	}
	if n := count(t, dir, "frase antigua"); n != 50 {
		t.Fatalf("%d records", n)
	}
	if err := ChangePassphrase(dir, []byte("frase antigua"), []byte("frase nueva")); err != nil {
		t.Fatal(err)
	}
	if kf, _ = readKeyFile(dir); kf.Current.Time != saved.Time || kf.Current.Memory != saved.Memory {
		t.Fatalf("after the change: %+v", kf.Current)
	}
	if n := count(t, dir, "frase nueva"); n != 50 {
		t.Fatalf("%d records after the change", n)
	}
}
