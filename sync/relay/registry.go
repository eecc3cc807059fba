package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// The servers of a cluster tell each other of the workspaces they
// register, on their own connections, in the global account no laptop is
// in: a workspace's account must exist on every server before JetStream
// places its stream there.

// registration is what a server tells the others of a workspace.
type registration struct {
	Hash string   `json:"hash"`
	Keys []string `json:"keys"`
}

// serve answers the cluster's other servers on the relay's own
// connection: a workspace registered there is registered here too (keys
// and account), and what is registered here is told to one that asks.
func (a *access) serve(nc *nats.Conn) error {
	a.svc = nc
	if _, err := nc.Subscribe(registerSubject, func(m *nats.Msg) {
		var reg registration
		if json.Unmarshal(m.Data, &reg) != nil || a.learn(reg) != nil {
			m.Respond([]byte("bad registration"))
			return
		}
		m.Respond([]byte("ok"))
	}); err != nil {
		return err
	}
	if _, err := nc.Subscribe(lookupSubject, func(m *nats.Msg) {
		var reg registration
		if json.Unmarshal(m.Data, &reg) != nil || !isHash(reg.Hash) {
			return
		}
		a.mu.Lock()
		reg.Keys, _ = a.load(reg.Hash)
		a.mu.Unlock()
		b, _ := json.Marshal(reg)
		m.Respond(b)
	}); err != nil {
		return err
	}
	_, err := nc.Subscribe(registrySubject, func(m *nats.Msg) {
		hs, _ := a.known()
		var regs []registration
		for _, h := range hs {
			a.mu.Lock()
			keys, err := a.load(h)
			a.mu.Unlock()
			if err == nil {
				regs = append(regs, registration{Hash: h, Keys: keys})
			}
		}
		b, _ := json.Marshal(regs)
		if err := m.Respond(b); err != nil {
			a.warn("relay: telling another server the workspaces: %v", err)
		}
	})
	return err
}

// lookup asks the cluster's other servers for the keys of workspace h,
// which this server has not registered, and registers what they hold:
// the first laptop of a workspace here is then held to the keys the
// cluster knows, not taken at its word.
func (a *access) lookup(h string) {
	if a.peers == 0 || a.svc == nil {
		return
	}
	answers, _ := a.gather(lookupSubject, registration{Hash: h}, a.peers, lookupWait)
	for _, b := range answers {
		var reg registration
		if json.Unmarshal(b, &reg) == nil && reg.Hash == h && len(reg.Keys) > 0 {
			if err := a.learn(reg); err != nil {
				a.warn("relay: workspace %s from the cluster: %v", h, err)
			}
		}
	}
}

// lookupWait bounds how long a first connection waits for the cluster.
const lookupWait = time.Second

// learn registers what another server of the cluster registered: a
// workspace new here, or keys of one known here if they share one with
// it (else another server was shown other keys for the same name first,
// and this one keeps its own).
func (a *access) learn(reg registration) error {
	if !isHash(reg.Hash) || len(reg.Keys) > maxKnown || slices.ContainsFunc(reg.Keys, func(k string) bool { return !nkeys.IsValidPublicUserKey(k) }) {
		return errors.New("bad registration")
	}
	a.mu.Lock()
	known, err := a.load(reg.Hash)
	if err == nil && len(known) > 0 && !slices.ContainsFunc(reg.Keys, func(k string) bool { return slices.Contains(known, k) }) {
		err = fmt.Errorf("workspace %s: keys that share none with those this server holds", reg.Hash)
	}
	if err == nil {
		_, err = a.addLocked(reg.Hash, known, reg.Keys)
	}
	a.mu.Unlock()
	if err != nil {
		return err
	}
	_, err = a.account(reg.Hash)
	return err
}

// spreadWait bounds how long a registration waits for the cluster.
const spreadWait = 5 * time.Second

// spread tells the cluster's other servers of workspace h's keys, and
// waits until they all have its account (or spreadWait passed: a server
// that is down asks when it starts).
func (a *access) spread(h string, keys []string) {
	if a.peers == 0 || a.svc == nil {
		return
	}
	got, err := a.gather(registerSubject, registration{Hash: h, Keys: keys}, a.peers, spreadWait)
	ok := 0
	for _, b := range got {
		if string(b) == "ok" {
			ok++
		}
	}
	if ok < a.peers {
		a.warn("relay: workspace %s registered on %d of the %d other servers (%v)", h, ok, a.peers, err)
	}
}

// pull asks the cluster's other servers for every workspace they
// registered, registers here those this server lacked, and returns how
// many.
func (a *access) pull() int {
	answers, err := a.gather(registrySubject, nil, a.peers, pullWait)
	if err != nil && len(answers) == 0 {
		a.warn("relay: asking the cluster for its workspaces: %v", err)
	}
	learned := 0
	for _, b := range answers {
		var regs []registration
		if json.Unmarshal(b, &regs) != nil {
			continue
		}
		for _, reg := range regs {
			a.mu.Lock()
			known, _ := a.load(reg.Hash)
			a.mu.Unlock()
			if err := a.learn(reg); err != nil {
				a.warn("relay: a workspace from the cluster: %v", err)
			} else if len(known) == 0 {
				learned++
			}
		}
	}
	return learned
}

// pullWait bounds how long a starting server waits for the others'
// workspaces.
const pullWait = 2 * time.Second

// gather sends v (JSON) on subject and returns the answers, until want
// came or wait passed.
func (a *access) gather(subject string, v any, want int, wait time.Duration) ([][]byte, error) {
	inbox := a.svc.NewInbox()
	sub, err := a.svc.SubscribeSync(inbox)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	body, _ := json.Marshal(v)
	if err := a.svc.PublishRequest(subject, inbox, body); err != nil {
		return nil, err
	}
	var out [][]byte
	deadline := time.Now().Add(wait)
	for len(out) < want {
		m, err := sub.NextMsg(time.Until(deadline))
		if err != nil {
			return out, err
		}
		out = append(out, m.Data)
	}
	return out, nil
}
