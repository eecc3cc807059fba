package app

import (
	"context"
	"log/slog"
	"time"
)

// DefaultSyncPort is the TCP port a laptop accepts peers on unless told
// otherwise.
const DefaultSyncPort = 24040

// Peer is a laptop this one has synced with, as remembered between runs.
type Peer struct {
	ID       string    `json:"id"`     // the peer's transport key id
	Device   DeviceID  `json:"device"` // the device id it announced
	Name     string    `json:"name"`
	Addr     string    `json:"addr,omitempty"` // where to dial it; empty if it does not listen
	LastSeen time.Time `json:"last_seen"`
	LastSync time.Time `json:"last_sync,omitzero"` // the last time both held the same
	// Connected is set for a peer connected now.
	Connected bool `json:"connected,omitempty"`
	// Pending counts, for a connected peer, the operations each side holds
	// that the other has not confirmed yet: what is still to exchange.
	Pending int `json:"pending,omitempty"`
	// Clock is, for a connected peer whose time is known (ClockKnown),
	// how far its clock is ahead of this laptop's (negative: behind), as
	// the times it sends say. It is measured anew on every connection, so
	// it is not remembered.
	Clock      time.Duration `json:"-"`
	ClockKnown bool          `json:"-"`
	// Outdated is set for a connected peer whose Consulta cannot read
	// drafts: it is sent nothing of them, nor what their devices wrote
	// after them, until it is updated.
	Outdated bool `json:"outdated,omitempty"`
}

// SyncOptions configures a Replicator.
type SyncOptions struct {
	Listen    string       // address to accept peers on, such as ":24040"; empty for none
	Peers     []string     // addresses (host:port) to dial besides remembered and discovered ones
	Discovery bool         // announce and look for peers on the local network
	Log       *slog.Logger // what happens; nil discards it
}

// Replicator moves operations between this laptop and its peers over the
// venue's network. Package sync/replication implements it; main chooses
// it, so that the ui reaches sync only through this interface.
type Replicator interface {
	// Serve accepts, dials and keeps syncing with peers until ctx ends.
	Serve(ctx context.Context) error
	// SyncOnce syncs with the peers at addrs until nothing is left to
	// exchange; it fails when a peer refuses or cannot be reached.
	SyncOnce(ctx context.Context, addrs []string) error
	// Discover looks for peers of this workspace on the local network for
	// up to wait and returns their addresses.
	Discover(ctx context.Context, wait time.Duration) ([]string, error)
	// AddPeer asks Serve to dial addr and remember it.
	AddPeer(addr string)
	// Peers returns the remembered peers, the connected ones marked.
	Peers() ([]Peer, error)
}

// NewReplicator makes a Replicator for a service.
type NewReplicator func(svc *Service, o SyncOptions) (Replicator, error)
