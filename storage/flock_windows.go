//go:build windows

package storage

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// openLock opens what Badger locks on Windows: the LOCK file in dir, which
// Badger opens with no sharing at all (badger's dir_windows.go), so that
// while a Consulta has the store open this open fails, and while we hold
// it open Badger's does.
func openLock(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o600)
}

// flock takes an exclusive lock on the first byte of f with LockFileEx and
// fails at once, rather than waiting, when another handle holds it. Like
// flock(2), the lock belongs to the handle: a second open of the same file,
// in this process or another, cannot take it until the first is closed.
func flock(f *os.File) error {
	var ol windows.Overlapped
	return windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
}

// heldElsewhere reports whether err, from opening or locking the LOCK
// file, means another Consulta has it: a sharing violation from the open
// while Badger holds it, a lock violation from LockFileEx while another
// lockDir does.
func heldElsewhere(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
