package replication

// The connection budget: in a room of a hundred laptops each keeps a few
// connections, not ninety-nine, and knows the rest by address.
//
// A laptop dials the addresses it knows (given, remembered, discovered,
// or learnt from peers in Addrs) only while it has fewer than MinPeers
// connections, preferring those a person gave; AddPeer dials at once. It
// accepts every laptop that dials it, and past MaxPeers makes room by
// closing one of the connections it accepted, chosen at random; the laptop
// closed on tries another address and leaves this one alone for a while.
// Each side of a new connection sends Addrs, where its other peers listen,
// so a laptop given one address learns the room. Laptops dialling random
// others make a random graph in which every laptop has at least MinPeers
// links: connected with overwhelming probability (HyParView's active view,
// Leitão et al. 2007, without its shuffles, which the Addrs and discovery
// make unnecessary here).

import (
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	"github.com/cartagena-c40/consulta/sync/protocol"
)

// The default connection budget.
const (
	DefaultMinPeers = 3
	DefaultMaxPeers = 8
)

const (
	// maxTargets bounds the addresses a laptop keeps from discovery and
	// from peers.
	maxTargets = 1024
	// roomBackoff is how long a laptop leaves alone a peer that closed
	// the connection to make room.
	roomBackoff = 30 * time.Second
)

// reasonRoom is the Close reason of a laptop making room for another.
const reasonRoom = "closed to make room for another laptop: each keeps a few connections, and this one will sync through another"

var errMakeRoom = errors.New(reasonRoom)

// madeRoom reports whether err ended a connection the peer closed to make
// room.
func madeRoom(err error) bool {
	var pc *PeerClosed
	return errors.As(err, &pc) && pc.Reason == reasonRoom
}

// toDial returns the addresses the budget asks to dial now. s.mu is held.
func (s *Service) toDial(now time.Time) []string {
	live := 0
	for _, p := range s.conns {
		if !p.dialled {
			live++
		}
	}
	var urgent, preferred, others []string
	for addr, t := range s.targets {
		if t.dialing { // dialling, or connected by that dial
			live++
			continue
		}
		if id := s.addrPeer[addr]; id != "" && (id == s.id || s.conns[id] != nil) {
			t.now = false
			continue
		}
		switch {
		case now.Before(t.next):
		case t.now:
			urgent = append(urgent, addr)
		case t.manual:
			preferred = append(preferred, addr)
		default:
			others = append(others, addr)
		}
	}
	out := urgent[:min(len(urgent), max(0, s.opts.MaxPeers-live))]
	need := s.opts.MinPeers - live - len(out)
	for _, list := range [][]string{preferred, others} {
		rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
		take := min(max(need, 0), len(list))
		out = append(out, list[:take]...)
		need -= take
	}
	return out
}

// makeRoom closes a connection for p, which would make one too many: one
// the laptop accepted, at random, or else one it dialled for an address
// nobody gave. s.mu is held.
func (s *Service) makeRoom(p *peer) {
	var accepted, dialled []*peer
	for _, q := range s.conns {
		switch {
		case q == p:
		case !q.dialled:
			accepted = append(accepted, q)
		case s.targets[q.addr] == nil || !s.targets[q.addr].manual:
			dialled = append(dialled, q)
		}
	}
	for _, list := range [][]*peer{accepted, dialled} {
		if len(list) > 0 {
			q := list[rand.IntN(len(list))]
			q.log.Debug("closing to make room", "for", p.id, "connections", len(s.conns))
			q.stop(errMakeRoom)
			delete(s.conns, q.id) // gone from the count at once
			return
		}
	}
}

// addrsFor lists, for the peer p, where the other laptops this one is
// connected to or knows of listen, at most protocol.MaxAddrs.
func (s *Service) addrsFor(p *peer) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	own := p.listenAddr()
	seen := map[string]bool{own: true}
	list := []string{}
	add := func(a string) {
		if a != "" && !seen[a] && len(list) < protocol.MaxAddrs {
			seen[a] = true
			list = append(list, a)
		}
	}
	for _, q := range s.conns {
		if q != p {
			add(q.listenAddr())
		}
	}
	now := time.Now()
	for addr, t := range s.targets {
		if id := s.addrPeer[addr]; id != s.id && id != p.id && !now.Before(t.next) {
			add(addr)
		}
	}
	return list
}

// listenAddr is where the peer accepts connections, or "" if unknown.
func (p *peer) listenAddr() string {
	if p.dialled && p.addr != "" {
		return p.addr
	}
	if p.info.Listen == 0 {
		return ""
	}
	host, _, err := net.SplitHostPort(p.c.RemoteAddr().String())
	if err != nil {
		return ""
	}
	return net.JoinHostPort(host, strconv.Itoa(int(p.info.Listen)))
}

// learnAddrs adds the addresses a peer sent to those known, leaving out
// any that is not a host and port one could dial.
func (s *Service) learnAddrs(p *peer, list []string) {
	n := 0
	for _, a := range list {
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			continue
		}
		if pn, err := strconv.Atoi(port); err != nil || pn <= 0 || pn > 65535 {
			continue
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			continue
		}
		s.addTarget(a, false)
		n++
	}
	p.log.Debug("learnt addresses", "sent", len(list), "usable", n)
}
