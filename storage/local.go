// Local settings: values of this laptop's own (drafts, settings), never
// synced.

package storage

import (
	"errors"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// PutLocal stores a value of this laptop's own (a draft, a setting)
// durably; an empty value deletes the key.
func (s *Store) PutLocal(key string, value []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed {
		return &app.Error{Op: "save", Msg: "the store is closed"}
	}
	if err := s.room("save", len(key)+len(value)); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
		if len(value) == 0 {
			return txn.Delete(localKey(key))
		}
		return txn.Set(localKey(key), value)
	})
}

// GetLocal returns the value stored under key by PutLocal, or nil.
func (s *Store) GetLocal(key string) ([]byte, error) {
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(localKey(key))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	})
	return v, err
}

// ListLocal returns every local key starting with prefix, with its value.
func (s *Store) ListLocal(prefix string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: localKey(prefix)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().Key()[1:])] = v
		}
		return nil
	})
	return out, err
}
