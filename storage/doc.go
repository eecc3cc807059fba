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
//
// Where things are:
//   - store.go: the Store type and its options;
//   - open.go, migrate.go, rebuild.go: opening (Badger's options, the
//     schema check and migrations, the rebuild of the in-memory indexes)
//     and closing;
//   - apply.go, fold.go: the write path, from operations to stored
//     records (applyTxn lists its steps);
//   - records.go, text.go: reading records, their operations and texts;
//   - replica.go: what sync reads (vectors, operations after a sequence,
//     devices' keys);
//   - workspace.go, local.go: the workspace and identity, local settings;
//   - indexer.go, index.go, schema.go, textindex.go, bitmap.go,
//     snapshot.go: the in-memory indexes, how writes reach them and the
//     word index's snapshot;
//   - query.go, facets.go: answering a query from them, and its facet
//     counts (per field, each without the field's own condition, or over
//     the whole result);
//   - space.go: refusing writes on a full disk;
//   - protect.go, backup.go, check.go: passphrases, backups, the check.
package storage
