package protocol

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/fxamacker/cbor/v2"
	"github.com/klauspost/compress/s2"
)

// Limits on what a peer may send.
const (
	// MaxFrame is the largest frame, type byte included.
	MaxFrame = 4 << 20
	// MaxOps is the most operations in one Ops message.
	MaxOps = 4096
	// MaxDevices is the most entries in one Vector.
	MaxDevices = 1 << 16
	// MaxText is the longest name, title or reason.
	MaxText = 1024
	// MaxAddrs is the most addresses in one Addrs message, and MaxAddr
	// the longest.
	MaxAddrs = 32
	MaxAddr  = 255
)

// Type says which message a frame carries.
type Type uint8

// The message types.
const (
	TypeAuth   Type = 1
	TypeInfo   Type = 2
	TypeVector Type = 3
	TypeOps    Type = 4
	TypePing   Type = 5
	TypeClose  Type = 6
	// TypeOpsZ is an Ops message whose CBOR body is compressed with S2
	// (github.com/klauspost/compress/s2): meeting notes are text, and
	// compress to about half.
	TypeOpsZ Type = 7
	// The messages of FeatureRoom.
	TypeHave  Type = 8
	TypePrune Type = 9
	TypeGraft Type = 10
	TypeAddrs Type = 11
	// TypeProof is of FeatureRoles: the sender's device proves it is the
	// laptop its Info names.
	TypeProof Type = 12
)

func (t Type) String() string {
	switch t {
	case TypeAuth:
		return "auth"
	case TypeInfo:
		return "info"
	case TypeVector:
		return "vector"
	case TypeOps:
		return "ops"
	case TypePing:
		return "ping"
	case TypeClose:
		return "close"
	case TypeOpsZ:
		return "ops (compressed)"
	case TypeHave:
		return "have"
	case TypePrune:
		return "prune"
	case TypeGraft:
		return "graft"
	case TypeAddrs:
		return "addrs"
	case TypeProof:
		return "proof"
	}
	return fmt.Sprintf("type %d", uint8(t))
}

// Message is one of the message types below.
type Message interface {
	Type() Type
}

// Auth proves that the sender holds the workspace secret.
type Auth struct {
	_   struct{} `cbor:",toarray"`
	MAC []byte
}

// Info tells who the sender is.
type Info struct {
	_      struct{} `cbor:",toarray"`
	Device string   // the sender's device id
	Name   string   // the sender's device name
	Title  string   // the workspace title as the sender knows it
	Listen uint16   // the port the sender accepts connections on; 0 if none
	// Time is the sender's wall clock as it sends, in milliseconds since
	// the Unix epoch (protocol version 3): the receiver compares it with
	// its own to find a laptop whose clock is wrong.
	Time int64
}

// Vector is the sender's version vector: device id to highest sequence
// number held without gaps.
type Vector struct {
	_   struct{} `cbor:",toarray"`
	Has map[string]uint64
}

// Ops carries operations of one device with consecutive sequence numbers,
// each as its author encoded and signed it.
type Ops struct {
	_   struct{} `cbor:",toarray"`
	Ops [][]byte
}

// Ping keeps a connection alive, and tells the sender's wall clock again
// (as Info.Time), so that a clock set right, or going wrong, shows while
// connected.
type Ping struct {
	_    struct{} `cbor:",toarray"`
	Time int64
}

// Close tells why the sender is closing the connection.
type Close struct {
	_      struct{} `cbor:",toarray"`
	Reason string
}

// Have announces what the sender has come to hold since it last said: the
// entries of its version vector that grew (FeatureRoom). The receiver
// merges them into what it knows of the sender. On a connection that does
// not push (after a Prune), this is all that crosses it for a new
// operation: "I have it", a few dozen bytes.
type Have struct {
	_   struct{} `cbor:",toarray"`
	Has map[string]uint64
}

// Prune asks the receiver to stop pushing operations over this connection
// and to announce them with Have instead; the sender does the same
// (FeatureRoom). A laptop sends it when the peer pushed it operations it
// already held: the two are joined by a shorter path too.
type Prune struct {
	_ struct{} `cbor:",toarray"`
}

// Graft asks the receiver to push again what the sender lacks, and from
// now on; the sender does the same (FeatureRoom). A laptop sends it when
// the peer announced operations that did not reach it otherwise in time:
// the push path through the room is broken somewhere.
type Graft struct {
	_ struct{} `cbor:",toarray"`
}

// Addrs lists addresses (host:port) where other laptops of the workspace
// accept connections (FeatureRoom), so that a laptop given one address
// learns the room, and one that must drop a connection can point the peer
// elsewhere.
type Addrs struct {
	_    struct{} `cbor:",toarray"`
	List []string
}

func (*Have) Type() Type  { return TypeHave }
func (*Prune) Type() Type { return TypePrune }
func (*Graft) Type() Type { return TypeGraft }
func (*Addrs) Type() Type { return TypeAddrs }
func (*Proof) Type() Type { return TypeProof }

// Proof is the sender's device signature over the channel (FeatureRoles):
// the laptop its Info names is the one at the other end, so that a
// removed laptop cannot pass for another (see package replication).
type Proof struct {
	_   struct{} `cbor:",toarray"`
	Sig []byte
}

func (*Auth) Type() Type   { return TypeAuth }
func (*Info) Type() Type   { return TypeInfo }
func (*Vector) Type() Type { return TypeVector }
func (*Ops) Type() Type    { return TypeOps }
func (*Ping) Type() Type   { return TypePing }
func (*Close) Type() Type  { return TypeClose }

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	// The body of a frame comes from a peer that may be hostile: bound
	// every allocation the decoder makes besides the frame itself.
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   4,
		MaxArrayElements:  MaxOps,
		MaxMapPairs:       MaxDevices,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// Encode returns m's frame payload: its type and canonical CBOR body; for
// Ops, compressed (TypeOpsZ) when that makes it smaller.
func Encode(m Message) ([]byte, error) {
	if ops, ok := m.(*Ops); ok {
		var body OpsBody
		for _, op := range ops.Ops {
			body.Add(op)
		}
		b, err := body.bytes()
		if err != nil {
			return nil, err
		}
		return appendOps(nil, b), nil
	}
	body, err := encMode.Marshal(m)
	if err != nil {
		return nil, err
	}
	return append([]byte{byte(m.Type())}, body...), nil
}

// OpsBody is an Ops message's body built an operation at a time, so that a
// sender copies each operation once, from its store into the body
// (Conn.SendOps), where encoding an Ops copies it twice more. The zero
// value is empty.
type OpsBody struct {
	b []byte // opsHeadRoom bytes, then each operation as a byte string
	n int
}

// opsHeadRoom is room for an Ops body's heads: a one-field array, then an
// array of at most MaxOps operations (0x99 and two bytes).
const opsHeadRoom = 4

// Reset empties o, keeping its memory.
func (o *OpsBody) Reset() { o.b, o.n = append(o.b[:0], make([]byte, opsHeadRoom)...), 0 }

// Add appends an operation.
func (o *OpsBody) Add(op []byte) {
	if len(o.b) == 0 {
		o.Reset()
	}
	o.b = append(appendHead(o.b, majorBytes, uint64(len(op))), op...)
	o.n++
}

// Len returns the number of operations added.
func (o *OpsBody) Len() int { return o.n }

// ErrTooManyOps: an Ops message would hold more than MaxOps operations,
// which every peer refuses.
var ErrTooManyOps = fmt.Errorf("more than %d operations in one message", MaxOps)

// bytes returns the body in canonical CBOR: its heads are written just
// before the first operation. Errors: ErrTooManyOps.
func (o *OpsBody) bytes() ([]byte, error) {
	if o.n > MaxOps {
		return nil, fmt.Errorf("%w: %d", ErrTooManyOps, o.n)
	}
	if len(o.b) == 0 {
		o.Reset()
	}
	var h [opsHeadRoom]byte
	head := appendHead(append(h[:0], 0x81), majorArray, uint64(o.n))
	start := opsHeadRoom - len(head)
	copy(o.b[start:], head)
	return o.b[start:], nil
}

// The CBOR major types of an Ops body.
const (
	majorBytes = 2
	majorArray = 4
)

// appendHead appends a CBOR head in its shortest form (RFC 8949, 4.2.1).
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

// appendOps appends an Ops payload for body to dst: its type, then the
// body, compressed after the type byte in place (TypeOpsZ) when that makes
// it smaller. A chunk is megabytes.
func appendOps(dst, body []byte) []byte {
	if bound := s2.MaxEncodedLen(len(body)); bound > 0 {
		at := len(dst)
		dst = slices.Grow(dst, 1+bound)[:at+1+bound]
		if z := s2.Encode(dst[at+1:], body); len(z) < len(body) {
			dst[at] = byte(TypeOpsZ)
			return dst[:at+1+len(z)]
		}
		dst = dst[:at]
	}
	return append(append(dst, byte(TypeOps)), body...)
}

// readOps decodes an Ops body, [[op, op, ...]], without fxamacker/cbor:
// the library copies each operation out of the body, a first sync's
// hundred and fifty megabytes, where a slice of it will do. The body is
// the frame's own buffer (ReadFrame and the S2 decoding allocate one per
// frame), so the slices stay valid; each is capped at its end so that an
// append to one cannot write over the next. It accepts what the library's
// decoder accepts for an Ops body, but for forms no sender writes (an
// operation written as an array of small integers); FuzzDecode compares
// them. The operations' own bytes are checked by app.DecodeOp.
func readOps(body []byte) (Message, error) {
	bad := func(format string, args ...any) (Message, error) {
		return nil, malformed("ops: "+format, args...)
	}
	// head reads an item's major type and argument from body.
	head := func() (byte, uint64, bool) {
		if len(body) == 0 {
			return 0, 0, false
		}
		c := body[0]
		major, info := c>>5, c&31
		if info < 24 {
			body = body[1:]
			return major, uint64(info), true
		}
		if info > 27 || len(body) < 1+1<<(info-24) {
			return 0, 0, false
		}
		size := 1 << (info - 24)
		var arg uint64
		for _, b := range body[1 : 1+size] {
			arg = arg<<8 | uint64(b)
		}
		body = body[1+size:]
		return major, arg, true
	}
	if m, n, ok := head(); !ok || m != majorArray || n != 1 {
		return bad("not a one-field array")
	}
	m, n, ok := head()
	if !ok || m != majorArray {
		return bad("no list of operations")
	}
	if n > MaxOps || n > uint64(len(body)) {
		return bad("%d operations (at most %d)", n, MaxOps)
	}
	ops := &Ops{Ops: make([][]byte, n)}
	for i := range ops.Ops {
		m, size, ok := head()
		if !ok || m != majorBytes {
			return bad("operation %d is not a byte string", i)
		}
		if size > uint64(len(body)) {
			return bad("operation %d is cut short", i)
		}
		ops.Ops[i] = body[:size:size]
		body = body[size:]
	}
	if len(body) != 0 {
		return bad("%d bytes after the operations", len(body))
	}
	if err := check(ops); err != nil {
		return nil, err
	}
	return ops, nil
}

// Decode decodes a frame payload. The operations of an Ops message are
// slices of p (of its decompressed copy for TypeOpsZ), not copies: p must
// not change while they are in use. Errors: ErrMalformed.
func Decode(p []byte) (Message, error) {
	if len(p) == 0 {
		return nil, malformed("empty frame")
	}
	var m Message
	body := p[1:]
	switch Type(p[0]) {
	case TypeAuth:
		m = new(Auth)
	case TypeInfo:
		m = new(Info)
	case TypeVector:
		m = new(Vector)
	case TypeOps:
		return readOps(body)
	case TypeOpsZ:
		// The decompressed size is checked before anything is allocated,
		// so a small frame cannot claim gigabytes.
		n, err := s2.DecodedLen(p[1:])
		if err != nil || n > MaxFrame {
			return nil, malformed("ops (compressed): bad or oversized body")
		}
		if body, err = s2.Decode(make([]byte, n), p[1:]); err != nil {
			return nil, malformed("ops (compressed): %v", err)
		}
		return readOps(body)
	case TypePing:
		m = new(Ping)
	case TypeClose:
		m = new(Close)
	case TypeHave:
		m = new(Have)
	case TypePrune:
		m = new(Prune)
	case TypeGraft:
		m = new(Graft)
	case TypeAddrs:
		m = new(Addrs)
	case TypeProof:
		m = new(Proof)
	default:
		return nil, malformed("unknown message %s", Type(p[0]))
	}
	if err := decMode.Unmarshal(body, m); err != nil {
		return nil, malformed("%s: %v", Type(p[0]), err)
	}
	if err := check(m); err != nil {
		return nil, err
	}
	return m, nil
}

// check enforces what the CBOR limits cannot say.
func check(m Message) error {
	switch m := m.(type) {
	case *Auth:
		if len(m.MAC) != 32 {
			return malformed("auth: a MAC of %d bytes", len(m.MAC))
		}
	case *Info:
		if len(m.Device) > 64 || len(m.Name) > MaxText || len(m.Title) > MaxText {
			return malformed("info: field too long")
		}
	case *Vector:
		return checkDevices("vector", m.Has)
	case *Have:
		if len(m.Has) == 0 {
			return malformed("have: nothing announced")
		}
		return checkDevices("have", m.Has)
	case *Addrs:
		if len(m.List) > MaxAddrs {
			return malformed("addrs: %d addresses (at most %d)", len(m.List), MaxAddrs)
		}
		for _, a := range m.List {
			if len(a) == 0 || len(a) > MaxAddr {
				return malformed("addrs: an address of %d bytes", len(a))
			}
		}
	case *Ops:
		if len(m.Ops) == 0 {
			return malformed("ops: no operations")
		}
		for _, o := range m.Ops {
			if len(o) == 0 {
				return malformed("ops: an empty operation")
			}
		}
	case *Close:
		if len(m.Reason) > MaxText {
			return malformed("close: reason too long")
		}
	case *Proof:
		if len(m.Sig) != 64 {
			return malformed("proof: a signature of %d bytes", len(m.Sig))
		}
	}
	return nil
}

func checkDevices(what string, has map[string]uint64) error {
	for dev := range has {
		if len(dev) == 0 || len(dev) > 64 {
			return malformed("%s: bad device id", what)
		}
	}
	return nil
}
