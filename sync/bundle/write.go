package bundle

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"slices"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

// Chunks read from the store, and handed to Receive, as a LAN sync sends
// them (sync/replication: ChunkOps, ChunkBytes).
const (
	chunkOps   = 2000
	chunkBytes = 3 << 20
)

// Stats says what a bundle holds.
type Stats struct {
	Operations int    // operations in the bundle
	Devices    int    // devices they come from
	Epoch      uint64 // the join key's epoch the bundle is sealed with
}

// WriteFile writes to path, whole or not at all, a bundle of the
// operations svc holds beyond since (nil: all of them).
func WriteFile(svc *app.Service, path string, since app.Vector) (Stats, error) {
	var st Stats
	err := export.WriteFile(path, func(w io.Writer) error {
		var err error
		st, err = Write(svc, w, since)
		return err
	})
	if e, ok := err.(*app.Error); ok && e.Op == "" {
		e.Op = "bundle"
	}
	return st, err
}

// span is one device's operations in a bundle: after from, up to to.
type span struct {
	dev      app.DeviceID
	from, to uint64
}

// Write writes to w a bundle of the operations svc holds beyond since
// (nil: all of them), sealed with the workspace's current key and signed
// by this laptop.
func Write(svc *app.Service, w io.Writer, since app.Vector) (Stats, error) {
	ws := svc.Workspace()
	if ws == nil {
		return Stats{}, &app.Error{Op: "bundle", Kind: app.NotInitialized, Msg: "no workspace here yet"}
	}
	key, err := deriveKey(ws.ID, ws.Secret)
	if err != nil {
		return Stats{}, err
	}
	have, err := svc.Vector()
	if err != nil {
		return Stats{}, err
	}
	spans, count := plan(have, since)
	h := header{ws: ws.ID, epoch: ws.Epoch, keyID: key.id, count: count}
	hdr := h.encode()
	fw := &frameWriter{w: w, sum: sha256.New(), ws: ws.ID, key: key}
	fw.write(hdr)
	for _, s := range spans {
		if err := fw.span(svc, s); err != nil {
			return Stats{}, err
		}
	}
	if fw.err == nil {
		fw.trailer(svc, hdr, count)
	}
	return Stats{Operations: int(count), Devices: len(spans), Epoch: ws.Epoch}, fw.err
}

// plan lists, device by device in id order, what have holds beyond since,
// and counts it.
func plan(have, since app.Vector) ([]span, uint64) {
	var spans []span
	var count uint64
	for dev, to := range have {
		if from := since.Get(dev); to > from {
			spans = append(spans, span{dev: dev, from: from, to: to})
			count += to - from
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.dev, b.dev) })
	return spans, count
}

// frameWriter writes a bundle's parts and hashes them; the first error
// sticks.
type frameWriter struct {
	w   io.Writer
	sum hash.Hash
	ws  app.WorkspaceID
	key *bundleKey
	buf []byte
	err error
}

func (fw *frameWriter) write(b []byte) {
	if fw.err != nil {
		return
	}
	fw.sum.Write(b)
	_, fw.err = fw.w.Write(b)
}

// span writes the frames of s's operations, read from the store in chunks.
func (fw *frameWriter) span(svc *app.Service, s span) error {
	seq := s.from
	for seq < s.to && fw.err == nil {
		before := seq
		err := svc.EachOpAfter(s.dev, seq, int(min(s.to-seq, chunkOps)), chunkBytes, func(enc []byte) error {
			seq++
			fw.op(s.dev, seq, enc)
			return fw.err
		})
		if err != nil {
			return err
		}
		if seq == before {
			return &app.Error{Op: "bundle", Kind: app.Corrupt, Msg: fmt.Sprintf("the store lacks operation %d of device %s, which its vector names", seq+1, s.dev)}
		}
	}
	return fw.err
}

// op writes one operation's frame.
func (fw *frameWriter) op(dev app.DeviceID, seq uint64, enc []byte) {
	nonce := make([]byte, nonceSize)
	rand.Read(nonce)
	b := fw.buf[:0]
	b = append(b, byte(len(dev)))
	b = append(b, dev...)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = binary.BigEndian.AppendUint32(b, uint32(len(enc)+fw.key.aead.Overhead()))
	b = append(b, nonce...)
	b = fw.key.aead.Seal(b, nonce, enc, opAD(fw.ws, dev, seq))
	fw.buf = b
	fw.write(b)
}

// trailer writes the sealed summary of everything written before it.
func (fw *frameWriter) trailer(svc *app.Service, hdr []byte, count uint64) {
	s := summary{count: count, writer: svc.Device()}
	fw.sum.Sum(s.digest[:0])
	s.sig = svc.ProveDevice(signed(s.digest))
	nonce := make([]byte, nonceSize)
	rand.Read(nonce)
	plain := s.encode()
	b := binary.BigEndian.AppendUint32(nil, uint32(len(plain)+fw.key.aead.Overhead()))
	b = append(b, nonce...)
	b = fw.key.aead.Seal(b, nonce, plain, trailerAD(hdr))
	if fw.err == nil {
		_, fw.err = fw.w.Write(b)
	}
}
