package bundle

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/cartagena-c40/consulta/app"
)

// frame is one operation of a bundle: its address, and its bytes, sealed
// until opened.
type frame struct {
	dev   app.DeviceID
	seq   uint64
	nonce []byte
	op    []byte
}

// opened is a bundle verified whole, its operations opened.
type opened struct {
	header *header
	frames []frame
	writer app.DeviceID
}

// open verifies all of data as a bundle of svc's workspace and opens its
// operations, in place: data is overwritten. Every error is a refusal
// saying why; nothing has been applied.
func open(svc *app.Service, data []byte) (*opened, error) {
	ws := svc.Workspace()
	if ws == nil {
		return nil, &app.Error{Op: "import", Kind: app.NotInitialized, Msg: "no workspace here yet: join the workspace before importing a bundle"}
	}
	h, err := parseHeader(data)
	if err != nil {
		return nil, err
	}
	if h.ws != ws.ID {
		return nil, refused("this bundle was written for another workspace (%s; this laptop's is %s)", h.ws, ws.ID)
	}
	keys, err := keyring(ws)
	if err != nil {
		return nil, err
	}
	key := find(keys, h.keyID)
	if key == nil {
		return nil, refused("this bundle was written for another workspace or after a change of join code this laptop has not received (its key is of epoch %d; this laptop's of epoch %d)", h.epoch, ws.Epoch)
	}
	frames, rest, err := split(data[headerSize:], h.count)
	if err != nil {
		return nil, err
	}
	sum, err := openTrailer(key, data[:headerSize], rest)
	if err != nil {
		return nil, err
	}
	if sha256.Sum256(data[:len(data)-len(rest)]) != sum.digest || sum.count != h.count {
		return nil, refused("the bundle is damaged: its operations were altered, reordered, added or removed")
	}
	if err := checkWriter(svc, key, sum); err != nil {
		return nil, err
	}
	for i := range frames {
		f := &frames[i]
		if f.op, err = key.aead.Open(f.op[:0], f.nonce, f.op, opAD(ws.ID, f.dev, f.seq)); err != nil {
			return nil, refused("the bundle is damaged: operation %d of %d does not open", i+1, len(frames))
		}
	}
	if err := checkOrder(frames); err != nil {
		return nil, err
	}
	return &opened{header: h, frames: frames, writer: sum.writer}, nil
}

// split cuts data, after the header, into count frames and what follows
// them, the trailer.
func split(data []byte, count uint64) ([]frame, []byte, error) {
	frames := make([]frame, 0, min(count, uint64(len(data)/64)))
	short := func(i uint64) error {
		return refused("the bundle is cut short: it ends inside operation %d of %d", i+1, count)
	}
	for i := range count {
		if len(data) < 1 {
			return nil, nil, short(i)
		}
		n := int(data[0])
		if n == 0 || n > maxDevice {
			return nil, nil, refused("the bundle is damaged: operation %d of %d has no valid address", i+1, count)
		}
		if len(data) < 1+n+8+4+nonceSize {
			return nil, nil, short(i)
		}
		f := frame{dev: app.DeviceID(data[1 : 1+n]), seq: binary.BigEndian.Uint64(data[1+n:])}
		size := int(binary.BigEndian.Uint32(data[1+n+8:]))
		data = data[1+n+8+4:]
		if size > maxSealed || size < 16 {
			return nil, nil, refused("the bundle is damaged: operation %d of %d has an impossible size", i+1, count)
		}
		if len(data) < nonceSize+size {
			return nil, nil, short(i)
		}
		f.nonce, f.op = data[:nonceSize], data[nonceSize:nonceSize+size]
		data = data[nonceSize+size:]
		frames = append(frames, f)
	}
	return frames, data, nil
}

// openTrailer opens the sealed summary in rest, which must be all that is
// left of the file.
func openTrailer(key *bundleKey, hdr, rest []byte) (*summary, error) {
	if len(rest) < 4+nonceSize {
		return nil, refused("the bundle is cut short: it ends before its last part")
	}
	size := int(binary.BigEndian.Uint32(rest))
	body := rest[4:]
	switch {
	case len(body) < nonceSize+size:
		return nil, refused("the bundle is cut short: it ends inside its last part")
	case len(body) > nonceSize+size:
		return nil, refused("the bundle is damaged: bytes follow its end")
	}
	plain, err := key.aead.Open(nil, body[:nonceSize], body[nonceSize:], trailerAD(hdr))
	if err != nil {
		return nil, refused("the bundle is damaged: its last part does not verify")
	}
	s, ok := parseSummary(plain)
	if !ok {
		return nil, refused("the bundle is damaged: its last part does not verify")
	}
	return s, nil
}

// checkWriter checks who wrote the bundle, as a LAN peer is checked: a
// laptop removed from the workspace is refused, and a bundle sealed with a
// past key must come from a laptop this one knows (anyone holding an old
// join code, a removed member included, could seal one).
func checkWriter(svc *app.Service, key *bundleKey, s *summary) error {
	known, ok := svc.CheckDevice(s.writer, signed(s.digest), s.sig)
	switch {
	case known && !ok:
		return refused("the bundle is damaged: the signature of the laptop that wrote it does not check")
	case known && svc.LaptopRemoved(s.writer):
		return refused("this bundle was written by a laptop removed from the workspace")
	case !known && !key.current:
		return refused("this bundle is sealed with an earlier join code by a laptop this one does not know")
	}
	return nil
}

// checkOrder checks that the frames come device by device, each device's
// consecutive and in order, as Write writes them.
func checkOrder(frames []frame) error {
	seen := map[app.DeviceID]bool{}
	for i, f := range frames {
		if i > 0 && frames[i-1].dev == f.dev {
			if f.seq != frames[i-1].seq+1 {
				return refused("the bundle is damaged: the operations of device %s are not consecutive", f.dev)
			}
			continue
		}
		if seen[f.dev] || f.seq == 0 {
			return refused("the bundle is damaged: the operations of device %s are not in order", f.dev)
		}
		seen[f.dev] = true
	}
	return nil
}

// runs groups the frames by device, in order.
func (b *opened) runs() [][]frame {
	var out [][]frame
	start := 0
	for i := 1; i <= len(b.frames); i++ {
		if i == len(b.frames) || b.frames[i].dev != b.frames[start].dev {
			out = append(out, b.frames[start:i])
			start = i
		}
	}
	return out
}
