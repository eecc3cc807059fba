package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// preallocate makes path a file of size bytes whose blocks are allocated
// (fallocate, which costs no writing), for the reserve.
func preallocate(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := unix.Fallocate(int(f.Fd()), 0, 0, size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
