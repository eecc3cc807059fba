// The workspace and this device's identity: Init, their reads, and the
// writes that replace them.

package storage

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// Init stores the workspace and this device's identity. Errors: app.Exist
// when the store already holds a workspace.
func (s *Store) Init(ws *app.Workspace, id *app.Identity) error {
	wb, err := app.Marshal(ws)
	if err != nil {
		return err
	}
	ib, err := app.Marshal(id)
	if err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.room("init", len(wb)+len(ib)); err != nil {
		return err
	}
	err = s.update(func(txn *badger.Txn) error {
		if _, err := txn.Get(workspaceKey()); err == nil {
			return &app.Error{Op: "init", Kind: app.Exist, Msg: "this data directory already holds a workspace"}
		}
		if err := txn.Set(schemaKey, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
			return err
		}
		if err := txn.Set(workspaceKey(), wb); err != nil {
			return err
		}
		return txn.Set(identityKey(), ib)
	})
	if err != nil {
		return err
	}
	return s.loadAuthority()
}

// setIdentity replaces this device's identity (Restore gives a restored
// store a new one). Earlier versions are discarded, so that backups of
// this store do not carry the old signing key.
func (s *Store) setIdentity(id *app.Identity) error {
	b, err := app.Marshal(id)
	if err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.room("identity", len(b)); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
		return txn.SetEntry(badger.NewEntry(identityKey(), b).WithDiscard())
	})
}

// get reads one value. Errors: app.NotFound, app.NotInitialized for the
// metadata keys.
func (s *Store) get(key []byte, v any) error {
	return s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return &app.Error{Kind: app.NotInitialized, Msg: "no workspace here yet; create one with init"}
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if err := app.Unmarshal(b, v); err != nil {
				return &app.Error{Kind: app.Corrupt, Msg: fmt.Sprintf("key %x", key), Err: err}
			}
			return nil
		})
	})
}

// Workspace returns the workspace. Errors: app.NotInitialized, app.Corrupt.
func (s *Store) Workspace() (*app.Workspace, error) {
	var ws app.Workspace
	if err := s.get(workspaceKey(), &ws); err != nil {
		return nil, err
	}
	return &ws, nil
}

// Identity returns this device's identity. Errors: app.NotInitialized,
// app.Corrupt.
func (s *Store) Identity() (*app.Identity, error) {
	var id app.Identity
	if err := s.get(identityKey(), &id); err != nil {
		return nil, err
	}
	return &id, nil
}

// SetWorkspace replaces the stored workspace description (a member learns
// the title from its peers). The id and secret must not change. Errors:
// app.NotInitialized, app.Foreign.
func (s *Store) SetWorkspace(ws *app.Workspace) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	cur, err := s.Workspace()
	if err != nil {
		return err
	}
	rekeyed := ws.Epoch >= cur.Epoch && ws.Epoch > 0 && len(ws.Past) > 0 && string(ws.Past[len(ws.Past)-1]) == string(cur.Secret)
	if cur.ID != ws.ID || (string(cur.Secret) != string(ws.Secret) && !rekeyed) {
		return &app.Error{Op: "workspace", Kind: app.Foreign, Msg: "a workspace's id never changes, nor its secret but by a new epoch"}
	}
	b, err := app.Marshal(ws)
	if err != nil {
		return err
	}
	if err := s.room("workspace", len(b)); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error { return txn.Set(workspaceKey(), b) })
}
