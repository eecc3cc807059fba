// Package storage makes Consulta's operations durable and its records
// queryable. It implements app.Store.
//
// Operations and the records they fold into live in Badger (see prefix.go
// for every key). At start-up the records are loaded into go-memdb tables
// (see schema.go) and a word index for full-text search (textindex.go); every
// write goes to Badger first, durably, and then to the in-memory indexes on
// the same path, so the indexes never hold what the disk does not. Nothing
// outside this package imports badger or memdb.
//
//	st, err := storage.Open(dir, storage.Options{})
//	if err != nil { ... }          // app.Locked, app.Foreign, app.Corrupt
//	defer st.Close()
//	svc, err := app.NewService(st)
package storage
