// Package app is the heart of Consulta: the consultation itself, described in
// Go. It holds the domain types (workspaces, meetings, notes, proposals,
// stakeholder inputs, comments), the taxonomy of the Cartagena +40 process,
// the operations every change is made of and how they fold into a record's
// state, validation, and the use cases the desktop app and the CLI call.
//
// It imports no GUI, no database and no network. Storage is reached through
// the Store interface, which package storage implements:
//
//	store, _ := storage.Open(dir, storage.Options{})
//	svc, _ := app.NewService(store)
//	id, err := svc.Create(ctx, app.KindNote, app.Patch{Title: ptr("..."), ...})
//
// Every change is an immutable Op addressed by (device, seq), stamped with a
// hybrid logical clock and canonically encoded as deterministic CBOR, so that
// a record's state is a pure function of its set of operations, whatever the
// order they arrived in. See op.go and fold.go.
//
// A Query (query.go) says which records a list holds and which counts come
// with them: Service.List counts each field without the list's own filter
// on that field (FacetsPerField), so that beside a value not asked for
// stands how many records asking for it instead would give: for a
// sub-region, what ticking it adds.
package app
