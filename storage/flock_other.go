//go:build !unix

package storage

import "os"

// flock is a no-op where there is no flock; Badger's own lock still keeps
// two Consultas from opening one store.
func flock(*os.File) error { return nil }
