//go:build linux || darwin

package storage

import "golang.org/x/sys/unix"

// freeSpace is statfs's f_bavail in bytes: what a process that is not root
// may still write on the file system holding dir.
func freeSpace(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// allocated is the disk space path's blocks take, which for Badger's
// sparse memtable logs is what has been written of them.
func allocated(path string) uint64 {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0
	}
	return uint64(st.Blocks) * 512
}
