package replication

import (
	"context"
	"time"

	"github.com/cartagena-c40/consulta/sync/discovery"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// tag is the workspace's discovery tag.
func (s *Service) tag() string {
	return discovery.Tag(s.tcfg.Workspace, s.tcfg.Secret, transport.JoinKeySize)
}

// discover announces this laptop and dials the laptops of the workspace it
// finds.
func (s *Service) discover(ctx context.Context) error {
	c := &discovery.Config{
		Tag: s.tag(), Instance: s.id, Port: int(s.listenPort()), Log: s.log,
		Found: func(addr string) { s.addTarget(addr, false) },
	}
	return c.Serve(ctx)
}

// Discover looks for laptops of the workspace on the local network for
// timeout and returns their addresses.
func (s *Service) Discover(ctx context.Context, timeout time.Duration) ([]string, error) {
	return discovery.Browse(ctx, s.tag(), timeout)
}
