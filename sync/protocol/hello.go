package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Magic opens every connection: "CNSL".
const Magic uint32 = 0x434E534C

// Version is the protocol version this build speaks.
const Version uint16 = 3

// Versions: 2: Ops may come compressed (TypeOpsZ). 3: Info and Ping carry
// the sender's wall clock.
//
// Since version 3 the hello's flags carry feature bits: each side sets the
// features it speaks, and a connection uses those both set. A build that
// knows no features sends zero flags and never sees a message of one, so
// older builds of the same version keep syncing with newer ones. (A new
// version number would have cut them off: the version must match.)

// Features of the protocol, as hello flags.
const (
	// FeatureRoom: announcements instead of whole vectors, and a tree of
	// pushes (Have, Prune, Graft) and the addresses of other laptops
	// (Addrs); see package replication. Without it a connection speaks
	// version 3 as first released: a whole Vector at every change, every
	// operation pushed on every connection.
	FeatureRoom uint16 = 1 << 0

	// FeatureDrafts: the build reads the operations of drafts, paragraphs,
	// amendments and revisions (app/drafting.go). Older builds refuse
	// them as unknown, so a laptop holds them back from a peer without
	// it, with what their devices wrote after them (see package
	// replication), and says that the peer needs updating.
	FeatureDrafts uint16 = 1 << 1

	// FeatureRoles: the build reads role operations and the role heads
	// operations name (app/roleops.go), and enforces them. A build without
	// them would refuse them as unknown; they are held back from it as
	// drafting operations are.
	FeatureRoles uint16 = 1 << 2

	// Features is every feature this build speaks.
	Features = FeatureRoom | FeatureDrafts | FeatureRoles
)

// helloSize is the length of the hello: magic, version, flags.
const helloSize = 8

// Errors of the hello.
var (
	// ErrBadMagic: the peer is not speaking Consulta's protocol.
	ErrBadMagic = errors.New("the peer does not speak Consulta's sync protocol")
	// ErrVersion is matched by every *VersionError.
	ErrVersion = errors.New("protocol version mismatch")
)

// VersionError says that the peer speaks another protocol version.
type VersionError struct {
	Local, Remote uint16
}

func (e *VersionError) Error() string {
	if e.Remote > e.Local {
		return fmt.Sprintf("the peer speaks sync protocol version %d, newer than ours (%d): update Consulta on this laptop", e.Remote, e.Local)
	}
	return fmt.Sprintf("the peer speaks sync protocol version %d, older than ours (%d): update Consulta on the peer", e.Remote, e.Local)
}

// Is makes errors.Is(err, ErrVersion) true.
func (e *VersionError) Is(target error) bool { return target == ErrVersion }

// Hello is the first thing each side sends.
type Hello struct {
	Version  uint16
	Features uint16 // the flags: feature bits the sender speaks
}

// AppendHello appends the hello of version v offering features f.
func AppendHello(b []byte, v, f uint16) []byte {
	b = binary.BigEndian.AppendUint32(b, Magic)
	b = binary.BigEndian.AppendUint16(b, v)
	return binary.BigEndian.AppendUint16(b, f)
}

// ParseHello parses a hello. Errors: ErrBadMagic, io.ErrUnexpectedEOF.
func ParseHello(b []byte) (Hello, error) {
	if len(b) < helloSize {
		if len(b) >= 4 && binary.BigEndian.Uint32(b) != Magic {
			return Hello{}, ErrBadMagic
		}
		return Hello{}, io.ErrUnexpectedEOF
	}
	if binary.BigEndian.Uint32(b) != Magic {
		return Hello{}, ErrBadMagic
	}
	return Hello{Version: binary.BigEndian.Uint16(b[4:]), Features: binary.BigEndian.Uint16(b[6:])}, nil
}

// ExchangeHello writes the hello of version v offering features f, reads
// the peer's, checks that both speak the same version, and returns the
// features both offered. The write happens concurrently with the read so
// that neither side waits for the other. Errors: ErrBadMagic, a
// *VersionError, or the connection's.
func ExchangeHello(rw io.ReadWriter, v, f uint16) (uint16, error) {
	werr := make(chan error, 1)
	go func() {
		_, err := rw.Write(AppendHello(nil, v, f))
		werr <- err
	}()
	var buf [helloSize]byte
	n, rerr := io.ReadFull(rw, buf[:])
	h, perr := ParseHello(buf[:n])
	// On failure the caller closes the connection, which ends the write.
	switch {
	case perr == ErrBadMagic:
		return 0, ErrBadMagic
	case rerr != nil:
		return 0, fmt.Errorf("reading hello: %w", rerr)
	}
	if err := <-werr; err != nil {
		return 0, fmt.Errorf("sending hello: %w", err)
	}
	if h.Version != v {
		return 0, &VersionError{Local: v, Remote: h.Version}
	}
	return f & h.Features, nil
}
