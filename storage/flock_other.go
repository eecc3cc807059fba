//go:build !unix && !windows

package storage

import (
	"os"
	"path/filepath"
)

func openLock(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o600)
}

// flock is a no-op where there is neither flock nor LockFileEx (js, wasip1,
// plan9, which Consulta does not ship for); Badger's own lock still keeps
// two Consultas from opening one store.
func flock(*os.File) error { return nil }

func heldElsewhere(error) bool { return false }
