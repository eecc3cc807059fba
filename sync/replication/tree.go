package replication

// The push tree: how a new operation crosses a room of laptops about once
// per laptop (protocol.FeatureRoom). It is Plumtree (Leitão, Pereira and
// Rodrigues, "Epidemic broadcast trees", 2007) over version vectors.
//
// Every connection starts out pushing both ways: each side sends the other
// every operation it lacks, as version 3 did. A laptop that is pushed
// operations it already held (it got them first by another path) sends
// Prune, and from then on the two only announce to each other what they
// come to hold, with Have: a few dozen bytes naming a device and a
// sequence number. Pruning removes the loops of the graph of connections,
// so what is left pushing is a tree spanning the room, and each operation
// crosses each link of it once.
//
// A Have that names operations a laptop lacks arms a timer (GraftAfter);
// if they have not come by the tree when it fires, and no operation of
// that device arrived meanwhile (a large backlog still streaming does not
// count as lost), the laptop sends Graft: the two push to each other
// again, the lacking operations come at once, and the loop the graft made
// is pruned the next time an operation comes both ways. A laptop that
// leaves or crashes takes its links of the tree with it; the Haves of the
// others repair around it within GraftAfter.
//
// A Have also answers every push: it is how the pusher learns that the
// peer stored what it sent, so that what Peers reports as pending, and
// SyncOnce's "both even", stay true.

import (
	"maps"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/protocol"
)

// DefaultGraftAfter is how long a laptop waits for announced operations to
// come by the tree before it asks the announcer for them.
const DefaultGraftAfter = time.Second

// treeLink is one connection's part in the push tree. Fields under the
// peer's mu, but told, which only writeLoop touches.
type treeLink struct {
	push         bool       // the two push operations to each other
	prune, graft bool       // a Prune or Graft for writeLoop to send
	told         app.Vector // what the peer knows we hold; nil until our vector
}

// pushing reports whether we push operations to the peer. Without the room
// feature, and in once mode, always.
func (p *peer) pushing() bool {
	if !p.room || p.once {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tree.push
}

// announce tells the peer what we hold that it does not know we hold: our
// whole vector the first time, and then, with the room feature, a Have of
// the entries that grew; without it, the whole vector again.
func (p *peer) announce(mine app.Vector) error {
	told := p.tree.told
	if told == nil || !p.room {
		if told != nil && equal(told, mine) {
			return nil
		}
		if err := p.send(vectorMsg(mine)); err != nil {
			return err
		}
		p.tree.told = maps.Clone(mine)
		return nil
	}
	var have map[string]uint64
	for dev, n := range mine {
		if n > told[dev] {
			if have == nil {
				have = map[string]uint64{}
			}
			have[string(dev)] = n
		}
	}
	if have == nil {
		return nil
	}
	if err := p.send(&protocol.Have{Has: have}); err != nil {
		return err
	}
	for dev, n := range have {
		told[app.DeviceID(dev)] = n
	}
	return nil
}

// pushed records that the peer now knows we hold dev's operations up to
// seq: we sent them. writeLoop's alone.
func (p *peer) pushed(dev app.DeviceID, seq uint64) {
	if told := p.tree.told; told != nil && told[dev] < seq {
		told[dev] = seq
	}
}

// received records a chunk of dev's operations up to last that the peer
// sent and that we stored (n of them new): the peer holds them. A chunk
// with nothing new came by a second path: prune this one.
func (p *peer) received(dev app.DeviceID, last uint64, n int) {
	if n > 0 {
		p.s.gained(dev)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.theirs != nil && p.theirs[dev] < last {
		p.theirs[dev] = last
	}
	if p.sent[dev] < last {
		p.sent[dev] = last
	}
	if n == 0 && p.room && !p.once && p.tree.push {
		p.tree.push, p.tree.prune, p.tree.graft = false, true, false
		p.log.Debug("pruned: pushed operations we held", "device", dev, "seq", last)
		p.poke()
	}
}

// gotRoom handles the messages of the room feature.
func (p *peer) gotRoom(m protocol.Message) {
	switch m := m.(type) {
	case *protocol.Have:
		p.mu.Lock()
		if p.theirs == nil {
			p.theirs = app.Vector{}
		}
		for dev, n := range m.Has {
			d := app.DeviceID(dev)
			p.theirs[d] = max(p.theirs[d], n)
			p.sent[d] = max(p.sent[d], n)
		}
		p.mu.Unlock()
	case *protocol.Prune:
		p.mu.Lock()
		if p.once { // leaving soon: keep both pushing until even
			p.tree.graft = true
		} else {
			p.tree.push, p.tree.graft = false, false
		}
		p.mu.Unlock()
	case *protocol.Graft:
		p.mu.Lock()
		p.tree.push, p.tree.prune = true, false
		p.mu.Unlock()
	case *protocol.Addrs:
		p.s.learnAddrs(p, m.List)
		return
	}
	p.poke()
}

// sendTreeChange sends the Prune or Graft that readLoop or a timer asked
// for.
func (p *peer) sendTreeChange() error {
	p.mu.Lock()
	prune, graft := p.tree.prune, p.tree.graft
	p.tree.prune, p.tree.graft = false, false
	p.mu.Unlock()
	switch {
	case prune:
		return p.send(&protocol.Prune{})
	case graft:
		return p.send(&protocol.Graft{})
	}
	return nil
}

// lagging lists the devices of which the peer announced operations that
// mine lacks, when it does not push them to us; nil otherwise.
func (p *peer) lagging(mine app.Vector) []app.DeviceID {
	if p.pushing() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var devs []app.DeviceID
	for dev, n := range p.theirs {
		if n > mine[dev] {
			devs = append(devs, dev)
		}
	}
	return devs
}

// maybeGraft asks the peer to push again when it still holds operations
// that did not come by the tree (see gained).
func (p *peer) maybeGraft() {
	mine, err := p.s.app.Vector()
	if err != nil {
		return
	}
	devs := p.lagging(mine)
	if len(devs) == 0 || !p.s.mayGraft(devs) {
		return
	}
	p.mu.Lock()
	p.tree.push, p.tree.graft, p.tree.prune = true, true, false
	p.mu.Unlock()
	p.log.Debug("grafted: the peer announced operations that did not come", "devices", len(devs))
}

// lagTimer runs while a peer has announced operations we lack.
type lagTimer struct {
	after time.Duration
	t     *time.Timer
}

// watch starts the timer when devs is not empty and it is not running,
// and stops it when devs is empty.
func (l *lagTimer) watch(devs []app.DeviceID) {
	switch {
	case len(devs) > 0 && l.t == nil:
		l.t = time.NewTimer(l.after)
	case len(devs) == 0 && l.t != nil:
		l.stop()
	}
}

// fired is the timer's channel; nil, which never fires, when stopped.
// After it fires, clear must be called.
func (l *lagTimer) fired() <-chan time.Time {
	if l.t == nil {
		return nil
	}
	return l.t.C
}

func (l *lagTimer) clear() { l.t = nil }

func (l *lagTimer) stop() {
	if l.t != nil {
		l.t.Stop()
		l.t = nil
	}
}

// gained records that operations of dev were just stored from a peer.
func (s *Service) gained(dev app.DeviceID) {
	s.treeMu.Lock()
	s.gain[dev] = time.Now()
	s.treeMu.Unlock()
}

// mayGraft decides whether a peer announcing operations of devs that we
// lack may be grafted: at most one graft per GraftAfter on this laptop
// (every peer announces the same operation at about the same time), and
// only for a device of which nothing came for GraftAfter.
func (s *Service) mayGraft(devs []app.DeviceID) bool {
	s.treeMu.Lock()
	defer s.treeMu.Unlock()
	now, after := time.Now(), s.opts.GraftAfter
	if now.Sub(s.lastGraft) < after {
		return false
	}
	for _, dev := range devs {
		if now.Sub(s.gain[dev]) >= after {
			s.lastGraft = now
			return true
		}
	}
	return false
}
