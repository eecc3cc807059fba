package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/cartagena-c40/consulta/app"
)

// Magic starts every bundle; Import and the CLI tell a bundle from a JSON
// export by it.
const Magic = "CNSLBNDL"

// version is the format this package writes and reads.
const version = 1

const (
	wsIDSize   = 26 // a ULID in text
	headerSize = len(Magic) + 1 + wsIDSize + 8 + 8 + 8 + 4
	nonceSize  = 24
	// maxSealed bounds one sealed operation: a sync frame holds at most
	// 4 MiB, so no operation is larger.
	maxSealed = 8 << 20
	// maxDevice bounds a device id (16 hex digits today).
	maxDevice = 64
)

// Labels of what is signed and sealed besides operations.
const (
	signLabel    = "consulta bundle v1\x00"
	trailerLabel = "consulta bundle trailer\x00"
)

// header is a bundle's clear first part.
type header struct {
	ws    app.WorkspaceID
	epoch uint64
	keyID [8]byte
	count uint64
}

func (h *header) encode() []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, Magic...)
	b = append(b, version)
	b = append(b, h.ws...)
	b = binary.BigEndian.AppendUint64(b, h.epoch)
	b = append(b, h.keyID[:]...)
	b = binary.BigEndian.AppendUint64(b, h.count)
	sum := sha256.Sum256(b)
	return append(b, sum[:4]...)
}

// IsBundle reports whether data starts as a bundle does.
func IsBundle(data []byte) bool { return bytes.HasPrefix(data, []byte(Magic)) }

// parseHeader reads the header at the start of data.
func parseHeader(data []byte) (*header, error) {
	if !IsBundle(data) {
		return nil, refused("this file is not a Consulta bundle")
	}
	if len(data) < headerSize {
		return nil, refused("the bundle is cut short: it ends inside its header")
	}
	if v := data[len(Magic)]; v != version {
		return nil, refused("the bundle is in format version %d; this Consulta reads version %d: update the older of the two", v, version)
	}
	sum := sha256.Sum256(data[:headerSize-4])
	if !bytes.Equal(sum[:4], data[headerSize-4:headerSize]) {
		return nil, refused("the bundle is damaged: its header does not check")
	}
	p := data[len(Magic)+1:]
	h := &header{ws: app.WorkspaceID(p[:wsIDSize])}
	p = p[wsIDSize:]
	h.epoch = binary.BigEndian.Uint64(p)
	copy(h.keyID[:], p[8:16])
	h.count = binary.BigEndian.Uint64(p[16:])
	return h, nil
}

// opAD is the associated data of the operation at (dev, seq).
func opAD(ws app.WorkspaceID, dev app.DeviceID, seq uint64) []byte {
	b := make([]byte, 0, len(ws)+len(dev)+10)
	b = append(b, ws...)
	b = append(b, 0)
	b = append(b, dev...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint64(b, seq)
}

// trailerAD is the associated data of the trailer.
func trailerAD(hdr []byte) []byte { return append([]byte(trailerLabel), hdr...) }

// summary is the trailer's sealed content.
type summary struct {
	digest [sha256.Size]byte
	count  uint64
	sig    []byte // 64 bytes
	writer app.DeviceID
}

const sigSize = 64

func (s *summary) encode() []byte {
	b := append([]byte(nil), s.digest[:]...)
	b = binary.BigEndian.AppendUint64(b, s.count)
	b = append(b, s.sig...)
	return append(b, s.writer...)
}

func parseSummary(b []byte) (*summary, bool) {
	if len(b) < sha256.Size+8+sigSize+1 || len(b) > sha256.Size+8+sigSize+maxDevice {
		return nil, false
	}
	s := &summary{count: binary.BigEndian.Uint64(b[sha256.Size:])}
	copy(s.digest[:], b)
	s.sig = b[sha256.Size+8 : sha256.Size+8+sigSize]
	s.writer = app.DeviceID(b[sha256.Size+8+sigSize:])
	return s, true
}

// signed is what the writer signs: the label and the digest.
func signed(digest [sha256.Size]byte) []byte { return append([]byte(signLabel), digest[:]...) }

// refused is the error of a bundle that cannot be applied: nothing of it
// was written.
func refused(format string, a ...any) error {
	return &app.Error{Op: "import", Kind: app.Invalid, Msg: fmt.Sprintf(format, a...) + "; nothing was imported"}
}
