package app

// Join keys and their epochs: removing a member (or a laptop) replaces
// the workspace's join key, so that a removed laptop, which cannot be
// made to forget the old one, cannot make itself a new laptop identity
// with it either. The new key travels in the removal itself, sealed to
// each laptop that stays: to the X25519 key that laptop's Ed25519 key
// converts to, with NaCl's anonymous box (golang.org/x/crypto/nacl/box).
// A laptop that finds a key sealed to it in a removal that applies takes
// it, and keeps the old ones to let in laptops that have not heard yet
// (sync/transport), if they prove who they are.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"

	"github.com/cartagena-c40/consulta/app/roles"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"
)

// p25519 is the prime of Curve25519's field.
var p25519 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// x25519Public converts an Ed25519 public key to the X25519 one of the
// same secret: the Montgomery u = (1+y)/(1−y) of the Edwards point.
func x25519Public(pub ed25519.PublicKey) (*[32]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("bad public key")
	}
	le := slices.Clone(pub)
	le[31] &= 0x7f
	slices.Reverse(le)
	y := new(big.Int).SetBytes(le)
	one := big.NewInt(1)
	den := new(big.Int).Mod(new(big.Int).Sub(one, y), p25519)
	if den.Sign() == 0 {
		return nil, fmt.Errorf("bad public key")
	}
	u := new(big.Int).Mul(new(big.Int).Add(one, y), new(big.Int).ModInverse(den, p25519))
	u.Mod(u, p25519)
	b := u.FillBytes(make([]byte, 32))
	slices.Reverse(b)
	var out [32]byte
	copy(out[:], b)
	return &out, nil
}

// x25519Private is the X25519 private key of an Ed25519 one: its hashed
// and clamped seed, as Ed25519 signs with.
func x25519Private(key ed25519.PrivateKey) (*[32]byte, *[32]byte, error) {
	h := sha512.Sum512(key.Seed())
	var priv [32]byte
	copy(priv[:], h[:32])
	priv[0] &= 248
	priv[31] &= 127
	priv[31] |= 64
	pubB, err := curve25519.X25519(priv[:], curve25519.Basepoint)
	if err != nil {
		return nil, nil, err
	}
	var pub [32]byte
	copy(pub[:], pubB)
	return &pub, &priv, nil
}

// sealKey seals secret to the laptops staying, by their public keys.
func sealKey(secret []byte, staying map[DeviceID]ed25519.PublicKey) ([]SealedKey, error) {
	var out []SealedKey
	for dev, pub := range staying {
		x, err := x25519Public(pub)
		if err != nil {
			return nil, fmt.Errorf("laptop %s: %w", dev, err)
		}
		b, err := box.SealAnonymous(nil, secret, x, rand.Reader)
		if err != nil {
			return nil, err
		}
		out = append(out, SealedKey{Device: dev, Box: b})
	}
	slices.SortFunc(out, func(a, b SealedKey) int { return compareOpID(OpID{Device: a.Device}, OpID{Device: b.Device}) })
	return out, nil
}

// openKey opens the key sealed to this laptop (key) among keys.
func openKey(keys []SealedKey, dev DeviceID, key ed25519.PrivateKey) ([]byte, bool) {
	i := slices.IndexFunc(keys, func(k SealedKey) bool { return k.Device == dev })
	if i < 0 {
		return nil, false
	}
	pub, priv, err := x25519Private(key)
	if err != nil {
		return nil, false
	}
	return box.OpenAnonymous(nil, keys[i].Box, pub, priv)
}

// adoptEpoch takes the join key of the newest epoch, if this laptop can
// open it, when it is not the one it holds. Removals made at once (one
// epoch, several removals, each with its own key) make one key together,
// a hash of all of theirs: a laptop removed by any of them cannot open
// that one's box, so it cannot make the key. Called after operations are
// stored.
func (s *Service) adoptEpoch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.adoptEpochLocked()
}

func (s *Service) adoptEpochLocked() error {
	a := s.store.Authority()
	if a.Open() || s.ws == nil || s.id == nil {
		return nil
	}
	epoch, removals := newestEpoch(a)
	if epoch == 0 || epoch < s.ws.Epoch {
		return nil
	}
	ids := make([]OpID, len(removals))
	for i, o := range removals {
		ids[i] = o.ID()
	}
	if epoch == s.ws.Epoch && slices.Equal(ids, s.ws.EpochOps) {
		return nil
	}
	var keys [][]byte
	for _, o := range removals {
		k, ok := openKey(o.Role.Keys, s.id.Device, s.id.Key)
		if !ok { // not sealed to this laptop: removed, or joined after
			return s.joinedAfterLocked(a, epoch, ids)
		}
		keys = append(keys, k)
	}
	secret := keys[0]
	if len(keys) > 1 {
		h := sha256.New()
		h.Write([]byte("consulta epoch key v1\x00"))
		for _, k := range keys {
			h.Write(k)
		}
		secret = h.Sum(nil)
	}
	ws := *s.ws
	ws.Past = append(slices.Clone(ws.Past), ws.Secret)
	ws.Secret, ws.Epoch, ws.EpochOps = secret, epoch, ids
	return s.takeEpochLocked(a, ws)
}

// takeEpochLocked keeps ws, at its new epoch, with the join keys before
// those it holds that the removals open (earlierKeys).
func (s *Service) takeEpochLocked(a *Authority, ws Workspace) error {
	ws.Past = append(earlierKeys(a, &ws, ws.Epoch), ws.Past...)
	r, err := s.replica()
	if err != nil {
		return err
	}
	if err := r.SetWorkspace(&ws); err != nil {
		return err
	}
	s.ws = &ws
	return nil
}

// joinedAfterLocked recognises a laptop that joined after the removal of
// epoch (ids): its join key is that epoch's, the one that opens the
// removal's Prev. It then takes the epoch, and the keys before it
// (earlierKeys). A removed laptop's key opens nothing; removals made at
// once (several in one epoch) each sealed the key before with their own,
// which no laptop holds alone.
func (s *Service) joinedAfterLocked(a *Authority, epoch uint64, ids []OpID) error {
	rs := removalsOf(a, epoch)
	if len(rs) != 1 {
		return nil
	}
	if _, ok := openPrev(rs[0].Role.Prev, s.ws.Secret, s.ws.ID, epoch); !ok {
		return nil // removed, or a key from before the removal
	}
	ws := *s.ws
	ws.Epoch, ws.EpochOps = epoch, ids
	return s.takeEpochLocked(a, ws)
}

// earlierKeys returns the join keys before those ws holds that the
// removals up to epoch open, oldest first: walking back, each removal's
// Prev opens with the key of its epoch, held or found at the step before.
// A laptop that joined after removals, or that joined at one epoch and
// took the next from its box, so learns every key before its own.
func earlierKeys(a *Authority, ws *Workspace, epoch uint64) [][]byte {
	held := append(slices.Clone(ws.Past), ws.Secret)
	var found [][]byte // newest first
	for e := epoch; e > 0; e-- {
		rs := removalsOf(a, e)
		if len(rs) != 1 {
			continue
		}
		for _, k := range held {
			prev, ok := openPrev(rs[0].Role.Prev, k, ws.ID, e)
			if !ok {
				continue
			}
			if !slices.ContainsFunc(held, func(h []byte) bool { return sameJoinKey(h, prev) }) {
				held, found = append(held, prev), append(found, prev)
			}
			break
		}
	}
	slices.Reverse(found)
	return found
}

// sameJoinKey reports whether two secrets are one join key: invitations
// carry only the first joinKeySize bytes.
func sameJoinKey(a, b []byte) bool {
	return len(a) >= joinKeySize && len(b) >= joinKeySize && bytes.Equal(a[:joinKeySize], b[:joinKeySize])
}

// newestEpoch is the highest epoch removals that apply start, and those
// removals, in id order.
func newestEpoch(a *Authority) (uint64, []*Op) {
	var epoch uint64
	for _, o := range a.ops {
		if applies(a, o) {
			epoch = max(epoch, o.Role.Epoch)
		}
	}
	if epoch == 0 {
		return 0, nil
	}
	return epoch, removalsOf(a, epoch)
}

// removalsOf returns the removals that apply and start epoch, in id
// order.
func removalsOf(a *Authority, epoch uint64) []*Op {
	var out []*Op
	for _, o := range a.ops {
		if o.Role.Epoch == epoch && applies(a, o) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(x, y *Op) int { return compareOpID(x.ID(), y.ID()) })
	return out
}

func applies(a *Authority, o *Op) bool {
	d, _ := a.log.Outcome(roles.EventID{Device: string(o.Device), Seq: o.Seq})
	return d.OK
}

// joinKeySize is how many bytes of a join key an invitation carries
// (sync/transport.JoinKeySize): every member holds at least those.
const joinKeySize = 16

// prevLabel starts what the key that seals a removal's previous join key
// is hashed from.
const prevLabel = "consulta previous join key v1\x00"

// A previous join key is 16 to 64 bytes (an invitation's 16, or a whole
// 32-byte secret).
const maxJoinKey = 64

// prevKey is the secretbox key that secret, the join key of epoch in
// workspace ws, seals the one before it with: a hash of the label, the
// workspace, the epoch and the key's first joinKeySize bytes (all that a
// laptop joining with an invitation holds).
func prevKey(secret []byte, ws WorkspaceID, epoch uint64) *[32]byte {
	h := sha256.New()
	h.Write([]byte(prevLabel))
	h.Write([]byte(ws))
	h.Write([]byte{0})
	h.Write(binary.BigEndian.AppendUint64(nil, epoch))
	h.Write(secret[:joinKeySize])
	k := [32]byte(h.Sum(nil))
	return &k
}

// sealPrev seals prev, the join key the removal starting epoch replaces,
// with secret, the new one: nonce, then NaCl secretbox.
func sealPrev(secret, prev []byte, ws WorkspaceID, epoch uint64) ([]byte, error) {
	if len(secret) < joinKeySize || len(prev) < joinKeySize || len(prev) > maxJoinKey {
		return nil, fmt.Errorf("a join key of %d bytes", len(prev))
	}
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	return secretbox.Seal(nonce[:], prev, &nonce, prevKey(secret, ws, epoch)), nil
}

// openPrev opens what sealPrev sealed, if secret is the key it was sealed
// with for ws and epoch, and it holds a join key.
func openPrev(sealed, secret []byte, ws WorkspaceID, epoch uint64) ([]byte, bool) {
	if len(sealed) < 24+secretbox.Overhead || len(secret) < joinKeySize {
		return nil, false
	}
	prev, ok := secretbox.Open(nil, sealed[24:], (*[24]byte)(sealed[:24]), prevKey(secret, ws, epoch))
	if !ok || len(prev) < joinKeySize || len(prev) > maxJoinKey {
		return nil, false
	}
	return prev, true
}

// deviceProofLabel starts what a laptop signs to prove, on a channel, that
// it is the laptop it names.
const deviceProofLabel = "consulta device v1\x00"

// ProveDevice signs channel (a connection's keying material) with this
// laptop's key: the proof, sent to a peer, that it is this laptop.
func (s *Service) ProveDevice(channel []byte) []byte {
	id := s.ident.Load()
	if id == nil {
		return make([]byte, ed25519.SignatureSize)
	}
	return ed25519.Sign(id.Key, append(append([]byte(deviceProofLabel), channel...), id.Device...))
}

// CheckDevice checks the proof sig that laptop dev is at the other end of
// channel: known is false for a laptop not announced here (nothing to
// check it against), ok whether the proof holds.
func (s *Service) CheckDevice(dev DeviceID, channel, sig []byte) (known, ok bool) {
	r, err := s.replica()
	if err != nil {
		return false, false
	}
	pub, err := r.DeviceKey(dev)
	if err != nil {
		return false, false
	}
	return true, ed25519.Verify(pub, append(append([]byte(deviceProofLabel), channel...), dev...), sig)
}

// LaptopRemoved reports whether laptop dev, or its member, was removed.
func (s *Service) LaptopRemoved(dev DeviceID) bool {
	a := s.store.Authority()
	return !a.Open() && a.Log().Removed(string(dev))
}
