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
	Version uint16
}

// AppendHello appends the hello of version v.
func AppendHello(b []byte, v uint16) []byte {
	b = binary.BigEndian.AppendUint32(b, Magic)
	b = binary.BigEndian.AppendUint16(b, v)
	return binary.BigEndian.AppendUint16(b, 0)
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
	return Hello{Version: binary.BigEndian.Uint16(b[4:])}, nil
}

// ExchangeHello writes the hello of version v, reads the peer's, and checks
// that both speak the same version. The write happens concurrently with the
// read so that neither side waits for the other. Errors: ErrBadMagic, a
// *VersionError, or the connection's.
func ExchangeHello(rw io.ReadWriter, v uint16) error {
	werr := make(chan error, 1)
	go func() {
		_, err := rw.Write(AppendHello(nil, v))
		werr <- err
	}()
	var buf [helloSize]byte
	n, rerr := io.ReadFull(rw, buf[:])
	h, perr := ParseHello(buf[:n])
	// On failure the caller closes the connection, which ends the write.
	switch {
	case perr == ErrBadMagic:
		return ErrBadMagic
	case rerr != nil:
		return fmt.Errorf("reading hello: %w", rerr)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("sending hello: %w", err)
	}
	if h.Version != v {
		return &VersionError{Local: v, Remote: h.Version}
	}
	return nil
}
