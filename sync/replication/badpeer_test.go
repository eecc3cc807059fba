package replication

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/protocol"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// dialAs dials addr as a laptop holding ws's secret and plays the protocol
// up to the first vector; the test then misbehaves on the returned conn.
func dialAs(t *testing.T, ws *app.Workspace, addr string, version uint16) (*transport.Conn, error) {
	t.Helper()
	k, _ := transport.NewKey()
	cfg := &transport.Config{Key: k, Workspace: string(ws.ID), Secret: ws.Secret, Version: version}
	c, err := cfg.Dial(context.Background(), addr)
	if err != nil {
		return nil, err
	}
	go c.Send(&protocol.Info{Device: "0000000000000000", Name: "mallory"})
	if m, err := c.Recv(); err != nil || m.Type() != protocol.TypeInfo {
		t.Fatalf("info: %v %v", m, err)
	}
	if m, err := c.Recv(); err != nil || m.Type() != protocol.TypeVector {
		t.Fatalf("vector: %v %v", m, err)
	}
	return c, nil
}

// closeReason reads until the connection ends and returns the reason the
// other side gave, if any.
func closeReason(c *transport.Conn) string {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		m, err := c.Recv()
		if err != nil {
			return ""
		}
		if cl, ok := m.(*protocol.Close); ok {
			return cl.Reason
		}
	}
}

func TestBadPeers(t *testing.T) {
	a := founder(t, "a")
	a.notes(20, "nota")
	good := a.member("good")
	ra, addrA := a.serve(Options{})
	good.serve(Options{Peers: []string{addrA}})
	waitFor(t, 10*time.Second, "the good peer did not sync", func() bool { return same(a.vector(), good.vector()) })

	// Material: a member's valid operations, and an outsider's.
	m := a.member("m")
	m.notes(3, "de m")
	mOps, _ := m.svc.OpsAfter(m.svc.Device(), 0, 100, 1<<20)
	own, _ := a.svc.OpsAfter(a.svc.Device(), 0, 5, 1<<20)
	other := founder(t, "other")
	other.notes(1, "ajeno")
	foreign, _ := other.svc.OpsAfter(other.svc.Device(), 0, 10, 1<<20)
	o, _ := app.DecodeOp(mOps[1])
	o.Patch.Title = ptr("cambiado por mallory")
	forged, _ := app.EncodeOp(o)
	ws := a.svc.Workspace()

	frame := func(c *transport.Conn, n uint32, body []byte) {
		c.NetConn().Write(append(binary.BigEndian.AppendUint32(nil, n), body...))
	}
	cases := []struct {
		name   string
		play   func(c *transport.Conn)
		reason string // in a's log
	}{
		{"garbage bytes", func(c *transport.Conn) {
			b := make([]byte, 256)
			rand.Read(b)
			c.NetConn().Write(b)
		}, "misbehaving"},
		{"oversized frame", func(c *transport.Conn) { frame(c, protocol.MaxFrame+1, nil) }, "frame size"},
		{"truncated frame", func(c *transport.Conn) { frame(c, 1000, []byte("short")); c.Close() }, "connection lost"},
		{"unknown message", func(c *transport.Conn) { frame(c, 2, []byte{77, 0x80}) }, "unknown message"},
		{"auth again", func(c *transport.Conn) { c.Send(&protocol.Auth{MAC: make([]byte, 32)}) }, "unexpected auth"},
		{"bad signature", func(c *transport.Conn) { c.Send(&protocol.Ops{Ops: [][]byte{mOps[0], forged}}) }, "bad signature"},
		{"other workspace", func(c *transport.Conn) { c.Send(&protocol.Ops{Ops: foreign}) }, "belongs to workspace"},
		{"gap", func(c *transport.Conn) { c.Send(&protocol.Ops{Ops: mOps[1:]}) }, "a gap"},
		{"mixed devices", func(c *transport.Conn) { c.Send(&protocol.Ops{Ops: [][]byte{own[0], mOps[0]}}) }, "mixes devices"},
		{"replay", func(c *transport.Conn) {
			c.Send(&protocol.Ops{Ops: own}) // a's own: harmless once
			c.Send(&protocol.Ops{Ops: own})
		}, "replayed"},
		{"flood of bogus ops", func(c *transport.Conn) {
			bogus := make([][]byte, protocol.MaxOps)
			for i := range bogus {
				bogus[i] = make([]byte, 200)
				rand.Read(bogus[i])
			}
			go func() {
				for i := 0; i < 100; i++ {
					if c.Send(&protocol.Ops{Ops: bogus}) != nil {
						return
					}
				}
			}()
		}, "undecodable operation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, logStart := a.vector(), len(a.log.String())
			c, err := dialAs(t, ws, addrA, 0)
			if err != nil {
				t.Fatal(err)
			}
			tc.play(c)
			reason := closeReason(c)
			c.Close()
			waitFor(t, 5*time.Second, "a did not log "+tc.reason, func() bool {
				return strings.Contains(a.log.String()[logStart:], tc.reason)
			})
			t.Logf("a told the peer %q", reason)
			if !same(a.vector(), before) {
				t.Fatalf("a's store changed: %v -> %v", before, a.vector())
			}
			// The good peer is still connected and still gets new work.
			id, err := a.svc.Create(app.KindNote, app.Patch{Title: ptr("sigue " + tc.name), SubRegion: ptr(app.SubRegion("andes")),
				AddThemes: []app.ThemeCode{"broad-protection"}})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, 2*time.Second, "the good peer stopped syncing", func() bool { _, err := good.svc.Get(id); return err == nil })
		})
	}
	if ps, _ := ra.Peers(); len(ps) == 0 {
		t.Fatal("no peers")
	}
	for _, line := range strings.Split(a.log.String(), "\n") {
		if strings.Contains(line, "misbehaving") {
			t.Log(line[strings.Index(line, "msg="):])
		}
	}
}

func TestVersionMismatchLoggedBothSides(t *testing.T) {
	a := founder(t, "a")
	_, addrA := a.serve(Options{})
	_, err := dialAs(t, a.svc.Workspace(), addrA, protocol.Version+1)
	var ve *protocol.VersionError
	if !errors.As(err, &ve) || ve.Remote != protocol.Version {
		t.Fatalf("newer peer: %v", err)
	}
	waitFor(t, 2*time.Second, "a did not log the version", func() bool {
		return strings.Contains(a.log.String(), "newer than ours")
	})
}

func TestPlaintextPeerRefused(t *testing.T) {
	a := founder(t, "a")
	_, addrA := a.serve(Options{})
	for _, junk := range []string{"CNSL\x00\x01\x00\x00", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"} {
		c, err := net.Dial("tcp", addrA)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte(junk))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 1024)
		n, _ := c.Read(buf)
		c.Close()
		if strings.Contains(string(buf[:n]), "CNSL") {
			t.Fatalf("a answered in plaintext: %q", buf[:n])
		}
	}
	waitFor(t, 2*time.Second, "a did not log the failed handshake", func() bool {
		return strings.Count(a.log.String(), "handshake failed") == 2
	})
}

// FuzzReceive: whatever bytes a peer sends as operations, Receive either
// stores valid, signed operations of this workspace or rejects the chunk
// and leaves the store unchanged.
func FuzzReceive(f *testing.F) {
	src := newStore(f)
	if _, err := src.Init("fuzz"); err != nil {
		f.Fatal(err)
	}
	src.Create(app.KindNote, app.Patch{Title: ptr("nota"), SubRegion: ptr(app.SubRegion("andes")), AddThemes: []app.ThemeCode{"broad-protection"}})
	ops, _ := src.OpsAfter(src.Device(), 0, 10, 1<<20)
	for _, o := range ops {
		f.Add(o)
	}
	f.Add([]byte{0xa0})
	dst := newStore(f)
	ws := src.Workspace()
	if _, err := dst.Join(ws.ID, ws.Secret, ""); err != nil {
		f.Fatal(err)
	}
	dst.Receive(ops[:1]) // the device announcement, so that signatures get checked
	f.Fuzz(func(t *testing.T, b []byte) {
		before, _ := dst.Vector()
		_, err := dst.Receive([][]byte{b})
		after, _ := dst.Vector()
		if err != nil && !same(before, after) {
			t.Fatalf("rejected but the store changed: %v -> %v", before, after)
		}
		if err == nil {
			o, derr := app.DecodeOp(b)
			if derr != nil || o.Workspace != ws.ID {
				t.Fatalf("accepted an operation that does not decode or is foreign: %v", derr)
			}
		}
	})
}
