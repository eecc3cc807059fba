package app

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"runtime"
	"sort"
	"sync"
)

// ReplicaStore is what replication needs from storage beyond Store.
// Package storage implements it.
type ReplicaStore interface {
	// Vector returns what the store holds, device by device.
	Vector() (Vector, error)
	// EachOpAfter calls fn with the encoded operations of dev after
	// sequence number after, in order: at most limit, and at most maxBytes
	// unless the first alone is larger. enc is valid only during the call.
	// An error from fn stops it and is returned.
	EachOpAfter(dev DeviceID, after uint64, limit, maxBytes int, fn func(enc []byte) error) error
	// DeviceKey returns the public key dev announced, or NotFound.
	DeviceKey(dev DeviceID) (ed25519.PublicKey, error)
	// OpsChanged returns a channel closed the next time operations are
	// stored.
	OpsChanged() <-chan struct{}
	// SetWorkspace replaces the workspace's description; its id and secret
	// must stay.
	SetWorkspace(ws *Workspace) error
}

// encodedApplier is a Store that can take operations with the encodings
// they arrived in, sparing encoding them again.
type encodedApplier interface {
	ApplyEncoded(ops []*Op, enc [][]byte) error
}

// preparingApplier is an encodedApplier that can do part of storing a
// create ahead, without its lock: Decode calls PrepareCreate on the
// goroutines that decode a chunk, while the chunk before is being stored,
// and ReceiveDecoded hands the results to ApplyPrepared (prep[i] for
// ops[i], nil where nothing was prepared). What a store prepares must not
// depend on what it holds: ApplyPrepared uses it only where it fits.
type preparingApplier interface {
	encodedApplier
	PrepareCreate(o *Op) any
	ApplyPrepared(ops []*Op, enc [][]byte, prep []any) error
}

func (s *Service) replica() (ReplicaStore, error) {
	r, ok := s.store.(ReplicaStore)
	if !ok {
		return nil, &Error{Op: "sync", Msg: "this store cannot replicate"}
	}
	return r, nil
}

// Vector returns what this replica holds, device by device.
func (s *Service) Vector() (Vector, error) {
	r, err := s.replica()
	if err != nil {
		return nil, err
	}
	return r.Vector()
}

// OpsAfter returns encoded operations of dev after sequence after, for a
// peer that lacks them.
func (s *Service) OpsAfter(dev DeviceID, after uint64, limit, maxBytes int) ([][]byte, error) {
	r, err := s.replica()
	if err != nil {
		return nil, err
	}
	return opsAfter(r, dev, after, limit, maxBytes)
}

// opsAfter is r.EachOpAfter's operations, copied.
func opsAfter(r ReplicaStore, dev DeviceID, after uint64, limit, maxBytes int) ([][]byte, error) {
	var out [][]byte
	err := r.EachOpAfter(dev, after, limit, maxBytes, func(enc []byte) error {
		out = append(out, bytes.Clone(enc))
		return nil
	})
	return out, err
}

// EachOpAfter is OpsAfter that hands each operation to fn instead of
// copying it: enc is valid only during the call. A sender copies it once,
// into the message it is writing.
func (s *Service) EachOpAfter(dev DeviceID, after uint64, limit, maxBytes int, fn func(enc []byte) error) error {
	r, err := s.replica()
	if err != nil {
		return err
	}
	return r.EachOpAfter(dev, after, limit, maxBytes, fn)
}

// Receive checks operations that came from a peer and stores them. Each
// must be canonically encoded, belong to this workspace, have a known shape
// and values the taxonomy knows, and be vouched for by its device: the
// operations of a device must continue its hash chain from the one before
// them, which this replica must hold, and the last of them must carry a
// valid signature, against the key the device announced (earlier or in the
// same batch; a device announcement carries its key, whose hash is the
// device id). One bad operation rejects the
// whole batch with a Corrupt or Invalid error and nothing is stored: a peer
// that sends one is misbehaving. Operations already held are skipped.
// Receive returns how many operations were new.
func (s *Service) Receive(raw [][]byte) (int, error) {
	return s.ReceiveDecoded(s.Decode(raw))
}

// Decoded is a batch of operations from a peer, each decoded and checked
// on its own (Decode), ready for ReceiveDecoded.
type Decoded struct {
	raw    [][]byte
	ops    []*Op
	hashes [][]byte // HashOp of each raw, which the next operation's link names
	prep   []any    // what the store prepared of each create (preparingApplier)
	err    error
}

// Decode does the part of Receive that needs neither the service lock nor
// what the store holds: decoding each operation, checking its encoding,
// workspace, shape and values, and hashing it for the chain checks, on
// every core. Sync decodes the next chunk while the current one is being
// stored. An error is kept for ReceiveDecoded to return.
func (s *Service) Decode(raw [][]byte) *Decoded {
	const op = "receive"
	d := &Decoded{raw: raw}
	wsID := s.wsID.Load() // not Workspace(): mu is held while a batch is stored
	if wsID == nil {
		d.err = &Error{Op: op, Kind: NotInitialized, Msg: "no workspace here yet; create one with init"}
		return d
	}
	// A first sync brings up to two thousand operations per chunk.
	ops := make([]*Op, len(raw))
	hashes := make([][]byte, len(raw))
	errs := make([]error, len(raw))
	pa, _ := s.store.(preparingApplier)
	var prep []any
	if pa != nil {
		prep = make([]any, len(raw))
	}
	workers := min(runtime.NumCPU(), (len(raw)+63)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(raw); i += workers {
				o, err := DecodeOp(raw[i])
				switch {
				case err != nil:
					errs[i] = withOp(op, err)
				case o.Workspace != *wsID:
					errs[i] = &Error{Op: op, Kind: Foreign, Msg: fmt.Sprintf("operation %s belongs to workspace %s, not %s", o.ID(), o.Workspace, *wsID)}
				default:
					errs[i] = withOp(op, s.checkRemote(o))
					if errs[i] == nil && pa != nil && o.Type == OpCreate {
						prep[i] = pa.PrepareCreate(o)
					}
				}
				ops[i], hashes[i] = o, HashOp(raw[i])
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			d.err = err
			return d
		}
	}
	d.ops, d.hashes, d.prep = ops, hashes, prep
	return d
}

// IDs returns the addresses of the batch's operations, in order; nil when
// decoding failed.
func (d *Decoded) IDs() []OpID {
	if d.err != nil {
		return nil
	}
	ids := make([]OpID, len(d.ops))
	for i, o := range d.ops {
		ids[i] = o.ID()
	}
	return ids
}

// ReceiveDecoded is Receive for a batch Decode has prepared.
func (s *Service) ReceiveDecoded(d *Decoded) (int, error) {
	const op = "receive"
	if d.err != nil {
		return 0, d.err
	}
	r, err := s.replica()
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys, err := deviceKeys(r, d.ops)
	if err != nil {
		return 0, err
	}
	heads, err := chainHeads(r, d)
	if err != nil {
		return 0, err
	}
	if err := verifyAll(heads, keys); err != nil {
		return 0, withOp(op, err)
	}
	before, err := r.Vector()
	if err != nil {
		return 0, err
	}
	if err := s.storeReceived(d); err != nil {
		// A batch too large for one transaction is stored in parts: those
		// this call stored before the error count as received.
		if held, verr := r.Vector(); verr == nil {
			s.noteHeld(d, before, held)
		}
		return 0, withOp(op, err)
	}
	s.noteHeld(d, nil, nil)
	if err := s.adoptEpochLocked(); err != nil {
		return 0, withOp(op, err)
	}
	n := 0
	for _, o := range d.ops {
		if o.Seq > before[o.Device] {
			n++
		}
	}
	return n, nil
}

// deviceKeys returns the public key of every device with operations among
// ops: announced in ops, or as r holds it. Errors: Corrupt for a device
// that never announced itself.
func deviceKeys(r ReplicaStore, ops []*Op) (map[DeviceID]ed25519.PublicKey, error) {
	keys := map[DeviceID]ed25519.PublicKey{}
	for _, o := range ops {
		if o.Type == OpDevice {
			keys[o.Device] = o.PubKey
		}
	}
	for _, o := range ops {
		if _, ok := keys[o.Device]; ok {
			continue
		}
		k, err := r.DeviceKey(o.Device)
		if err != nil {
			if KindOf(err) == NotFound {
				return nil, &Error{Op: "receive", Kind: Corrupt, Msg: fmt.Sprintf("operation %s comes from a device that never announced itself", o.ID())}
			}
			return nil, err
		}
		keys[o.Device] = k
	}
	return keys, nil
}

// chainHeads checks that each device's operations in the batch continue
// its hash chain from the operation before them, which r holds, and
// returns the operations whose own signature must be checked: the last of
// each device's, which vouches for those it chains back to, and each one
// before an operation without a link (written before chains existed),
// which is vouched for by its own signature.
func chainHeads(r ReplicaStore, d *Decoded) ([]*Op, error) {
	ops := d.ops
	groups := map[DeviceID][]int{}
	var devices []DeviceID
	for i, o := range ops {
		if _, ok := groups[o.Device]; !ok {
			devices = append(devices, o.Device)
		}
		groups[o.Device] = append(groups[o.Device], i)
	}
	var heads []*Op
	for _, dev := range devices {
		idx := groups[dev]
		sort.Slice(idx, func(a, b int) bool { return ops[idx[a]].Seq < ops[idx[b]].Seq })
		if err := checkChain(r, d, idx); err != nil {
			return nil, err
		}
		heads = append(heads, ops[idx[len(idx)-1]])
		for k := len(idx) - 1; k > 0; k-- {
			if ops[idx[k]].Prev == nil {
				heads = append(heads, ops[idx[k-1]])
			}
		}
	}
	return heads, nil
}

// checkChain checks one device's operations in d, d.ops[idx[0]],
// d.ops[idx[1]] and so on in sequence order: consecutive, each following
// the one before by hash, the first following the operation r holds before
// it.
func checkChain(r ReplicaStore, d *Decoded, idx []int) error {
	const op = "receive"
	ops := d.ops
	for k := 1; k < len(idx); k++ {
		cur, prev := ops[idx[k]], ops[idx[k-1]]
		if cur.Seq != prev.Seq+1 {
			return &Error{Op: op, Kind: Corrupt, Msg: fmt.Sprintf("operations %s and %s of one device are not consecutive", prev.ID(), cur.ID())}
		}
		if cur.Prev != nil && !bytes.Equal(cur.Prev, d.hashes[idx[k-1]]) {
			return &Error{Op: op, Kind: Corrupt, Msg: fmt.Sprintf("operation %s does not follow %s: the chain is broken", cur.ID(), prev.ID())}
		}
	}
	first := ops[idx[0]]
	if first.Prev == nil {
		return nil
	}
	held, err := opsAfter(r, first.Device, first.Seq-2, 1, 1)
	if err != nil {
		return err
	}
	var before *Op
	if len(held) == 1 {
		if before, err = DecodeOp(held[0]); err != nil {
			return err
		}
	}
	if before == nil || before.Seq != first.Seq-1 {
		return &Error{Op: op, Kind: Corrupt, Msg: fmt.Sprintf("operation %s arrives before operation %d of its device", first.ID(), first.Seq-1)}
	}
	if !bytes.Equal(first.Prev, HashOp(held[0])) {
		return &Error{Op: op, Kind: Corrupt, Msg: fmt.Sprintf("operation %s does not follow %s: the chain is broken", first.ID(), before.ID())}
	}
	return nil
}

// storeReceived stores the checked batch d in the most direct way the
// store offers: with what Decode prepared, with the bytes received
// (DecodeOp checked they are canonical), or encoded again.
func (s *Service) storeReceived(d *Decoded) error {
	if pa, ok := s.store.(preparingApplier); ok && d.prep != nil {
		return pa.ApplyPrepared(d.ops, d.raw, d.prep)
	}
	if ea, ok := s.store.(encodedApplier); ok {
		return ea.ApplyEncoded(d.ops, d.raw)
	}
	return s.store.Apply(d.ops)
}

// noteHeld brings the clock and this device's chain up to the operations of
// d that are stored: all of them when held is nil, else those above before
// and within held (what this call stored). Operations of this device can
// come back (from a peer, after restoring an older backup); the next local
// operation then follows the last of them, or every peer would refuse it
// as breaking the chain.
func (s *Service) noteHeld(d *Decoded, before, held Vector) {
	for i, o := range d.ops {
		if held != nil && (o.Seq <= before[o.Device] || o.Seq > held[o.Device]) {
			continue
		}
		s.clock.Observe(o.HLC)
		if o.Device == s.id.Device && o.Seq > s.seq {
			s.seq, s.prev = o.Seq, d.hashes[i]
		}
	}
}

// checkRemote checks the values an operation from a peer sets; o comes
// from DecodeOp, which has checked its texts are valid UTF-8.
func (s *Service) checkRemote(o *Op) error {
	if o.Patch == nil {
		return nil
	}
	p := *o.Patch
	if p.Status != nil {
		if _, err := ParseStatus(string(*p.Status)); err != nil {
			return err
		}
		p.Status = nil // which statuses fit depends on a kind we may not know yet
	}
	return s.tax.validatePatch(o.Kind, &p, true) // no kind for an update
}

// verifyAll checks the signatures of ops, in parallel: one verification
// costs about 90 µs.
func verifyAll(ops []*Op, keys map[DeviceID]ed25519.PublicKey) error {
	workers := runtime.NumCPU()
	if len(ops) < 64 {
		workers = 1
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(ops); i += workers {
				o := ops[i]
				if err := o.Verify(keys[o.Device]); err != nil {
					errs[w] = err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// OpsChanged returns a channel closed the next time operations are stored
// here, written on this laptop or received from a peer: the signal to push
// them to connected peers.
func (s *Service) OpsChanged() <-chan struct{} {
	r, err := s.replica()
	if err != nil {
		return nil
	}
	return r.OpsChanged()
}

// Join makes an empty data directory a member of an existing workspace,
// known by its id and secret (from an invitation code). The title is
// learnt from the first peer. Errors: Exist when this directory already
// holds a workspace.
func (s *Service) Join(id WorkspaceID, secret []byte, title string) (*Workspace, error) {
	if !ValidID(string(id)) || len(secret) < joinKeySize {
		return nil, &Error{Op: "join", Kind: Invalid, Msg: "the invitation does not hold a workspace id and a secret of at least 128 bits"}
	}
	if title == "" {
		title = "(joining " + string(id) + ")"
	}
	ws := &Workspace{ID: id, Title: title, Secret: secret}
	return ws, s.initWith(ws)
}

// SetWorkspaceTitle records the workspace's title, as learnt from a peer.
func (s *Service) SetWorkspaceTitle(title string) error {
	r, err := s.replica()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws == nil {
		return &Error{Op: "workspace", Kind: NotInitialized, Msg: "no workspace yet"}
	}
	ws := *s.ws
	ws.Title = title
	if err := r.SetWorkspace(&ws); err != nil {
		return err
	}
	s.ws = &ws
	return nil
}
