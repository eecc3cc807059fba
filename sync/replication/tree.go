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
// How long to wait before grafting is measured, as Plumtree's authors
// advise, not fixed: each laptop times how late operations come by the
// tree after their first announcement and waits twice the slowest of the
// latest arrivals, between a fifth of GraftAfter and GraftAfter (graftWait).
// In a quick room a broken link is repaired in a few hundred milliseconds;
// in a slow one (a hundred laptops on two cores) the wait grows to
// GraftAfter, so that operations still on their way are not asked for twice.
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
		p.s.gained(dev, last)
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
		p.s.announced(m.Has)
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
	p.s.grafting(devs)
	p.mu.Lock()
	p.tree.push, p.tree.graft, p.tree.prune = true, true, false
	p.mu.Unlock()
	p.log.Debug("grafted: the peer announced operations that did not come", "devices", len(devs))
}

// lagTimer runs while a peer has announced operations we lack.
type lagTimer struct {
	after func() time.Duration // read each time the timer starts
	t     *time.Timer
}

// watch starts the timer when devs is not empty and it is not running,
// and stops it when devs is empty.
func (l *lagTimer) watch(devs []app.DeviceID) {
	switch {
	case len(devs) > 0 && l.t == nil:
		l.t = time.NewTimer(l.after())
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

// gained records that operations of dev up to last were just stored from
// a peer, and times their arrival after their first announcement.
func (s *Service) gained(dev app.DeviceID, last uint64) {
	s.treeMu.Lock()
	defer s.treeMu.Unlock()
	now := time.Now()
	s.gain[dev] = now
	s.timing.arrived(dev, last, now)
}

// announced notes when a peer's Have first named each operation.
func (s *Service) announced(has map[string]uint64) {
	s.treeMu.Lock()
	defer s.treeMu.Unlock()
	now := time.Now()
	for dev, seq := range has {
		s.timing.announced(app.DeviceID(dev), seq, now)
	}
}

// grafting notes that operations of devs are being asked for: their
// arrival says nothing about the tree.
func (s *Service) grafting(devs []app.DeviceID) {
	s.treeMu.Lock()
	defer s.treeMu.Unlock()
	for _, dev := range devs {
		s.timing.grafted(dev)
	}
}

// graftWait is how long announced operations may take to come by the tree
// now (see treeTiming.wait).
func (s *Service) graftWait() time.Duration {
	s.treeMu.Lock()
	defer s.treeMu.Unlock()
	return s.timing.wait(s.opts.GraftAfter)
}

// mayGraft decides whether a peer announcing operations of devs that we
// lack may be grafted: at most one graft per graftWait on this laptop
// (every peer announces the same operation at about the same time), and
// only for a device of which nothing came for graftWait.
func (s *Service) mayGraft(devs []app.DeviceID) bool {
	s.treeMu.Lock()
	defer s.treeMu.Unlock()
	now, after := time.Now(), s.timing.wait(s.opts.GraftAfter)
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

// lagSamples is how many of the latest arrivals by the tree graftWait
// looks at: enough that one quick spell does not hide a slow tree, few
// enough that a room that got quicker is soon waited for less.
const lagSamples = 256

// treeTiming measures how late operations come by the tree after a peer
// first announced them. Under the Service's treeMu.
type treeTiming struct {
	first map[app.DeviceID]announcement // announced, not yet come
	held  map[app.DeviceID]uint64       // the highest operation that came from a peer
	lags  [lagSamples]time.Duration     // the latest arrivals, a ring
	n     int                           // arrivals timed so far
}

type announcement struct {
	seq     uint64
	at      time.Time
	grafted bool // asked for: its arrival is not the tree's
}

// announced notes the first announcement of dev's operations up to seq that
// have not come yet.
func (t *treeTiming) announced(dev app.DeviceID, seq uint64, now time.Time) {
	if seq <= t.held[dev] {
		return
	}
	if a, ok := t.first[dev]; ok && a.seq >= seq {
		return
	} else if ok { // later operations: keep the older, longer wait
		a.seq = seq
		t.first[dev] = a
		return
	}
	if t.first == nil {
		t.first = map[app.DeviceID]announcement{}
	}
	t.first[dev] = announcement{seq: seq, at: now}
}

// arrived notes that dev's operations up to last came from a peer, and
// times them when they were announced and not asked for.
func (t *treeTiming) arrived(dev app.DeviceID, last uint64, now time.Time) {
	if t.held == nil {
		t.held = map[app.DeviceID]uint64{}
	}
	t.held[dev] = max(t.held[dev], last)
	a, ok := t.first[dev]
	if !ok || last < a.seq {
		return
	}
	delete(t.first, dev)
	if !a.grafted {
		t.lags[t.n%lagSamples] = now.Sub(a.at)
		t.n++
	}
}

func (t *treeTiming) grafted(dev app.DeviceID) {
	if a, ok := t.first[dev]; ok {
		a.grafted = true
		t.first[dev] = a
	}
}

// wait is twice the latest arrivals' slowest, between ceiling/5 and
// ceiling; ceiling until an arrival was timed.
func (t *treeTiming) wait(ceiling time.Duration) time.Duration {
	if t.n == 0 {
		return ceiling
	}
	var slowest time.Duration
	for _, d := range t.lags[:min(t.n, lagSamples)] {
		slowest = max(slowest, d)
	}
	return min(ceiling, max(ceiling/5, 2*slowest))
}
