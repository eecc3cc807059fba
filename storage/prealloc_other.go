//go:build !linux

package storage

import "errors"

// preallocate is not done here: there is no reserve where blocks cannot be
// allocated without writing them.
func preallocate(string, int64) error { return errors.ErrUnsupported }
