// What sync reads and keeps: the version vector and how a write advances
// it, operations of a device after a sequence, devices' keys, and the
// signal that operations were stored.

package storage

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// advanceVector moves each device's high-water mark past the operations
// just written, as far as its sequence has no gap.
func advanceVector(txn *badger.Txn, ops []*app.Op) error {
	inBatch := map[app.DeviceID]map[uint64]bool{}
	for _, o := range ops {
		if inBatch[o.Device] == nil {
			inBatch[o.Device] = map[uint64]bool{}
		}
		inBatch[o.Device][o.Seq] = true
	}
	for dev, seqs := range inBatch {
		hw, err := vectorTxn(txn, dev)
		if err != nil {
			return err
		}
		start := hw
		for seqs[hw+1] { // what this batch brings needs no lookup
			hw++
		}
		for {
			_, err := txn.Get(opKey(dev, hw+1))
			if errors.Is(err, badger.ErrKeyNotFound) {
				break
			}
			if err != nil {
				return err
			}
			hw++
		}
		if hw != start {
			if err := txn.Set(vectorKey(dev), binary.BigEndian.AppendUint64(nil, hw)); err != nil {
				return err
			}
		}
	}
	return nil
}

func vectorTxn(txn *badger.Txn, dev app.DeviceID) (uint64, error) {
	item, err := txn.Get(vectorKey(dev))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var hw uint64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return &app.Error{Kind: app.Corrupt, Msg: "bad version vector entry"}
		}
		hw = binary.BigEndian.Uint64(v)
		return nil
	})
	return hw, err
}

// Vector returns, for each device, the highest sequence number up to which
// every operation of that device is stored: what this store has, in the
// form a peer needs to know what to send.
func (s *Store) Vector() (app.Vector, error) {
	vec := app.Vector{}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixVector}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil || len(v) != 8 {
				return &app.Error{Kind: app.Corrupt, Msg: "bad version vector entry"}
			}
			vec[app.DeviceID(it.Item().Key()[1:])] = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return vec, err
}

// EachOpAfter calls fn with the encoded operations of dev with sequence
// numbers above after, in order: at most limit, and at most maxBytes in
// all, but always at least one if there is one. It does not copy them: enc
// is valid only during the call (it is often the store's memory-mapped
// log), so that a sender copies each operation once, into its message
// (app.Service.OpsAfter copies them). An error from fn stops it and is
// returned.
func (s *Store) EachOpAfter(dev app.DeviceID, after uint64, limit, maxBytes int, fn func(enc []byte) error) error {
	n, size := 0, 0
	return s.view(func(txn *badger.Txn) error {
		prefix := devicePrefix(dev)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(opKey(dev, after+1)); it.ValidForPrefix(prefix) && (n == 0 || n < limit); it.Next() {
			full := false
			err := it.Item().Value(func(v []byte) error {
				if n > 0 && size+len(v) > maxBytes {
					full = true
					return nil
				}
				n, size = n+1, size+len(v)
				return fn(v)
			})
			if err != nil || full {
				return err
			}
		}
		return nil
	})
}

// DeviceKey returns the public key a device announced. Errors: app.NotFound.
func (s *Store) DeviceKey(dev app.DeviceID) (ed25519.PublicKey, error) {
	var key ed25519.PublicKey
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(deviceKey(dev))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return &app.Error{Kind: app.NotFound, Msg: fmt.Sprintf("unknown device %s", dev)}
		}
		if err != nil {
			return err
		}
		key, err = item.ValueCopy(nil)
		return err
	})
	return key, err
}

// opsStored wakes whoever waits on OpsChanged.
func (s *Store) opsStored() {
	s.opsMu.Lock()
	close(s.opsCh)
	s.opsCh = make(chan struct{})
	s.opsMu.Unlock()
}

// OpsChanged returns a channel that is closed the next time operations are
// stored, by this device or received from a peer.
func (s *Store) OpsChanged() <-chan struct{} {
	s.opsMu.Lock()
	defer s.opsMu.Unlock()
	return s.opsCh
}
