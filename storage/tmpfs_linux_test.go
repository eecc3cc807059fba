package storage

import "syscall"

// mountTmpfs mounts a tmpfs with opts on mnt (TestFullDiskTmpfs).
func mountTmpfs(mnt, opts string) error {
	return syscall.Mount("consulta-fulldisk", mnt, "tmpfs", 0, opts)
}

func unmountTmpfs(mnt string) error { return syscall.Unmount(mnt, syscall.MNT_DETACH) }
