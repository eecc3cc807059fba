package app

// Roles as operations (docs/ROLES.md): an OpRole grants, revokes,
// removes, links a laptop to its member or founds the workspace; every
// other operation names the role operations its author had seen (Auth).
// The rules that decide them are app/roles; this file turns operations
// into what those rules read, and says what each operation does as far as
// permission goes.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/oklog/ulid/v2"
	"golang.org/x/crypto/nacl/secretbox"

	"github.com/cartagena-c40/consulta/app/roles"
)

// RoleFound founds a workspace from before roles, or names the founder's
// co-founders in one founded by this build.
const RoleFound roles.Kind = "found"

// roleKinds are the role changes an OpRole may carry.
var roleKinds = []roles.Kind{roles.KindGrant, roles.KindRevoke, roles.KindRemove, roles.KindLink, roles.KindClaim, RoleFound}

// RoleChange is what an OpRole does.
type RoleChange struct {
	Kind   roles.Kind `cbor:"1,keyasint"`
	Member string     `cbor:"2,keyasint,omitempty"`
	Role   roles.Role `cbor:"3,keyasint,omitempty"`
	Device DeviceID   `cbor:"4,keyasint,omitempty"`
	// Seen is its author's version vector when it signed, by device: the
	// causal past the rules judge it by.
	Seen     []OpID   `cbor:"5,keyasint,omitempty"`
	Founders []string `cbor:"6,keyasint,omitempty"` // RoleFound: co-founders
	// A removal's new join key, sealed to each laptop that stays
	// (epoch.go), and the epoch it starts.
	Keys  []SealedKey `cbor:"7,keyasint,omitempty"`
	Epoch uint64      `cbor:"8,keyasint,omitempty"`
	// SeenHash holds, for each entry of Seen, the hash (HashOp) of the
	// operation it names: a past can only name operations that exist, so
	// no vector can claim a future (storage checks them as they arrive).
	SeenHash [][]byte `cbor:"9,keyasint,omitempty"`
	// Prev is, in a removal, the join key before it sealed with the new
	// one (epoch.go, sealPrev): a laptop joining later holds only the new
	// key, and opens with it, removal by removal, the keys what was
	// sealed before (on a relay, in a bundle) needs.
	Prev []byte `cbor:"10,keyasint,omitempty"`
}

// SealedKey is a join key sealed to one laptop.
type SealedKey struct {
	_      struct{} `cbor:",toarray"`
	Device DeviceID
	Box    []byte
}

// check says what is wrong with c as the role change of o, or "".
func (c *RoleChange) check(o *Op) string {
	switch {
	case c == nil:
		return "a role operation without its change"
	case o.Record != "":
		return "a role operation names a record"
	case !slices.Contains(roleKinds, c.Kind):
		return "unknown role change " + string(c.Kind)
	case (c.Kind == roles.KindGrant || c.Kind == roles.KindRevoke) && (c.Member == "" || !c.Role.Valid()):
		return "a grant or revocation names a member and a role"
	case c.Kind == roles.KindRemove && (c.Member == "") == (c.Device == ""):
		return "a removal names a member or a laptop"
	case (c.Kind == roles.KindLink || c.Kind == roles.KindClaim) && (c.Member == "" || len(c.Device) != 16):
		return "a link names a member and a laptop"
	case c.Kind != RoleFound && len(c.Founders) > 0:
		return "only a founding names founders"
	case c.Kind != roles.KindRemove && (len(c.Keys) > 0 || c.Epoch != 0 || len(c.Prev) > 0):
		return "only a removal carries a new join key"
	case len(c.Keys) > 0 && c.Epoch == 0:
		return "a new join key starts an epoch"
	case len(c.Prev) > 0 && (len(c.Keys) == 0 || len(c.Prev) < 24+secretbox.Overhead+joinKeySize || len(c.Prev) > 24+secretbox.Overhead+maxJoinKey):
		return "a removal's previous join key comes with a new one"
	case len(c.Member) > 64 || slices.ContainsFunc(c.Founders, func(f string) bool { return f == "" || len(f) > 64 }):
		return "a member's id is too long"
	}
	if len(c.SeenHash) != len(c.Seen) || slices.ContainsFunc(c.SeenHash, func(h []byte) bool { return len(h) != sha256.Size }) {
		return "a role operation's past names operations without their hashes"
	}
	own := uint64(0)
	for i, s := range c.Seen {
		if s.Seq == 0 || (i > 0 && c.Seen[i-1].Device >= s.Device) {
			return "a role operation's past is not a version vector"
		}
		if s.Device == o.Device {
			own = s.Seq
		}
	}
	if own != o.Seq-1 {
		return "a role operation's past does not follow its laptop's own"
	}
	return ""
}

// roleChange reads an OpRole's change.
func (d *cborIn) roleChange() *RoleChange {
	c := &RoleChange{}
	n := d.count(majorMap, maxOpFields)
	last := uint64(0)
	for range n {
		key := d.key(&last)
		switch key {
		case 1:
			c.Kind = roles.Kind(d.text())
		case 2:
			c.Member = d.text()
		case 3:
			c.Role = roles.Role(d.text())
		case 4:
			c.Device = DeviceID(d.text())
		case 5:
			c.Seen = d.opIDs()
		case 6:
			c.Founders = texts[string](d)
		case 7:
			c.Keys = d.sealedKeys()
		case 8:
			c.Epoch = d.uint()
		case 9:
			c.SeenHash = d.byteStrings()
		case 10:
			c.Prev = d.bytes()
		default:
			d.unknown(key)
		}
		if d.err != nil {
			return nil
		}
	}
	return c
}

// byteStrings reads an array of byte strings.
func (d *cborIn) byteStrings() [][]byte {
	n := d.count(majorArray, maxArray)
	if d.err != nil {
		return nil
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = d.bytes()
	}
	return out
}

// sealedKeys reads a removal's sealed keys.
func (d *cborIn) sealedKeys() []SealedKey {
	n := d.count(majorArray, maxArray)
	if d.err != nil {
		return nil
	}
	out := make([]SealedKey, n)
	for i := range out {
		if d.count(majorArray, 2) != 2 && d.err == nil {
			d.fail("a sealed key is two items")
		}
		out[i] = SealedKey{Device: DeviceID(d.text()), Box: d.bytes()}
	}
	return out
}

// NeedsRoles reports whether the encoded operation enc is one builds
// without roles cannot read: a role operation, or one naming role
// operations. (False for bytes that do not decode.)
func NeedsRoles(enc []byte) bool {
	o, err := decodeOp(enc)
	return err == nil && (o.Type == OpRole || len(o.Auth) > 0)
}

// founderTag marks a workspace id that names its founder.
var founderTag = []byte("consulta founder v1")

// FoundedWorkspaceID is the id of a workspace founded at t by laptop
// founder: a ULID whose random part is the first seven bytes of the
// laptop's id and three bytes that mark it so. Every laptop that holds the
// id knows who founded it without asking anyone; an id made another way
// (before roles) names nobody.
func FoundedWorkspaceID(t time.Time, founder DeviceID) (WorkspaceID, error) {
	dev, err := hex.DecodeString(string(founder))
	if err != nil || len(dev) != 8 {
		return "", fmt.Errorf("bad laptop id %q", founder)
	}
	var entropy [10]byte
	copy(entropy[:7], dev[:7])
	h := sha256.Sum256(append(slices.Clone(founderTag), dev[:7]...))
	copy(entropy[7:], h[:3])
	u, err := ulid.New(ulid.Timestamp(t), bytes.NewReader(entropy[:]))
	if err != nil {
		return "", err
	}
	return WorkspaceID(u.String()), nil
}

// founderPrefix is the start of the founding laptop's id that workspace
// id names, if it names one.
func founderPrefix(id WorkspaceID) (string, bool) {
	u, err := ulid.ParseStrict(string(id))
	if err != nil {
		return "", false
	}
	e := u.Entropy()
	h := sha256.Sum256(append(slices.Clone(founderTag), e[:7]...))
	if !bytes.Equal(e[7:], h[:3]) {
		return "", false
	}
	return hex.EncodeToString(e[:7]), true
}

// recordTag marks a record id that names the laptop that created it.
var recordTag = []byte("consulta record v1")

// RecordIDFor is a new record's id made by laptop dev at t: a ULID whose
// random part is two bytes that mark it so, the first five bytes of the
// laptop's id, and n, a count this laptop keeps, so that ids made in the
// same millisecond differ. The rules then know whose record it is from
// its id: another laptop's create of it does not apply (authority.go), so
// nobody takes a record over by creating it again with an earlier clock.
func RecordIDFor(t time.Time, dev DeviceID, n uint32) RecordID {
	b, err := hex.DecodeString(string(dev))
	if err != nil || len(b) != 8 {
		return RecordID(NewID(t))
	}
	var entropy [10]byte
	h := sha256.Sum256(append(slices.Clone(recordTag), b[:5]...))
	copy(entropy[:2], h[:2])
	copy(entropy[2:7], b[:5])
	entropy[7], entropy[8], entropy[9] = byte(n>>16), byte(n>>8), byte(n)
	u, err := ulid.New(ulid.Timestamp(t), bytes.NewReader(entropy[:]))
	if err != nil {
		return RecordID(NewID(t))
	}
	return RecordID(u.String())
}

// creatorPrefix is the start of the id of the laptop that record id names
// as its creator, if it names one.
func creatorPrefix(id RecordID) (string, bool) {
	u, err := ulid.ParseStrict(string(id))
	if err != nil {
		return "", false
	}
	e := u.Entropy()
	h := sha256.Sum256(append(slices.Clone(recordTag), e[2:7]...))
	if !bytes.Equal(e[:2], h[:2]) {
		return "", false
	}
	return hex.EncodeToString(e[2:7]), true
}
