//go:build unix

package storage

import (
	"os"
	"syscall"
)

// flock takes an exclusive, non-blocking lock on f, as Badger does on its
// LOCK file, so that no Consulta opens the store meanwhile.
func flock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }
