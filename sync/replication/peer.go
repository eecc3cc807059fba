package replication

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/protocol"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// peer is one authenticated connection.
type peer struct {
	once    bool // syncing until even, then leaving (SyncOnce)
	s       *Service
	c       *transport.Conn
	id      string
	dialled bool
	addr    string
	info    protocol.Info
	log     *slog.Logger

	// room: the connection speaks protocol.FeatureRoom (see tree.go);
	// without it, version 3 as first released.
	room bool
	// drafts: the peer reads drafting operations (protocol.FeatureDrafts);
	// without it, heldBack says from which operation on each device's are
	// held back (outdated.go).
	drafts bool
	// roles: the peer reads role operations (protocol.FeatureRoles); held
	// back like drafting ones without it.
	roles    bool
	heldBack map[app.DeviceID]uint64

	wake chan struct{} // the peer told us something: its vector, a prune, a graft

	mu       sync.Mutex
	theirs   app.Vector // what the peer said it holds, or sent us; nil until its vector
	sent     app.Vector // theirs, plus what we sent it since
	recvHigh app.Vector // the highest sequence it sent us, per device
	cause    error      // why the connection is ending, first reason wins
	cancel   context.CancelFunc
	tree     treeLink // whether we push to each other, and what to tell

	opsIn, opsOut int
	// clock is how far the peer's clock is ahead of ours, from the
	// time in its last Info or Ping; clockKnown once it has said.
	clock      time.Duration
	clockKnown bool
	leaveBulk  func() // set while receiving a large backlog; readLoop's alone

	body protocol.OpsBody // the chunk being sent; writeLoop's alone
}

// Misbehaviour: the peer broke the protocol or sent something we must not
// store. The connection is closed and the reason logged.
type Misbehaviour struct{ Reason string }

func (e *Misbehaviour) Error() string { return "misbehaving peer: " + e.Reason }

func misbehaving(format string, a ...any) error {
	return &Misbehaviour{Reason: fmt.Sprintf(format, a...)}
}

// PeerClosed: the peer ended the connection and said why.
type PeerClosed struct{ Reason string }

func (e *PeerClosed) Error() string { return "the peer closed the connection: " + e.Reason }

const reasonDone = "sync done"

// The reasons a laptop is refused after it said who it is.
const (
	ReasonRemoved  = "this laptop was removed from the workspace; what it already holds stays on it, but it receives nothing new"
	ReasonRekeyed  = "the workspace's join code changed after a member was removed; ask a member for a new invitation"
	reasonNotProof = "it is not the laptop it says it is"
)

func newPeer(s *Service, c *transport.Conn, dialled bool, addr string) *peer {
	return &peer{s: s, c: c, id: c.PeerID, dialled: dialled, addr: addr,
		room: c.Features&protocol.FeatureRoom != 0, drafts: c.Features&protocol.FeatureDrafts != 0,
		roles: c.Features&protocol.FeatureRoles != 0,
		log:   s.log.With("peer", c.PeerID, "remote", c.RemoteAddr().String()),
		wake:  make(chan struct{}, 1), sent: app.Vector{}, recvHigh: app.Vector{},
		tree: treeLink{push: true}}
}

// stop ends the connection for reason err, if it is not ending already.
func (p *peer) stop(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cause == nil {
		p.cause = err
	}
	if p.cancel != nil {
		p.cancel()
	}
}

// run replicates until the connection ends. In once mode it ends the
// connection itself as soon as both sides hold the same operations.
func (p *peer) run(ctx context.Context, once bool) error {
	defer p.c.Close()
	p.once = once
	ws := p.s.app.Workspace()
	p.c.SetDeadline(time.Now().Add(transport.HandshakeTimeout))
	mine := protocol.Info{Device: string(p.s.app.Device()), Name: p.s.name(), Title: ws.Title, Listen: p.s.listenPort(), Time: p.s.app.Now().UnixMilli()}
	sent := make(chan error, 1)
	go func() { sent <- p.c.Send(&mine) }()
	m, err := p.c.Recv()
	if serr := <-sent; err == nil {
		err = serr
	}
	if err != nil {
		return p.end(fmt.Errorf("exchanging info: %w", err))
	}
	info, ok := m.(*protocol.Info)
	if !ok {
		return p.end(misbehaving("sent %s before info", m.Type()))
	}
	p.info = *info
	if err := p.prove(); err != nil {
		return p.end(err)
	}
	p.c.SetDeadline(time.Time{})
	p.log = p.log.With("device", info.Device)
	p.adoptTitle(info.Title)
	p.heardTime(info.Time)

	if !once {
		if !p.s.register(p) {
			p.send(&protocol.Close{Reason: errDuplicate.Error()})
			p.log.Debug("duplicate connection closed")
			return nil
		}
		defer p.s.unregister(p)
	}
	p.log.Info("peer connected", "name", info.Name, "room", p.room)
	p.s.remember(p, false)

	ctx, cancel := context.WithCancel(ctx)
	p.mu.Lock()
	p.cancel = cancel
	cause := p.cause
	p.mu.Unlock()
	if cause != nil { // stopped while shaking hands
		cancel()
	}
	context.AfterFunc(ctx, func() { p.c.SetDeadline(time.Unix(1, 0)) })

	var wg sync.WaitGroup
	wg.Add(3)
	frames := make(chan frame, 1)
	go func() {
		defer wg.Done()
		p.recvLoop(ctx, frames)
	}()
	go func() {
		defer wg.Done()
		p.stop(p.readLoop(ctx, frames))
		for range frames { // until recvLoop sees ctx end
		}
	}()
	go func() {
		defer wg.Done()
		p.stop(p.writeLoop(ctx, once))
	}()
	wg.Wait()
	cancel()
	return p.end(nil)
}

// end logs why the connection ends, tells the peer when it is our doing,
// and returns the reason (nil for a normal end).
func (p *peer) end(err error) error {
	p.mu.Lock()
	if p.cause == nil {
		p.cause = err
	}
	err = p.cause
	p.mu.Unlock()
	var mb *Misbehaviour
	var pc *PeerClosed
	var rp *ReceivePaused
	switch {
	case errors.As(err, &rp):
		// Nothing of the chunk was stored: the peer sends it again when
		// the dial loop (or the peer's) reconnects, with its backoff,
		// and then the disk may have room again.
		p.log.Warn("receiving paused: this laptop's disk is full", "reason", rp.Err, "ops_in", p.opsIn, "ops_out", p.opsOut)
		p.sendFinal(reasonDiskFull)
		return err
	case errors.As(err, &mb):
		p.log.Warn("closing connection to misbehaving peer", "reason", mb.Reason)
		p.sendFinal(mb.Reason)
		p.s.forget(p.id)
		return err
	case errors.As(err, &pc):
		if pc.Reason == errDuplicate.Error() && p.once {
			// The peer still holds our previous connection: nothing was
			// exchanged, so this is no success; SyncOnce tries again.
			return errBusy
		}
		if pc.Reason == reasonRoom {
			p.log.Info("peer closed the connection to make room; trying another", "ops_in", p.opsIn, "ops_out", p.opsOut)
			return err
		}
		if pc.Reason == reasonDone || pc.Reason == errDuplicate.Error() {
			if pc.Reason == reasonDone {
				p.s.remember(p, true) // the peer found both in sync
			}
			p.log.Info("peer disconnected", "reason", pc.Reason, "ops_in", p.opsIn, "ops_out", p.opsOut)
			return nil
		}
		p.log.Warn("peer closed the connection", "reason", pc.Reason)
		return err
	case errors.Is(err, errDone):
		p.sendFinal(reasonDone)
		p.s.remember(p, true)
		p.log.Info("in sync; disconnecting", "ops_in", p.opsIn, "ops_out", p.opsOut)
		return nil
	case errors.Is(err, errDuplicate):
		p.sendFinal(errDuplicate.Error())
		return nil
	case errors.Is(err, errMakeRoom):
		p.sendFinal(reasonRoom)
		p.log.Info("closed to make room for another laptop", "ops_in", p.opsIn, "ops_out", p.opsOut)
		return nil
	case err == nil || errors.Is(err, context.Canceled):
		p.sendFinal("shutting down")
		p.log.Info("disconnected", "ops_in", p.opsIn, "ops_out", p.opsOut)
		return nil
	}
	p.log.Warn("connection lost", "err", err, "ops_in", p.opsIn, "ops_out", p.opsOut)
	return err
}

var errDone = errors.New(reasonDone)

// reasonDiskFull is the Close reason of a laptop whose disk is full.
const reasonDiskFull = "receiving paused: this laptop's disk is full"

// ReceivePaused ends a connection when this laptop's disk has no room for
// what the peer sends (Err is of kind app.DiskFull, with the free space
// needed). Nothing of the chunk is stored; syncing resumes by itself at a
// later connection once the space is back.
type ReceivePaused struct{ Err error }

func (e *ReceivePaused) Error() string {
	return "receiving paused until the disk has room: " + e.Err.Error()
}
func (e *ReceivePaused) Unwrap() error { return e.Err }

// errBusy ends a once-mode connection that the peer refused because it
// still holds an earlier one from this laptop.
var errBusy = errors.New("the peer is still finishing an earlier sync with this laptop")

// sendFinal tells the peer why we close, without waiting long.
func (p *peer) sendFinal(reason string) {
	p.c.SetWriteDeadline(time.Now().Add(time.Second))
	p.c.Send(&protocol.Close{Reason: reason})
}

func (p *peer) send(m protocol.Message) error {
	p.c.SetWriteDeadline(time.Now().Add(3 * p.s.opts.PingInterval))
	return p.c.Send(m)
}

// sendOps sends the chunk in p.body, as send would send it as an Ops.
func (p *peer) sendOps() error {
	p.c.SetWriteDeadline(time.Now().Add(3 * p.s.opts.PingInterval))
	return p.c.SendOps(&p.body)
}

// adoptTitle learns the workspace title from a peer when this laptop only
// has the placeholder Join gave it.
func (p *peer) adoptTitle(title string) {
	cur := p.s.app.Workspace().Title
	if title == "" || strings.HasPrefix(title, "(joining ") || !strings.HasPrefix(cur, "(joining ") {
		return
	}
	if err := p.s.app.SetWorkspaceTitle(title); err != nil {
		p.log.Warn("cannot record the workspace title", "err", err)
	}
}

// heardTime compares the wall clock the peer sent, in Unix milliseconds,
// with ours, and logs when it is off by more than app.ClockWarnOffset
// (when first seen so, and when it is set right). Zero means the peer did
// not say. On a LAN the message took milliseconds, which is nothing next
// to the minutes that matter.
func (p *peer) heardTime(ms int64) {
	if ms == 0 {
		return
	}
	d := time.UnixMilli(ms).Sub(p.s.app.Now())
	p.mu.Lock()
	was, known := p.clock, p.clockKnown
	p.clock, p.clockKnown = d, true
	p.mu.Unlock()
	wasOff := known && (was > app.ClockWarnOffset || was < -app.ClockWarnOffset)
	off := d > app.ClockWarnOffset || d < -app.ClockWarnOffset
	switch {
	case off && !wasOff:
		p.log.Warn("the peer's clock differs from this laptop's", "name", p.info.Name, "by", d.Round(time.Second).String())
	case wasOff && !off:
		p.log.Info("the peer's clock agrees with this laptop's again", "name", p.info.Name)
	}
}

// frame is a message read ahead, or why reading stopped.
type frame struct {
	m   protocol.Message
	err error
	ops *app.Decoded // an Ops message's operations, decoded ahead
}

// recvLoop reads messages ahead of readLoop, so that reading and decoding
// the next chunk overlaps storing this one. It closes out when ctx ends.
func (p *peer) recvLoop(ctx context.Context, out chan<- frame) {
	defer close(out)
	for {
		p.c.SetReadDeadline(time.Now().Add(3 * p.s.opts.PingInterval))
		// Stopping sets a deadline in the past to interrupt Recv; if it came
		// just before the line above, that line undid it, and Recv would wait
		// for the peer's next ping (15 s). Stopping cancels ctx first, so
		// looking at ctx here closes that window.
		if ctx.Err() != nil {
			return
		}
		m, err := p.c.Recv()
		if ctx.Err() != nil {
			return
		}
		f := frame{m: m, err: err}
		if ops, ok := m.(*protocol.Ops); ok && err == nil {
			// Decoding needs nothing the previous chunk stores, so it
			// runs while readLoop stores that one (and waits for the disk).
			f.ops = p.s.app.Decode(ops.Ops)
		}
		select {
		case out <- f:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// readLoop applies the messages recvLoop reads.
func (p *peer) readLoop(ctx context.Context, in <-chan frame) error {
	defer p.bulk(false)
	for f := range in {
		m, err := f.m, f.err
		if err != nil {
			switch {
			case errors.Is(err, protocol.ErrMalformed), errors.Is(err, protocol.ErrFrameSize):
				return misbehaving("%v", err)
			case errors.Is(err, io.EOF):
				return &PeerClosed{Reason: "connection closed without a goodbye"}
			}
			return err
		}
		switch m := m.(type) {
		case *protocol.Vector:
			if err := p.gotVector(m); err != nil {
				return err
			}
		case *protocol.Ops:
			if err := p.receive(m, f.ops); err != nil {
				return err
			}
		case *protocol.Ping:
			p.heardTime(m.Time)
		case *protocol.Close:
			return &PeerClosed{Reason: m.Reason}
		case *protocol.Have, *protocol.Prune, *protocol.Graft, *protocol.Addrs:
			if !p.room {
				return misbehaving("sent %s on a connection without the room feature", m.Type())
			}
			p.gotRoom(m)
		default:
			return misbehaving("unexpected %s message", m.Type())
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return ctx.Err()
}

func (p *peer) gotVector(m *protocol.Vector) error {
	v := make(app.Vector, len(m.Has))
	for dev, n := range m.Has {
		v[app.DeviceID(dev)] = n
	}
	p.mu.Lock()
	p.theirs = v
	raise(p.sent, v)
	p.mu.Unlock()
	p.poke()
	return nil
}

// poke wakes writeLoop.
func (p *peer) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// raise sets each entry of v below the one of w to w's.
func raise(v, w app.Vector) {
	for dev, n := range w {
		if n > v[dev] {
			v[dev] = n
		}
	}
}

// receive checks a chunk of operations and stores it.
func (p *peer) receive(m *protocol.Ops, dec *app.Decoded) error {
	if dec == nil {
		dec = p.s.app.Decode(m.Ops)
	}
	ids := dec.IDs() // nil when some did not decode: then only the addresses
	var dev app.DeviceID
	var first, last uint64
	for i, raw := range m.Ops {
		var o app.OpID
		if ids != nil {
			o = ids[i]
		} else {
			var err error
			if o, err = app.PeekOpID(raw); err != nil {
				return misbehaving("sent an undecodable operation: %v", err)
			}
		}
		if i == 0 {
			dev, first, last = o.Device, o.Seq, o.Seq
			continue
		}
		if o.Device != dev || o.Seq != last+1 {
			return misbehaving("sent a chunk that mixes devices or skips sequence numbers (%s after %s/%d)", o, dev, last)
		}
		last = o.Seq
	}
	if first <= p.recvHigh[dev] {
		return misbehaving("replayed operations of %s from %d that it had already sent (up to %d)", dev, first, p.recvHigh[dev])
	}
	have, err := p.s.app.Vector()
	if err != nil {
		return err
	}
	if first > have[dev]+1 {
		return misbehaving("sent operations of %s from %d, but we hold only up to %d: a gap", dev, first, have[dev])
	}
	// A full disk would refuse the chunk anyway; asking first keeps the
	// chunk from being checked for nothing, and says why receiving stops.
	if err := p.s.app.Room(); app.KindOf(err) == app.DiskFull {
		return &ReceivePaused{Err: err}
	}
	p.bulk(p.lacking(have) > bulkBacklog)
	n, err := p.s.app.ReceiveDecoded(dec)
	if err != nil {
		switch app.KindOf(err) {
		case app.DiskFull:
			return &ReceivePaused{Err: err}
		case app.Corrupt, app.Invalid, app.Foreign:
			return misbehaving("sent a bad operation: %v", err)
		}
		return fmt.Errorf("storing operations: %w", err)
	}
	p.recvHigh[dev] = last
	p.opsIn += n
	p.received(dev, last, n)
	return nil
}

// writeLoop keeps the peer told: whenever our store changes or the peer
// says something, it pushes what the peer lacks (when we push to it), then
// tells what we hold that the peer does not know of (announce), then any
// prune or graft readLoop asked for. In once mode it ends with errDone
// when both sides are even.
func (p *peer) writeLoop(ctx context.Context, once bool) error {
	ping := time.NewTicker(p.s.opts.PingInterval)
	defer ping.Stop()
	var check <-chan time.Time
	if once {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		check = t.C
	}
	lag := lagTimer{after: p.s.graftWait}
	defer lag.stop()
	if p.room && !once { // a once sync teaches no addresses: it is leaving
		if err := p.send(&protocol.Addrs{List: p.s.addrsFor(p)}); err != nil {
			return err
		}
	}
	for {
		changed := p.s.app.OpsChanged()
		mine, err := p.s.app.Vector()
		if err != nil {
			return err
		}
		if p.tree.told == nil { // our whole vector comes first
			if err := p.announce(p.reachable(mine)); err != nil {
				return err
			}
		}
		// Until the peer says what it holds, we cannot know what it lacks.
		if p.heard() && p.pushing() {
			if err := p.sendMissing(ctx, mine); err != nil {
				return err
			}
		}
		if err := p.announce(p.reachable(mine)); err != nil {
			return err
		}
		if err := p.sendTreeChange(); err != nil {
			return err
		}
		if once && p.even(p.reachable(mine)) {
			return errDone
		}
		lag.watch(p.lagging(mine))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-p.wake:
		case <-check:
		case <-lag.fired():
			lag.clear()
			p.maybeGraft()
		case <-ping.C:
			if err := p.send(&protocol.Ping{Time: p.s.app.Now().UnixMilli()}); err != nil {
				return err
			}
		}
	}
}

// heard reports whether the peer has said what it holds.
func (p *peer) heard() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.theirs != nil
}

// sendMissing sends what the peer lacks of mine, a chunk per device in
// turn, until it lacks nothing we know of.
func (p *peer) sendMissing(ctx context.Context, mine app.Vector) error {
	for {
		p.mu.Lock()
		missing := p.sendable(p.sent.Missing(mine))
		p.mu.Unlock()
		if len(missing) == 0 || !p.pushing() { // pruned meanwhile
			return nil
		}
		for _, from := range missing {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// Never past what our vector says we hold without a gap.
			limit := min(uint64(p.s.opts.ChunkOps), mine[from.Device]-from.Seq)
			p.body.Reset()
			err := p.s.app.EachOpAfter(from.Device, from.Seq, int(limit), p.s.opts.ChunkBytes, func(enc []byte) error {
				if (!p.drafts && app.NeedsDrafting(enc)) || (!p.roles && app.NeedsRoles(enc)) {
					return errHoldBack
				}
				p.body.Add(enc)
				return nil
			})
			n := p.body.Len()
			if errors.Is(err, errHoldBack) {
				p.holdBack(from.Device, from.Seq+uint64(n)+1)
				if n == 0 {
					continue
				}
			} else if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("the store holds no operations of %s after %d although its vector says so", from.Device, from.Seq)
			}
			if err := p.sendOps(); err != nil {
				return err
			}
			p.mu.Lock()
			p.sent[from.Device] = from.Seq + uint64(n)
			p.opsOut += n
			p.mu.Unlock()
			p.pushed(from.Device, from.Seq+uint64(n))
		}
	}
}

// even reports whether the peer said it holds exactly what we hold.
func (p *peer) even(mine app.Vector) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.theirs != nil && p.theirs.Covers(mine) && mine.Covers(p.theirs)
}

func vectorMsg(v app.Vector) *protocol.Vector {
	m := &protocol.Vector{Has: make(map[string]uint64, len(v))}
	for dev, n := range v {
		m.Has[string(dev)] = n
	}
	return m
}

func equal(a, b app.Vector) bool { return len(a) == len(b) && a.Covers(b) }

// name is how this laptop introduces itself.
func (s *Service) name() string {
	if n := s.app.Setting("name"); n != "" {
		return n
	}
	return string(s.app.Device())
}

// bulk puts the garbage collector in bulk mode (see enterBulk) while on is
// set. Only readLoop calls it.
func (p *peer) bulk(on bool) {
	switch {
	case on && p.leaveBulk == nil:
		p.leaveBulk = enterBulk()
		p.log.Debug("receiving a large backlog")
	case !on && p.leaveBulk != nil:
		p.leaveBulk()
		p.leaveBulk = nil
	}
}

// lacking counts the operations the peer holds, as it last said, that are
// not in mine.
func (p *peer) lacking(mine app.Vector) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for dev, t := range p.theirs {
		if k := mine[dev]; t > k {
			n += int(t - k)
		}
	}
	return n
}

// pending counts the operations one side holds that the other has not said
// it holds: what this connection still has to move, both ways.
func (p *peer) pending(mine app.Vector) int {
	mine = p.reachable(mine)
	p.mu.Lock()
	n := 0
	for dev, k := range mine {
		if t := p.theirs[dev]; k > t {
			n += int(k - t)
		}
	}
	p.mu.Unlock()
	return n + p.lacking(mine)
}

// prove exchanges proofs of who is at either end (protocol.FeatureRoles)
// and refuses a laptop that was removed, one that is not the laptop it
// names, and an unknown laptop that came in with a join key from before
// a removal (a removed laptop posing as a new one): each is told why in a
// Close, which it shows as the reason its sync stopped.
func (p *peer) prove() error {
	if p.c.Features&protocol.FeatureRoles == 0 {
		return nil
	}
	sent := make(chan error, 1)
	go func() { sent <- p.c.Send(&protocol.Proof{Sig: p.s.app.ProveDevice(p.c.Exporter)}) }()
	m, err := p.c.Recv()
	if serr := <-sent; err == nil {
		err = serr
	}
	if err != nil {
		if c, ok := m.(*protocol.Close); ok {
			return &PeerClosed{Reason: c.Reason}
		}
		return fmt.Errorf("exchanging proofs: %w", err)
	}
	if c, ok := m.(*protocol.Close); ok {
		return &PeerClosed{Reason: c.Reason}
	}
	proof, ok := m.(*protocol.Proof)
	if !ok {
		return misbehaving("sent %s before its proof", m.Type())
	}
	dev := app.DeviceID(p.info.Device)
	known, valid := p.s.app.CheckDevice(dev, p.c.Exporter, proof.Sig)
	var reason string
	switch {
	case known && !valid:
		reason = reasonNotProof
	case p.s.app.LaptopRemoved(dev):
		reason = ReasonRemoved
	case p.c.Past && !known:
		reason = ReasonRekeyed
	default:
		return nil
	}
	p.send(&protocol.Close{Reason: reason})
	p.log.Warn("refused peer", "device", dev, "name", p.info.Name, "why", reason)
	return &Refused{Device: dev, Reason: reason}
}

// Refused: this laptop refused the peer after it said who it is.
type Refused struct {
	Device app.DeviceID
	Reason string
}

func (e *Refused) Error() string { return fmt.Sprintf("refused laptop %s: %s", e.Device, e.Reason) }
