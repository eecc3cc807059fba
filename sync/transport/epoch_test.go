package transport

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cartagena-c40/consulta/sync/protocol"
)

// TestEpochs: after a removal replaced the join key, a laptop that holds
// the new one and the old lets in a laptop that has not heard yet, on
// either side of the connection, and says so (Past, Ahead); a laptop with
// neither key is refused on both sides without waiting out the
// handshake's deadline; a build without roles is not let in with the old
// key, since it cannot then prove who it is.
func TestEpochs(t *testing.T) {
	roles := func(c *Config) *Config { c.Features = protocol.Features; return c }
	updated := func() *Config {
		c := roles(config(t, 2))
		c.Past = [][]byte{bytes.Repeat([]byte{1}, 32)}
		return c
	}
	behind := func() *Config { return roles(config(t, 1)) }
	for _, c := range []struct {
		name                   string
		client, server         *Config
		clientAhead, serverOld bool
	}{
		{"behind dials updated", behind(), updated(), true, true},
		{"updated dials behind", updated(), behind(), false, false},
	} {
		ca, errA, cb, errB := pair(t, c.client, c.server)
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v / %v", c.name, errA, errB)
		}
		behindSide, updatedSide := ca, cb
		if !c.clientAhead {
			behindSide, updatedSide = cb, ca
		}
		if !behindSide.Ahead || !updatedSide.Past || behindSide.Past || updatedSide.Ahead {
			t.Fatalf("%s: behind ahead=%v past=%v, updated ahead=%v past=%v", c.name, behindSide.Ahead, behindSide.Past, updatedSide.Ahead, updatedSide.Past)
		}
	}
	if _, errA, _, errB := pair(t, roles(config(t, 9)), updated()); !errors.Is(errA, ErrNotMember) || !errors.Is(errB, ErrNotMember) {
		t.Fatalf("a stranger: %v / %v", errA, errB)
	}
	old := config(t, 1) // a build without roles, on the old key
	old.Features = protocol.Features &^ protocol.FeatureRoles
	if _, _, _, errB := pair(t, old, updated()); !errors.Is(errB, ErrNotMember) {
		t.Fatalf("a build without roles on the old key: %v", errB)
	}
}
