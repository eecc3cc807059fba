//go:build !linux

package storage

import "errors"

// Only Linux mounts a tmpfs; TestFullDiskTmpfs skips elsewhere before it
// gets here, and these keep its file compiling (GOOS=windows go test -c).
func mountTmpfs(string, string) error { return errors.ErrUnsupported }

func unmountTmpfs(string) error { return errors.ErrUnsupported }
