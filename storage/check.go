package storage

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/go-memdb"
)

// Check verifies the store and reports what it finds:
//   - every operation: canonical encoding, stored under its own address,
//     each device's operations numbered without gaps and chained by hash,
//     and signed by the device's key (the last of each chain and each
//     operation without a link, as sync checks them: the chain vouches for
//     the rest);
//   - every record: its stored state and text equal the fold of its
//     operations;
//   - the in-memory indexes: each record is in them, as stored, and in the
//     posting of each of its values.
//
// It reads one consistent snapshot; run it on a store nobody is writing to
// for the index part to be exact.
func (s *Store) Check() (*app.CheckReport, error) {
	if err := s.indexed(); err != nil {
		return nil, err
	}
	rep := &app.CheckReport{Problems: []string{}}
	var ops opsFound
	if err := s.view(func(txn *badger.Txn) error { return ops.check(txn, rep) }); err != nil {
		return nil, err
	}
	ops.verify(rep)
	s.idxMu.RLock()
	defer s.idxMu.RUnlock()
	mt := s.mem.Txn(false)
	if err := s.view(func(txn *badger.Txn) error { return s.checkRecords(txn, mt, rep) }); err != nil {
		return nil, err
	}
	if err := s.view(func(txn *badger.Txn) error {
		if err := checkCreatesFound(txn, ops.creates, rep); err != nil {
			return err
		}
		return checkAwaiting(txn, rep)
	}); err != nil {
		return nil, err
	}
	indexed := 0
	for _, r := range s.idx.recs {
		if r != nil {
			indexed++
		}
	}
	if indexed != rep.Records {
		rep.Problem("the in-memory index holds %d records, the store %d", indexed, rep.Records)
	}
	return rep, nil
}

// opsFound is what checking the operations leaves for the next checks.
type opsFound struct {
	heads   []*app.Op // the operations whose own signature vouches for their chain
	creates []createAt
	keys    map[app.DeviceID]ed25519.PublicKey // as the devices announced them
}

// check reads every operation in address order and checks its encoding,
// its address and its place in its device's chain.
func (f *opsFound) check(txn *badger.Txn, rep *app.CheckReport) error {
	f.keys = map[app.DeviceID]ed25519.PublicKey{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixOp}})
	defer it.Close()
	var prev *app.Op
	var prevEnc []byte
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		enc, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		rep.Operations++
		o, err := app.DecodeOp(enc)
		if err != nil {
			rep.Problem("operation under key %x: %v", item.Key(), err)
			prev, prevEnc = nil, nil
			continue
		}
		if !bytes.Equal(item.Key(), opKey(o.Device, o.Seq)) {
			rep.Problem("operation %s is stored under another address (%x)", o.ID(), item.Key())
		}
		switch o.Type {
		case app.OpDevice:
			f.keys[o.Device] = o.PubKey
		case app.OpCreate:
			f.creates = append(f.creates, createAt{o.Record, o.ID()})
		}
		f.follow(prev, prevEnc, o, rep)
		prev, prevEnc = o, enc
	}
	if prev != nil {
		f.heads = append(f.heads, prev)
	}
	return nil
}

// follow checks that o follows prev, the operation before it in address
// order (encoded prevEnc; nil at the start or after one that could not be
// decoded), and notes where a chain ends.
func (f *opsFound) follow(prev *app.Op, prevEnc []byte, o *app.Op, rep *app.CheckReport) {
	switch {
	case prev == nil || prev.Device != o.Device:
		if prev != nil {
			f.heads = append(f.heads, prev)
		}
		rep.Devices++
		if o.Seq != 1 {
			rep.Problem("device %s: its operations start at %d, not 1", o.Device, o.Seq)
		}
	case o.Seq != prev.Seq+1:
		rep.Problem("device %s: operations %d to %d are missing", o.Device, prev.Seq+1, o.Seq-1)
		f.heads = append(f.heads, prev)
	case o.Prev == nil:
		f.heads = append(f.heads, prev) // written before chains: vouched for by its own signature
	case !bytes.Equal(o.Prev, app.HashOp(prevEnc)):
		rep.Problem("operation %s does not follow %s: the hash chain is broken", o.ID(), prev.ID())
		f.heads = append(f.heads, prev)
	}
}

// verify checks the signatures of the heads, on every core.
func (f *opsFound) verify(rep *app.CheckReport) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	workers := runtime.NumCPU()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(f.heads); i += workers {
				o := f.heads[i]
				var err error
				if k, ok := f.keys[o.Device]; !ok {
					err = fmt.Errorf("operation %s comes from a device that never announced its key", o.ID())
				} else {
					err = o.Verify(k)
				}
				mu.Lock()
				rep.Signatures++
				if err != nil {
					rep.Problem("%v", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// checkRecords checks every stored record against its operations and
// against the in-memory indexes (mt, read under idxMu).
func (s *Store) checkRecords(txn *badger.Txn, mt *memdb.Txn, rep *app.CheckReport) error {
	// Each record is compared with its fold under the roles resolved from
	// scratch, not with the resolution the writes kept up to date.
	auth, _, _, _, err := s.readAuthority()
	if err != nil {
		return err
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		id := app.RecordID(it.Item().Key()[1:])
		rep.Records++
		got, ok := checkFold(txn, id, auth, rep)
		if ok {
			s.checkIndexed(mt, id, got, rep)
		}
	}
	return nil
}

// checkFold reads record id and checks it is the fold of its operations;
// ok is false when it cannot be read or folded.
func checkFold(txn *badger.Txn, id app.RecordID, auth *app.Authority, rep *app.CheckReport) (got *app.Record, ok bool) {
	got, err := recordTxn(txn, id)
	if err != nil {
		rep.Problem("record %s: %v", id, err)
		return nil, false
	}
	ops, err := opsTxn(txn, id)
	if err != nil {
		rep.Problem("record %s: %v", id, err)
		return nil, false
	}
	want := app.FoldAuthorized(ops, auth)
	if want == nil {
		rep.Problem("record %s is stored but none of its operations creates it", id)
		return nil, false
	}
	a, _ := app.EncodeRecord(stored(got))
	b, _ := app.EncodeRecord(stored(want))
	if !bytes.Equal(a, b) || got.Body != want.Body {
		rep.Problem("record %s differs from the fold of its %d operations", id, len(ops))
	}
	return got, true
}

// checkIndexed checks that the in-memory indexes hold record id as
// stored (got), and in the posting of each of its values.
func (s *Store) checkIndexed(mt *memdb.Txn, id app.RecordID, got *app.Record, rep *app.CheckReport) {
	n, ok := s.idx.nums[id]
	if !ok || int(n) >= len(s.idx.recs) || s.idx.recs[n] == nil {
		rep.Problem("record %s is not in the in-memory index", id)
		return
	}
	x, _ := app.EncodeRecord(s.idx.recs[n])
	y, _ := app.EncodeRecord(summary(got))
	if !bytes.Equal(x, y) {
		rep.Problem("record %s: the in-memory index holds another version", id)
	}
	eachValue(s.tax, got, func(f field, v string) {
		p, err := s.idx.lookup(mt, f, v)
		if err != nil || p == nil || !p.has(n) {
			rep.Problem("record %s is missing from the index of %s = %q", id, fieldNames[f], v)
		}
	})
}

// createAt is a create's record and address.
type createAt struct {
	Record app.RecordID
	ID     app.OpID
}

// checkCreatesFound checks that every create is found from its record: by
// a record-operation link, or named by the record's state (schema 3). One
// that is neither would never be folded again, and its text would be
// hidden.
func checkCreatesFound(txn *badger.Txn, creates []createAt, rep *app.CheckReport) error {
	for _, o := range creates {
		if _, err := txn.Get(recordOpKey(o.Record, o.ID.Device, o.ID.Seq)); err == nil {
			continue
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		named := false
		item, err := txn.Get(recordKey(o.Record))
		switch {
		case err == nil:
			if err := item.Value(func(v []byte) error {
				if n, err := namesOf(v); err == nil && n.Unlinked != nil {
					named = *n.Unlinked == o.ID
				}
				return nil
			}); err != nil {
				return err
			}
		case !errors.Is(err, badger.ErrKeyNotFound):
			return err
		}
		if !named {
			rep.Problem("operation %s creates record %s, but neither the record's state nor its operation index lists it", o.ID, o.Record)
		}
	}
	return nil
}

// checkAwaiting checks that the records with operations but no state are
// exactly those marked as awaiting their create, and that none of them has
// its create: Apply relies on those marks to tell a new record from one
// whose edits came first.
func checkAwaiting(txn *badger.Txn, rep *app.CheckReport) error {
	exists := func(k []byte) (bool, error) {
		_, err := txn.Get(k)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecordOp}})
	defer it.Close()
	var last app.RecordID
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) < 1+26 {
			rep.Problem("bad index key %x", k)
			continue
		}
		id := app.RecordID(k[1 : 1+26])
		if id == last {
			continue
		}
		last = id
		if ok, err := exists(recordKey(id)); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		ops, err := opsTxn(txn, id)
		if err != nil {
			rep.Problem("record %s: %v", id, err)
			continue
		}
		if app.Fold(ops) != nil {
			rep.Problem("record %s has its create among its %d operations but no stored state", id, len(ops))
		} else if ok, err := exists(awaitKey(id)); err != nil {
			return err
		} else if !ok {
			rep.Problem("record %s has %d operations and no state, and is not marked as awaiting its create", id, len(ops))
		}
	}
	aw := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixAwait}})
	defer aw.Close()
	for aw.Rewind(); aw.Valid(); aw.Next() {
		id := app.RecordID(aw.Item().Key()[1:])
		if ok, err := exists(recordKey(id)); err != nil {
			return err
		} else if ok {
			rep.Problem("record %s is marked as awaiting its create but it exists", id)
		}
	}
	return nil
}

// has reports whether record n is in the posting.
func (p *posting) has(n uint32) bool {
	if p.Bits != nil {
		return int(n/64) < len(p.Bits) && p.Bits[n/64]&(1<<(n%64)) != 0
	}
	for _, x := range p.Nums {
		if x == n {
			return true
		}
	}
	return false
}
