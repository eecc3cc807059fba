//go:build !linux && !darwin

package storage

import (
	"errors"
	"os"
)

// freeSpace cannot be measured here: writes go ahead unchecked, as Badger
// allocates its files' blocks when it creates them on such systems
// (Windows extends a file with its clusters).
func freeSpace(string) (uint64, error) { return 0, errors.ErrUnsupported }

// allocated is path's size: its blocks are not known here.
func allocated(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return uint64(fi.Size())
}
