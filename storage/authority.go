// Roles: the store keeps its workspace's role operations indexed and
// resolved (app.Authority), folds records from the operations that may
// apply, and refolds the records a role operation changes the judgment
// of (docs/ROLES.md).

package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// Authority is who may do what in the workspace, as the stored role
// operations decide it; nil in a store without a workspace.
func (s *Store) Authority() *app.Authority {
	s.authMu.RLock()
	defer s.authMu.RUnlock()
	return s.auth
}

func (s *Store) setAuthority(a *app.Authority, ops []*app.Op, devices []app.DeviceID, waiting map[app.OpID]bool) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.auth, s.authOps, s.authDevices, s.authWaiting = a, ops, devices, waiting
}

// checkPasts checks the past each role operation names against what txn
// holds: an operation it names that is not held yet leaves it out until
// it arrives (waiting lists those), one whose hash differs leaves it out
// for good. A past cannot name an operation that does not exist yet, so
// no vector claims a future.
func checkPasts(txn *badger.Txn, ops []*app.Op) (excluded map[app.OpID]string, waiting map[app.OpID]bool, err error) {
	excluded, waiting = map[app.OpID]string{}, map[app.OpID]bool{}
	for _, o := range ops {
		ids, hashes := app.SeenHashes(o)
		for i, id := range ids {
			item, err := txn.Get(opKey(id.Device, id.Seq))
			if errors.Is(err, badger.ErrKeyNotFound) {
				excluded[o.ID()] = "waiting for " + id.String()
				waiting[id] = true
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			same := false
			if err := item.Value(func(v []byte) error { same = bytes.Equal(app.HashOp(v), hashes[i]); return nil }); err != nil {
				return nil, nil, err
			}
			if !same {
				excluded[o.ID()] = "its past names an operation other than the one held as " + id.String()
				break
			}
		}
	}
	return excluded, waiting, nil
}

// loadAuthority reads the role operations and the laptops known, and
// resolves them.
func (s *Store) loadAuthority() error {
	a, ops, devices, waiting, err := s.readAuthority()
	if err != nil || a == nil {
		return err
	}
	s.setAuthority(a, ops, devices, waiting)
	return nil
}

// readAuthority resolves the roles from what is stored, from scratch
// (check compares the folded states with it); nil without a workspace.
func (s *Store) readAuthority() (*app.Authority, []*app.Op, []app.DeviceID, map[app.OpID]bool, error) {
	ws, err := s.Workspace()
	if app.KindOf(err) == app.NotInitialized {
		return nil, nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var excluded map[app.OpID]string
	var waiting map[app.OpID]bool
	var ops []*app.Op
	var devices []app.DeviceID
	err = s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRoleOp}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 1+16+8 {
				continue
			}
			o, err := opTxn(txn, app.DeviceID(k[1:17]), binary.BigEndian.Uint64(k[17:]))
			if err != nil {
				return err
			}
			ops = append(ops, o)
		}
		dit := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixDevice}, PrefetchValues: false})
		defer dit.Close()
		for dit.Rewind(); dit.Valid(); dit.Next() {
			devices = append(devices, app.DeviceID(dit.Item().KeyCopy(nil)[1:]))
		}
		var err error
		excluded, waiting, err = checkPasts(txn, ops)
		return err
	})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	slices.Sort(devices)
	return app.NewAuthority(ws.ID, ops, devices, excluded), ops, devices, waiting, nil
}

// opTxn reads and decodes the operation stored at dev, seq.
func opTxn(txn *badger.Txn, dev app.DeviceID, seq uint64) (*app.Op, error) {
	item, err := txn.Get(opKey(dev, seq))
	if err != nil {
		return nil, err
	}
	var o *app.Op
	err = item.Value(func(v []byte) error {
		var err error
		o, err = app.DecodeOp(v)
		return err
	})
	return o, err
}

// reauthorize resolves the roles again when the write brings role
// operations or laptops, and adds to the records it refolds those whose
// operations may now be judged otherwise, and those that waited for role
// operations.
func (w *write) reauthorize() error {
	w.auth = w.s.Authority()
	if len(w.roleOps) == 0 && len(w.devices) == 0 && !w.awaited {
		return nil
	}
	ws, err := w.s.Workspace()
	if err != nil {
		return err
	}
	w.s.authMu.RLock()
	ops := append(slices.Clone(w.s.authOps), w.roleOps...)
	devices := append(slices.Clone(w.s.authDevices), w.devices...)
	w.s.authMu.RUnlock()
	slices.Sort(devices)
	devices = slices.Compact(devices)
	excluded, waiting, err := checkPasts(w.txn, ops)
	if err != nil {
		return err
	}
	old := w.auth
	w.auth, w.authOps, w.authDevices = app.NewAuthority(ws.ID, ops, devices, excluded), ops, devices
	w.authWaiting, w.reauthorized = waiting, true
	all, affected := app.AffectedBy(old, w.auth, devices)
	if all {
		affected = devices
	}
	for _, dev := range affected {
		if err := w.touchDevice(dev); err != nil {
			return err
		}
	}
	if len(w.roleOps) == 0 {
		return nil
	}
	it := w.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixAuthWait}, PrefetchValues: false})
	defer it.Close()
	w.wasWaiting = map[app.RecordID]bool{}
	for it.Rewind(); it.Valid(); it.Next() {
		id := app.RecordID(it.Item().KeyCopy(nil)[1:])
		w.wasWaiting[id] = true
		w.touch(id)
	}
	return nil
}

// touchDevice adds the records laptop dev's operations concern to those
// the write refolds.
func (w *write) touchDevice(dev app.DeviceID) error {
	it := w.txn.NewIterator(badger.IteratorOptions{Prefix: devicePrefix(dev)})
	defer it.Close()
	var rec struct {
		Record app.RecordID `cbor:"6,keyasint,omitempty"`
	}
	var ids []app.RecordID
	seen := map[app.RecordID]bool{}
	for it.Rewind(); it.Valid(); it.Next() {
		rec.Record = ""
		if err := it.Item().Value(func(v []byte) error { return app.UnmarshalFields(v, &rec) }); err != nil {
			return err
		}
		if rec.Record != "" && !seen[rec.Record] {
			seen[rec.Record] = true
			ids = append(ids, rec.Record)
		}
	}
	return w.touchAll(ids)
}

// refoldInline is how many records a write that changes the roles
// refolds itself; past it, it marks them stale and they are refolded
// right after, refoldChunk at a time: one Badger transaction holds some
// megabytes, and a role operation can change the judgment of every record
// of a prolific member.
var refoldInline, refoldChunk = 500, 500

// touchAll adds ids to the records the write refolds, or marks them stale
// when there are too many for it.
func (w *write) touchAll(ids []app.RecordID) error {
	if len(w.touched)+len(ids) <= refoldInline {
		for _, id := range ids {
			w.touch(id)
		}
		return nil
	}
	for _, id := range ids {
		if err := w.txn.Set(staleKey(id), nil); err != nil {
			return err
		}
	}
	w.stale = true
	return nil
}

// refoldStaleLocked refolds the records marked stale, refoldChunk at a
// time, each chunk one durable transaction that unmarks them; at Open
// too, when a crash came between. The caller holds writeMu.
func (s *Store) refoldStaleLocked() error {
	for {
		var ids []app.RecordID
		err := s.view(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixStale}, PrefetchValues: false})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(ids) < refoldChunk; it.Next() {
				ids = append(ids, app.RecordID(it.Item().KeyCopy(nil)[1:]))
			}
			return nil
		})
		if err != nil || len(ids) == 0 {
			return err
		}
		w := s.newWrite(nil, nil, nil)
		w.auth = s.Authority()
		for _, id := range ids {
			w.touch(id)
		}
		err = s.update(func(txn *badger.Txn) error {
			w.txn = txn
			if err := w.foldRecords(); err != nil {
				return err
			}
			for _, id := range ids {
				if err := txn.Delete(staleKey(id)); err != nil {
					return err
				}
			}
			return w.advance()
		})
		if err != nil {
			return err
		}
		s.committed(w)
	}
}

// touch adds record id to those the write refolds, once.
func (w *write) touch(id app.RecordID) {
	if w.touchedSet == nil {
		w.touchedSet = make(map[app.RecordID]bool, len(w.touched))
		for _, t := range w.touched {
			w.touchedSet[t] = true
		}
	}
	if !w.touchedSet[id] {
		w.touchedSet[id] = true
		w.touched = append(w.touched, id)
	}
}

// foldAuthorized folds ops with the write's authority.
func (w *write) foldAuthorized(ops []*app.Op) *app.Record { return app.FoldAuthorized(ops, w.auth) }

// noteWaiting marks record id as waiting for role operations while an
// operation of it names one not stored, and unmarks it once none does.
func (w *write) noteWaiting(id app.RecordID, r *app.Record) error {
	waiting := slices.ContainsFunc(r.NotApplied, func(n app.NotApplied) bool { return app.IsWaiting(n.Why) })
	switch {
	case waiting:
		return w.txn.Set(authWaitKey(id), nil)
	case w.wasWaiting[id]:
		return w.txn.Delete(authWaitKey(id))
	}
	return nil
}

// awaitedByRoles reports whether a role operation's past waits for id.
func (s *Store) awaitedByRoles(id app.OpID) bool {
	s.authMu.RLock()
	defer s.authMu.RUnlock()
	return s.authWaiting[id]
}
