//go:build unix

package storage

import (
	"errors"
	"os"
	"syscall"
)

// openLock opens what Badger locks on Unix: the data directory itself
// (badger's dir_unix.go flocks it; its LOCK file only holds the pid).
func openLock(dir string) (*os.File, error) { return os.Open(dir) }

// flock takes an exclusive, non-blocking lock on f, as Badger does on the
// directory, so that no Consulta opens the store meanwhile.
func flock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

// heldElsewhere reports whether err, from opening or locking, means another
// handle (another Consulta) holds the lock.
func heldElsewhere(err error) bool { return errors.Is(err, syscall.EWOULDBLOCK) }
