package replication

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/protocol"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// DefaultPort is the TCP port a laptop listens on unless told otherwise.
const DefaultPort = app.DefaultSyncPort

// Options configures a Service. The zero value listens nowhere, dials
// nobody and logs nothing.
type Options struct {
	// Listen is the address to accept peers on, such as ":24040"; empty
	// for none. Ignored when Listener is set.
	Listen string
	// Listener, when set, is used instead of Listen (tests pass one bound
	// to 127.0.0.1:0). Serve closes it.
	Listener net.Listener
	// Peers are addresses (host:port) to dial besides the remembered and
	// discovered ones.
	Peers []string
	// Discovery starts mDNS announcement and browsing (package discovery).
	Discovery bool
	// Log receives what happens; nil discards it.
	Log *slog.Logger
	// ChunkOps and ChunkBytes bound one Ops message; zero means 2000
	// operations and 3 MiB (under protocol.MaxFrame); ChunkOps above
	// protocol.MaxOps counts as MaxOps. The receiver stores
	// a chunk in one durable transaction: in a first sync of 100,000
	// operations, chunks of 2,000 instead of 1,000 (at most 1 MiB, about
	// 700 demo records) made it about a fifth faster.
	ChunkOps, ChunkBytes int
	// PingInterval is how often an idle connection is pinged; a peer silent
	// for three intervals is dropped. Zero means 15 s.
	PingInterval time.Duration
	// RetryInterval is the first delay before dialling an unreachable peer
	// again; it doubles up to a minute. Zero means 2 s.
	RetryInterval time.Duration
	// Known are addresses of other laptops of the room to know of without
	// insisting on them, as discovery finds them: dialled only to keep
	// MinPeers connections (see room.go).
	Known []string
	// MinPeers is how many connections the laptop keeps by dialling the
	// addresses it knows; zero means DefaultMinPeers. MaxPeers is the most
	// it keeps: one more makes room by closing another; zero means
	// DefaultMaxPeers.
	MinPeers, MaxPeers int
	// GraftAfter is how long announced operations may take to come by the
	// push tree before they are asked for (tree.go); zero means
	// DefaultGraftAfter.
	GraftAfter time.Duration

	// oldBuild plays a build without protocol.FeatureRoom (tests), and
	// noDrafts one with the room feature but without FeatureDrafts.
	oldBuild, noDrafts bool
}

// Service replicates one workspace with its peers. It is safe for
// concurrent use.
type Service struct {
	app  *app.Service
	opts Options
	log  *slog.Logger
	tcfg *transport.Config
	id   string // this laptop's peer id

	mu       sync.Mutex
	conns    map[string]*peer  // live connections by peer id
	addrPeer map[string]string // dial address -> the peer id found there
	targets  map[string]*target
	port     int // the port we listen on, 0 if none
	newAddr  chan struct{}

	treeMu    sync.Mutex
	gain      map[app.DeviceID]time.Time // when operations of a device last came
	lastGraft time.Time
	timing    treeTiming // how late operations come by the tree
}

// target is an address to dial: a laptop of the room (see room.go).
type target struct {
	dialing bool // a dial, or the connection it made, is under way
	next    time.Time
	backoff time.Duration
	manual  bool // given by the person (Options.Peers, AddPeer): preferred
	now     bool // AddPeer: dial it once whatever the budget
}

// New returns a replication service for svc, which must hold a workspace.
func New(svc *app.Service, o Options) (*Service, error) {
	ws := svc.Workspace()
	if ws == nil {
		return nil, &app.Error{Op: "sync", Kind: app.NotInitialized, Msg: "no workspace here yet; create one with init or join one with join"}
	}
	key, err := transportKey(svc)
	if err != nil {
		return nil, err
	}
	if o.ChunkOps <= 0 {
		o.ChunkOps = 2000
	}
	o.ChunkOps = min(o.ChunkOps, protocol.MaxOps) // more is refused by every peer
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = 3 << 20
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 15 * time.Second
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = 2 * time.Second
	}
	if o.MinPeers <= 0 {
		o.MinPeers = DefaultMinPeers
	}
	if o.MaxPeers <= 0 {
		o.MaxPeers = DefaultMaxPeers
	}
	o.MaxPeers = max(o.MaxPeers, o.MinPeers)
	if o.GraftAfter <= 0 {
		o.GraftAfter = DefaultGraftAfter
	}
	lg := o.Log
	if lg == nil {
		lg = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg := &transport.Config{Key: key, Workspace: string(ws.ID), Secret: ws.Secret, Features: protocol.Features}
	if o.oldBuild {
		cfg.Features = 0
	}
	if o.noDrafts {
		cfg.Features &^= protocol.FeatureDrafts | protocol.FeatureRoles
	}
	s := &Service{app: svc, opts: o, log: lg, tcfg: cfg, id: cfg.ID(),
		conns: map[string]*peer{}, addrPeer: map[string]string{}, targets: map[string]*target{},
		newAddr: make(chan struct{}, 1), gain: map[app.DeviceID]time.Time{}}
	for _, a := range o.Peers {
		s.addTarget(a, true)
	}
	for _, a := range o.Known {
		s.addTarget(a, false)
	}
	return s, nil
}

// ID returns this laptop's peer id.
func (s *Service) ID() string { return s.id }

// AddPeer adds an address (host:port) to dial now and to prefer from then
// on.
func (s *Service) AddPeer(addr string) {
	s.addTarget(addr, true)
	s.mu.Lock()
	t := s.targets[addr]
	t.now, t.next = true, time.Time{}
	s.mu.Unlock()
}

// AddKnown adds the address of a laptop of the room, dialled only as
// needed to keep MinPeers connections, as discovery does.
func (s *Service) AddKnown(addr string) { s.addTarget(addr, false) }

func (s *Service) addTarget(addr string, manual bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.targets[addr]; ok {
		t.manual = t.manual || manual
		return
	}
	if !manual && len(s.targets) >= maxTargets {
		return
	}
	s.targets[addr] = &target{manual: manual, backoff: s.opts.RetryInterval}
	s.poke()
}

// poke wakes the dial loop.
func (s *Service) poke() {
	select {
	case s.newAddr <- struct{}{}:
	default:
	}
}

// Peers returns the remembered peers, with those connected now marked.
func (s *Service) Peers() ([]Peer, error) {
	list, err := RememberedPeers(s.app)
	if err != nil {
		return nil, err
	}
	mine, err := s.app.Vector()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range list {
		p, ok := s.conns[list[i].ID]
		list[i].Connected = ok
		if ok {
			list[i].Pending = p.pending(mine)
			p.mu.Lock()
			list[i].Clock, list[i].ClockKnown = p.clock, p.clockKnown
			p.mu.Unlock()
			list[i].Outdated = p.outdated()
		}
	}
	return list, nil
}

// Serve listens (if configured), dials the known peers and replicates with
// every connected peer until ctx is cancelled. It returns nil then, or an
// error if it cannot listen.
func (s *Service) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()

	ln := s.opts.Listener
	if ln == nil && s.opts.Listen != "" {
		var err error
		if ln, err = net.Listen("tcp", s.opts.Listen); err != nil {
			return fmt.Errorf("sync: listen: %w", err)
		}
	}
	if ln != nil {
		if a, ok := ln.Addr().(*net.TCPAddr); ok {
			s.mu.Lock()
			s.port = a.Port
			s.mu.Unlock()
		}
		s.log.Info("listening for peers", "addr", ln.Addr().String(), "id", s.id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.accept(ctx, ln, &wg)
		}()
		context.AfterFunc(ctx, func() { ln.Close() })
	}
	if remembered, err := RememberedPeers(s.app); err == nil {
		for _, p := range remembered {
			if p.Addr != "" {
				s.addTarget(p.Addr, false)
			}
		}
	}
	if s.opts.Discovery {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.discover(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("discovery stopped", "err", err)
			}
		}()
	}
	s.dialLoop(ctx, &wg)
	return nil
}

// accept runs the handshake on each incoming connection.
func (s *Service) accept(ctx context.Context, ln net.Listener, wg *sync.WaitGroup) {
	for {
		raw, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("accept", "err", err)
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
			}
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.ServeConn(ctx, raw, false, "")
		}()
	}
}

// dialLoop dials the targets the connection budget asks for (room.go),
// with backoff.
func (s *Service) dialLoop(ctx context.Context, wg *sync.WaitGroup) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		for _, addr := range s.toDial(time.Now()) {
			t := s.targets[addr]
			t.dialing, t.now = true, false
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.dialOnce(ctx, addr)
				s.mu.Lock()
				t.dialing = false
				switch {
				case madeRoom(err):
					t.next = time.Now().Add(roomBackoff)
				case err != nil:
					t.next = time.Now().Add(t.backoff)
					t.backoff = min(2*t.backoff, time.Minute)
				default:
					t.next = time.Now().Add(s.opts.RetryInterval)
					t.backoff = s.opts.RetryInterval
				}
				s.mu.Unlock()
				s.poke() // the budget may ask for another
			}()
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.newAddr:
		}
	}
}

// dialOnce dials addr and replicates until the connection ends.
func (s *Service) dialOnce(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: transport.HandshakeTimeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		s.log.Debug("cannot reach peer", "addr", addr, "err", err)
		return err
	}
	return s.ServeConn(ctx, raw, true, addr)
}

// ServeConn runs the handshake on raw, a connection this laptop dialled
// (dialled true, addr where to) or accepted, then replicates over it until
// ctx is cancelled, the connection fails or the peer misbehaves; in every
// case it closes raw and logs why. The error says why the connection
// ended: nil when ctx was cancelled or the peer said goodbye.
func (s *Service) ServeConn(ctx context.Context, raw net.Conn, dialled bool, addr string) error {
	p, err := s.handshake(ctx, raw, dialled, addr)
	if err != nil {
		return err
	}
	return p.run(ctx, false)
}

// handshake authenticates raw and exchanges who is who.
func (s *Service) handshake(ctx context.Context, raw net.Conn, dialled bool, addr string) (*peer, error) {
	remote := raw.RemoteAddr().String()
	var c *transport.Conn
	var err error
	// The workspace's join key as it is now: a removal replaces it
	// (app/epoch.go), and the keys before it still let in the laptops
	// that have not heard, if they prove who they are (peer.prove).
	cfg := *s.tcfg
	if ws := s.app.Workspace(); ws != nil {
		cfg.Secret, cfg.Past = ws.Secret, ws.Past
	}
	if dialled {
		c, err = cfg.Client(ctx, raw)
	} else {
		c, err = cfg.Server(ctx, raw)
	}
	if err != nil {
		if errors.Is(err, transport.ErrNotMember) {
			s.log.Warn("refused peer: it does not hold this workspace's join code", "remote", remote, "dialled", dialled)
		} else {
			s.log.Warn("handshake failed", "remote", remote, "dialled", dialled, "err", err)
		}
		return nil, &PeerError{Addr: firstNonEmpty(addr, remote), Err: err}
	}
	if c.PeerID == s.id {
		s.mu.Lock()
		if addr != "" {
			s.addrPeer[addr] = s.id
		}
		s.mu.Unlock()
		c.Close()
		return nil, &PeerError{Addr: firstNonEmpty(addr, remote), Err: errSelf}
	}
	if addr != "" {
		s.mu.Lock()
		s.addrPeer[addr] = c.PeerID
		s.mu.Unlock()
	}
	return newPeer(s, c, dialled, addr), nil
}

var errSelf = errors.New("this is ourselves")

// PeerError says which peer a connection failed with.
type PeerError struct {
	Addr string
	Err  error
}

func (e *PeerError) Error() string { return fmt.Sprintf("peer %s: %v", e.Addr, e.Err) }
func (e *PeerError) Unwrap() error { return e.Err }

// SyncOnce dials every address in addrs, replicates with each until both
// sides hold the same operations, and returns. The error joins one
// *PeerError per peer that could not be reached, refused us, misbehaved or
// went away before the end.
func (s *Service) SyncOnce(ctx context.Context, addrs []string) error {
	errs := make([]error, len(addrs))
	var wg sync.WaitGroup
	for i, addr := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A peer that still holds our previous connection refuses the
			// new one; it lets go within moments, so try again for a second.
			for attempt := 0; ; attempt++ {
				d := net.Dialer{Timeout: transport.HandshakeTimeout}
				raw, err := d.DialContext(ctx, "tcp", addr)
				if err != nil {
					errs[i] = &PeerError{Addr: addr, Err: err}
					return
				}
				p, err := s.handshake(ctx, raw, true, addr)
				if err != nil {
					errs[i] = err
					return
				}
				err = p.run(ctx, true)
				if errors.Is(err, errBusy) {
					if attempt == 10 {
						// After a second it is not our last sync the peer
						// holds but a live connection between the two
						// services, which keeps them in sync by itself.
						s.log.Info("already connected to this peer; that connection syncs", "addr", addr)
						return
					}
					select {
					case <-ctx.Done():
						errs[i] = &PeerError{Addr: addr, Err: ctx.Err()}
						return
					case <-time.After(100 * time.Millisecond):
					}
					continue
				}
				if err != nil {
					errs[i] = &PeerError{Addr: addr, Err: err}
				}
				return
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// register records p as the connection to its peer. When both laptops
// dialled each other at once, both keep the connection dialled by the one
// with the smaller id and close the other.
func (s *Service) register(p *peer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.conns[p.id]
	if old != nil {
		if !s.preferred(p) || s.preferred(old) {
			return false
		}
		old.stop(errDuplicate)
	} else if len(s.conns) >= s.opts.MaxPeers {
		s.makeRoom(p)
	}
	s.conns[p.id] = p
	return true
}

func (s *Service) preferred(p *peer) bool {
	return p.dialled == (s.id < p.id)
}

func (s *Service) unregister(p *peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[p.id] == p {
		delete(s.conns, p.id)
	}
	s.poke()
}

var errDuplicate = errors.New("already connected to this peer")

// remember records a peer in the list kept between runs.
func (s *Service) remember(p *peer, synced bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, _ := loadPeers(s.app)
	r := m[p.id]
	r.ID, r.Device, r.Name, r.LastSeen = p.id, app.DeviceID(p.info.Device), p.info.Name, time.Now().UTC().Truncate(time.Second)
	if p.dialled && p.addr != "" {
		r.Addr = p.addr
	} else if p.info.Listen != 0 {
		if host, _, err := net.SplitHostPort(p.c.RemoteAddr().String()); err == nil {
			r.Addr = net.JoinHostPort(host, strconv.Itoa(int(p.info.Listen)))
		}
	}
	if synced {
		r.LastSync = r.LastSeen
	}
	m[p.id] = r
	if err := savePeers(s.app, m); err != nil {
		s.log.Warn("cannot remember peer", "peer", p.id, "err", err)
	}
}

// forget drops a peer from the list kept between runs.
func (s *Service) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, _ := loadPeers(s.app)
	if _, ok := m[id]; ok {
		delete(m, id)
		savePeers(s.app, m)
	}
}

func (s *Service) listenPort() uint16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint16(s.port)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// NewReplicator is New for callers that know only app's interface: main
// hands it to the ui.
func NewReplicator(svc *app.Service, o app.SyncOptions) (app.Replicator, error) {
	return New(svc, Options{Listen: o.Listen, Peers: o.Peers, Discovery: o.Discovery, Log: o.Log})
}

var _ app.Replicator = (*Service)(nil)
