package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

// The data directory's lock, as delegates meet it: a second Consulta on a
// store already open is refused with a message that says what to do. On
// Unix the lock is flock(2) (Badger's and ours); the same test compiled for
// Windows (GOOS=windows go test -c) checks Badger's unshared LOCK file and
// our LockFileEx.
func TestSecondOpenIsRefused(t *testing.T) {
	// A path like the ones Windows gives: spaces and accents.
	dir := filepath.Join(t.TempDir(), "José Núñez", "Mis documentos", "consulta")
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{})
	if app.KindOf(err) != app.Locked {
		t.Fatalf("second open: got %v, want a Locked error", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "in use by another Consulta") || !strings.Contains(msg, dir) {
		t.Errorf("second open: the message %q should name %s and say it is in use", msg, dir)
	}
	// Changing the passphrase takes the same lock.
	if _, err := lockDir(dir); app.KindOf(err) != app.Locked {
		t.Errorf("lockDir on an open store: got %v, want a Locked error", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// Closed, it opens again, and our own lock is free.
	l, err := lockDir(dir)
	if err != nil {
		t.Fatalf("lockDir after close: %v", err)
	}
	// ... and while we hold it, no store opens.
	if st2, err := Open(dir, Options{}); app.KindOf(err) != app.Locked {
		if err == nil {
			st2.Close()
		}
		t.Errorf("open while the passphrase changes: got %v, want a Locked error", err)
	}
	l.Close()
	st, err = Open(dir, Options{})
	if err != nil {
		t.Fatalf("open after the lock is released: %v", err)
	}
	st.Close()
}

// flock is held by a handle: a second handle on the same file, as another
// process would have, cannot take it until the first lets go.
func TestFlockExcludesASecondHandle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Año 2026 ñ")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	open := func() *os.File {
		f, err := openLock(dir)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a, b := open(), open()
	defer b.Close()
	if err := flock(a); err != nil {
		t.Fatalf("first lock: %v", err)
	}
	err := flock(b)
	if err == nil {
		t.Fatal("a second handle took the lock the first holds")
	}
	if !heldElsewhere(err) {
		t.Errorf("heldElsewhere(%v) = false; lockDir would not say the store is in use", err)
	}
	a.Close()
	if err := flock(b); err != nil {
		t.Errorf("lock after the first handle closed: %v", err)
	}
}
