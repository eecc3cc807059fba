package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// OpType says what an operation does.
type OpType string

// The operation types.
const (
	// OpDevice announces a device: its public key and a name. It is the
	// first operation (seq 1) of every device and concerns no record.
	OpDevice OpType = "device"
	// OpCreate creates a record of a kind with initial fields.
	OpCreate OpType = "create"
	// OpUpdate changes some fields of a record.
	OpUpdate OpType = "update"
	// OpWithdraw withdraws a record. It stays, with status withdrawn.
	OpWithdraw OpType = "withdraw"
	// OpRole changes who may do what (roleops.go): it concerns no record.
	OpRole OpType = "role"
)

// OpID addresses an operation: the device that authored it and its
// sequence number on that device, starting at 1 with no gaps.
type OpID struct {
	_      struct{} `cbor:",toarray"`
	Device DeviceID
	Seq    uint64
}

func (id OpID) String() string { return fmt.Sprintf("%s/%d", id.Device, id.Seq) }

// IsZero reports whether id addresses nothing.
func (id OpID) IsZero() bool { return id.Device == "" && id.Seq == 0 }

// Patch is a change to a record's fields. A nil scalar is left unchanged; set
// fields change by additions and removals so that concurrent changes to a
// set compose instead of overwriting each other.
type Patch struct {
	Title       *string          `cbor:"1,keyasint,omitempty" json:"title,omitempty"`
	Body        *string          `cbor:"2,keyasint,omitempty" json:"body,omitempty"`
	Lang        *Lang            `cbor:"3,keyasint,omitempty" json:"lang,omitempty"`
	Meeting     *RecordID        `cbor:"4,keyasint,omitempty" json:"meeting,omitempty"`
	SubRegion   *SubRegion       `cbor:"5,keyasint,omitempty" json:"subregion,omitempty"`
	Country     *CountryCode     `cbor:"6,keyasint,omitempty" json:"country,omitempty"`
	Stakeholder *StakeholderCode `cbor:"7,keyasint,omitempty" json:"stakeholder,omitempty"`
	Status      *Status          `cbor:"8,keyasint,omitempty" json:"status,omitempty"`
	Author      *string          `cbor:"9,keyasint,omitempty" json:"author,omitempty"`
	Org         *string          `cbor:"10,keyasint,omitempty" json:"org,omitempty"`
	Venue       *string          `cbor:"11,keyasint,omitempty" json:"venue,omitempty"`
	Date        *string          `cbor:"12,keyasint,omitempty" json:"date,omitempty"`
	ReplyTo     *RecordID        `cbor:"13,keyasint,omitempty" json:"replies_to,omitempty"`
	Sensitive   *bool            `cbor:"14,keyasint,omitempty" json:"sensitive,omitempty"`
	AddThemes   []ThemeCode      `cbor:"20,keyasint,omitempty" json:"add_themes,omitempty"`
	DelThemes   []ThemeCode      `cbor:"21,keyasint,omitempty" json:"remove_themes,omitempty"`
	AddPops     []PopulationCode `cbor:"22,keyasint,omitempty" json:"add_populations,omitempty"`
	DelPops     []PopulationCode `cbor:"23,keyasint,omitempty" json:"remove_populations,omitempty"`
	AddTags     []TagCode        `cbor:"24,keyasint,omitempty" json:"add_tags,omitempty"`
	DelTags     []TagCode        `cbor:"25,keyasint,omitempty" json:"remove_tags,omitempty"`
	AddSources  []RecordID       `cbor:"26,keyasint,omitempty" json:"add_sources,omitempty"`
	DelSources  []RecordID       `cbor:"27,keyasint,omitempty" json:"remove_sources,omitempty"`
	AddMerged   []RecordID       `cbor:"28,keyasint,omitempty" json:"add_merged_into,omitempty"`
	DelMerged   []RecordID       `cbor:"29,keyasint,omitempty" json:"remove_merged_into,omitempty"`
	AddContribs []string         `cbor:"30,keyasint,omitempty" json:"add_contributors,omitempty"`
	DelContribs []string         `cbor:"31,keyasint,omitempty" json:"remove_contributors,omitempty"`
	AddSupport  []string         `cbor:"32,keyasint,omitempty" json:"add_supporters,omitempty"`
	DelSupport  []string         `cbor:"33,keyasint,omitempty" json:"remove_supporters,omitempty"`

	// Drafting (drafting.go).
	Position  *string    `cbor:"15,keyasint,omitempty" json:"position,omitempty"`
	Action    *Action    `cbor:"16,keyasint,omitempty" json:"action,omitempty"`
	After     *RecordID  `cbor:"17,keyasint,omitempty" json:"after,omitempty"`
	Rationale *string    `cbor:"18,keyasint,omitempty" json:"rationale,omitempty"`
	Part      *Part      `cbor:"19,keyasint,omitempty" json:"part,omitempty"`
	AltOf     *RecordID  `cbor:"34,keyasint,omitempty" json:"alt_of,omitempty"`
	Numbering *Numbering `cbor:"35,keyasint,omitempty" json:"numbering,omitempty"`
	DocKind   *DocKind   `cbor:"36,keyasint,omitempty" json:"doc_kind,omitempty"`
	Base      *uint64    `cbor:"37,keyasint,omitempty" json:"base,omitempty"`
	Rev       *uint64    `cbor:"38,keyasint,omitempty" json:"rev,omitempty"`
	Level     *uint64    `cbor:"39,keyasint,omitempty" json:"level,omitempty"`
	AddOppose []string   `cbor:"40,keyasint,omitempty" json:"add_opposers,omitempty"`
	DelOppose []string   `cbor:"41,keyasint,omitempty" json:"remove_opposers,omitempty"`
}

// IsEmpty reports whether p changes nothing.
func (p *Patch) IsEmpty() bool {
	if p == nil {
		return true
	}
	return p.Title == nil && p.Body == nil && p.Lang == nil && p.Meeting == nil &&
		p.SubRegion == nil && p.Country == nil && p.Stakeholder == nil && p.Status == nil &&
		p.Author == nil && p.Org == nil && p.Venue == nil && p.Date == nil && p.ReplyTo == nil && p.Sensitive == nil &&
		len(p.AddThemes)+len(p.DelThemes)+len(p.AddPops)+len(p.DelPops)+len(p.AddTags)+
			len(p.DelTags)+len(p.AddSources)+len(p.DelSources)+len(p.AddMerged)+len(p.DelMerged)+
			len(p.AddContribs)+len(p.DelContribs)+len(p.AddSupport)+len(p.DelSupport) == 0 &&
		!hasDraftingFields(p)
}

// Op is one immutable change. Ops are addressed by (Device, Seq), ordered by
// (HLC, Device, Seq), signed by their device's Ed25519 key and encoded as
// deterministic CBOR (RFC 8949 core deterministic encoding) so that every
// replica stores and verifies the same bytes.
//
// Why CBOR: it is a compact, self-describing binary format with a standard
// deterministic profile, which fxamacker/cbor implements along with decoding
// limits for untrusted input; JSON has no canonical form for signatures and
// protobuf's encoding is not guaranteed deterministic across implementations.
type Op struct {
	Workspace WorkspaceID `cbor:"1,keyasint"`
	Device    DeviceID    `cbor:"2,keyasint"`
	Seq       uint64      `cbor:"3,keyasint"`
	HLC       HLC         `cbor:"4,keyasint"`
	Type      OpType      `cbor:"5,keyasint"`
	Record    RecordID    `cbor:"6,keyasint,omitempty"`
	Kind      Kind        `cbor:"7,keyasint,omitempty"` // OpCreate only
	Patch     *Patch      `cbor:"8,keyasint,omitempty"`
	// Base lists the versions of the record the author saw when making an
	// update, so that concurrent text edits can later be merged from their
	// common ancestor.
	Base   []OpID `cbor:"9,keyasint,omitempty"`
	PubKey []byte `cbor:"10,keyasint,omitempty"` // OpDevice only
	Name   string `cbor:"11,keyasint,omitempty"` // OpDevice only: the device's name
	// Prev is the SHA-256 of the canonical encoding of the same device's
	// previous operation (nil for seq 1). The operations of a device form a
	// hash chain, so one valid signature vouches for every operation
	// before it: a receiver checks the chain and one signature per chunk
	// instead of one signature per operation (about 90 µs each).
	Prev []byte `cbor:"12,keyasint,omitempty"`
	// Auth names the role operations its author had seen (the heads of
	// the role log then), against which it is judged (roleops.go); empty
	// in a workspace without roles.
	Auth []OpID      `cbor:"13,keyasint,omitempty"`
	Role *RoleChange `cbor:"14,keyasint,omitempty"` // OpRole only
	Sig  []byte      `cbor:"15,keyasint,omitempty"`
}

// HashOp is the chain hash of an encoded operation: what the next operation
// of the same device carries as Prev.
func HashOp(encoded []byte) []byte {
	h := sha256.Sum256(encoded)
	return h[:]
}

// ID returns the operation's address.
func (o *Op) ID() OpID { return OpID{Device: o.Device, Seq: o.Seq} }

// Before reports whether o sorts before p in the total order every replica
// applies operations in: by HLC, then device, then sequence.
func (o *Op) Before(p *Op) bool {
	if o.HLC != p.HLC {
		return o.HLC < p.HLC
	}
	if o.Device != p.Device {
		return o.Device < p.Device
	}
	return o.Seq < p.Seq
}

var (
	encMode  cbor.UserBufferEncMode
	decMode  cbor.DecMode
	peekMode cbor.DecMode // decMode without refusing unknown fields
)

func init() {
	var err error
	encMode, err = cbor.CoreDetEncOptions().UserBufferEncMode()
	if err != nil {
		panic(err)
	}
	// Limits for bytes that may come from an untrusted peer.
	limits := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		MaxNestedLevels:  8,
		MaxArrayElements: 4096,
		MaxMapPairs:      64,
		TagsMd:           cbor.TagsForbidden,
	}
	// PeekOpID reads a part of an operation, so it must skip the rest.
	if peekMode, err = limits.DecMode(); err != nil {
		panic(err)
	}
	limits.ExtraReturnErrors = cbor.ExtraDecErrorUnknownField
	if decMode, err = limits.DecMode(); err != nil {
		panic(err)
	}
}

// Marshal encodes v in Consulta's canonical CBOR.
func Marshal(v any) ([]byte, error) { return encMode.Marshal(v) }

// Unmarshal decodes canonical CBOR with the limits used for untrusted bytes.
func Unmarshal(b []byte, v any) error { return decMode.Unmarshal(b, v) }

// UnmarshalFields is Unmarshal of the fields v names, skipping the others b
// holds, to read a few fields of a large value.
func UnmarshalFields(b []byte, v any) error { return peekMode.Unmarshal(b, v) }

// signedBytes is what the signature covers: the op without its signature.
func (o *Op) signedBytes() ([]byte, error) {
	c := *o
	c.Sig = nil
	return encMode.Marshal(&c)
}

// Sign signs o with the device's private key.
func (o *Op) Sign(key ed25519.PrivateKey) error {
	b, err := o.signedBytes()
	if err != nil {
		return err
	}
	o.Sig = ed25519.Sign(key, b)
	return nil
}

// Verify checks o's signature against pub, and that pub belongs to o's device.
func (o *Op) Verify(pub ed25519.PublicKey) error {
	if DeviceIDOf(pub) != o.Device {
		return &Error{Op: "verify", Kind: Corrupt, Msg: fmt.Sprintf("operation %s: key does not belong to its device", o.ID())}
	}
	b, err := o.signedBytes()
	if err != nil {
		return err
	}
	if len(o.Sig) != ed25519.SignatureSize || !ed25519.Verify(pub, b, o.Sig) {
		return &Error{Op: "verify", Kind: Corrupt, Msg: fmt.Sprintf("operation %s: bad signature", o.ID())}
	}
	return nil
}

// DeviceIDOf derives a device id from its public key.
func DeviceIDOf(pub ed25519.PublicKey) DeviceID {
	h := sha256.Sum256(pub)
	return DeviceID(hex.EncodeToString(h[:8]))
}

// opAddress is the part of an operation PeekOpID reads.
type opAddress struct {
	Device DeviceID `cbor:"2,keyasint"`
	Seq    uint64   `cbor:"3,keyasint"`
}

// PeekOpID reads only the address of an encoded operation: a cheap look for
// checks about order (which device, which sequence number) before the full
// checks of Receive. It verifies nothing else.
func PeekOpID(b []byte) (OpID, error) {
	var a opAddress
	if err := peekMode.Unmarshal(b, &a); err != nil {
		return OpID{}, &Error{Op: "decode operation", Kind: Corrupt, Err: err}
	}
	if len(a.Device) != 16 || a.Seq == 0 {
		return OpID{}, &Error{Op: "decode operation", Kind: Corrupt, Msg: "bad address"}
	}
	return OpID{Device: a.Device, Seq: a.Seq}, nil
}

// EncodeOp returns o's canonical encoding.
func EncodeOp(o *Op) ([]byte, error) { return encMode.Marshal(o) }

// DecodeOp decodes an operation and checks that b is its canonical
// encoding and that its shape is plausible. It does not verify the
// signature.
//
// Every operation must be canonical, not only those a signature covers
// (the signature covers the canonical encoding; the hash chain the bytes):
// an author's non-canonical bytes inside a chain would be accepted in one
// chunk and refused by the next replica wherever its chunks end there.
func DecodeOp(b []byte) (*Op, error) {
	o, err := decodeOp(b)
	if err != nil {
		return nil, &Error{Op: "decode operation", Kind: Corrupt, Err: err}
	}
	if err := o.checkCanonical(b); err != nil {
		return nil, err
	}
	if err := o.checkShape(); err != nil {
		return nil, err
	}
	return o, nil
}

// canonBufs are checkCanonical's buffers, reused: it runs for every
// operation a peer sends.
var canonBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// checkCanonical checks that b, which o was decoded from, is o's canonical
// encoding. A signature covers the canonical encoding, so without this a
// relaying peer could re-encode a signed operation into other bytes that
// still verify, and whose hash would not continue its device's chain. It
// costs about as much as decoding (Receive runs it on every core, ahead).
func (o *Op) checkCanonical(b []byte) error {
	buf := canonBufs.Get().(*bytes.Buffer)
	buf.Reset()
	err := encMode.MarshalToBuffer(o, buf)
	same := err == nil && bytes.Equal(buf.Bytes(), b)
	if buf.Cap() <= 64<<10 { // an operation's size, not a rare giant's
		canonBufs.Put(buf)
	}
	if !same {
		return &Error{Op: "decode operation", Kind: Corrupt, Msg: fmt.Sprintf("operation %s: encoding is not canonical", o.ID())}
	}
	return nil
}

// checkShape rejects operations that no honest device produces.
func (o *Op) checkShape() error {
	bad := func(msg string) error {
		return &Error{Op: "decode operation", Kind: Corrupt, Msg: fmt.Sprintf("operation %s: %s", o.ID(), msg)}
	}
	if len(o.Device) != 16 || o.Seq == 0 {
		return bad("bad address")
	}
	// Operations written before the hash chain existed (the first builds)
	// have no Prev; they are checked by their own signature instead.
	if (o.Seq == 1 && len(o.Prev) != 0) || (len(o.Prev) != 0 && len(o.Prev) != sha256.Size) {
		return bad("bad chain link")
	}
	if o.Role != nil && o.Type != OpRole {
		return bad("a role change in a " + string(o.Type))
	}
	switch o.Type {
	case OpDevice:
		if len(o.PubKey) != ed25519.PublicKeySize || o.Record != "" {
			return bad("bad device announcement")
		}
	case OpCreate:
		if !ValidID(string(o.Record)) || o.Kind == "" {
			return bad("bad create")
		}
	case OpUpdate, OpWithdraw:
		if !ValidID(string(o.Record)) {
			return bad("bad record id")
		}
	case OpRole:
		if msg := o.Role.check(o); msg != "" {
			return bad(msg)
		}
	default:
		return bad("unknown type " + string(o.Type))
	}
	return nil
}

// EncodeRecord returns r's canonical encoding.
func EncodeRecord(r *Record) ([]byte, error) { return encMode.Marshal(r) }

// DecodeRecord decodes a materialized record.
func DecodeRecord(b []byte) (*Record, error) {
	var r Record
	if err := decMode.Unmarshal(b, &r); err != nil {
		return nil, &Error{Op: "decode record", Kind: Corrupt, Err: err}
	}
	return &r, nil
}
