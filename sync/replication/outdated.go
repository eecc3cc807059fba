package replication

// A peer whose Consulta predates drafts (no protocol.FeatureDrafts in its
// hello) or roles (FeatureRoles) refuses such an operation as unknown, and with it the
// connection. So a laptop holds back from such a peer each device's
// operations from its first drafting one on (a device's operations form
// one chain: nothing after a held one can go either), tells it a vector
// that stops there, so that both sides see themselves even, and says in
// its log and Peers list that the peer needs updating. Devices that never
// touched a draft keep syncing with it as before.

import (
	"errors"
	"maps"

	"github.com/cartagena-c40/consulta/app"
)

// errHoldBack stops reading a chunk at an operation the peer cannot read.
var errHoldBack = errors.New("held back from an older build")

// holdBack records that dev's operations from seq on are held back from
// the peer. If the peer was told we hold more (our first vector goes out
// before anything is found to hold back, and with the room feature only
// what grew is told again), what it was told is forgotten, so that the
// next announcement is a whole vector that stops where the held start:
// otherwise it would wait, and graft, for operations that never come.
// writeLoop's alone (it touches tree.told); it takes p.mu.
func (p *peer) holdBack(dev app.DeviceID, seq uint64) {
	if told := p.tree.told; told != nil && told[dev] >= seq {
		p.tree.told = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.heldBack == nil {
		p.heldBack = map[app.DeviceID]uint64{}
	}
	if old, ok := p.heldBack[dev]; ok && old <= seq {
		return
	}
	first := len(p.heldBack) == 0
	p.heldBack[dev] = seq
	if first {
		p.log.Warn("this peer runs an older Consulta that cannot read drafts or roles: it gets nothing of them, nor what their authors wrote after them, until it is updated",
			"name", p.info.Name, "device", dev, "from", seq)
	}
}

// sendable drops from missing the devices whose next operation is held
// back. Under p.mu.
func (p *peer) sendable(missing []app.OpID) []app.OpID {
	if len(p.heldBack) == 0 {
		return missing
	}
	out := missing[:0:0]
	for _, from := range missing {
		if held, ok := p.heldBack[from.Device]; !ok || from.Seq+1 < held {
			out = append(out, from)
		}
	}
	return out
}

// reachable is mine as the peer can hold it: each device's operations
// up to the first held back. Under no lock; it takes p.mu.
func (p *peer) reachable(mine app.Vector) app.Vector {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.heldBack) == 0 {
		return mine
	}
	v := maps.Clone(mine)
	for dev, held := range p.heldBack {
		if v[dev] >= held {
			v[dev] = held - 1
		}
	}
	return v
}

// outdated reports whether operations are held back from the peer.
func (p *peer) outdated() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.heldBack) > 0
}
