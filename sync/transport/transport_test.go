package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/sync/protocol"
)

func config(t *testing.T, secret byte) *Config {
	t.Helper()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return &Config{Key: k, Workspace: "01HXYZABCDEFGHJKMNPQRSTVWX", Secret: bytes.Repeat([]byte{secret}, 32)}
}

// pair runs the handshake between client and server over a pipe.
func pair(t *testing.T, client, server *Config) (*Conn, error, *Conn, error) {
	a, b := net.Pipe()
	ctx := context.Background()
	type res struct {
		c   *Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := server.Server(ctx, b)
		ch <- res{c, err}
	}()
	cc, cerr := client.Client(ctx, a)
	r := <-ch
	t.Cleanup(func() { a.Close(); b.Close() })
	return cc, cerr, r.c, r.err
}

func TestMutualAuthentication(t *testing.T) {
	a, b := config(t, 1), config(t, 1)
	ca, errA, cb, errB := pair(t, a, b)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if ca.PeerID != b.ID() || cb.PeerID != a.ID() {
		t.Fatalf("peer ids: %s/%s %s/%s", ca.PeerID, b.ID(), cb.PeerID, a.ID())
	}
	// Only the first JoinKeySize bytes count: a member that joined with a
	// code holds just those.
	c := config(t, 1)
	c.Secret = c.Secret[:JoinKeySize]
	if _, errA, _, errB := pair(t, c, b); errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	go ca.Send(&protocol.Ping{})
	if m, err := cb.Recv(); err != nil || m.Type() != protocol.TypePing {
		t.Fatal(m, err)
	}
}

func TestWrongSecretRefusedBothSides(t *testing.T) {
	member, stranger := config(t, 1), config(t, 2)
	_, errA, _, errB := pair(t, stranger, member)
	if !errors.Is(errA, ErrNotMember) || !errors.Is(errB, ErrNotMember) {
		t.Fatalf("stranger: %v; member: %v", errA, errB)
	}
	other := config(t, 1)
	other.Workspace = "01HXYZABCDEFGHJKMNPQRSTVWY" // same secret, other workspace
	if _, errA, _, errB := pair(t, other, member); !errors.Is(errA, ErrNotMember) || !errors.Is(errB, ErrNotMember) {
		t.Fatalf("other workspace: %v; member: %v", errA, errB)
	}
}

// A stranger that completes TLS and the hello, then sends a made-up proof,
// receives the member's proof and nothing after it.
func TestStrangerLearnsNothing(t *testing.T) {
	member := config(t, 1)
	a, b := net.Pipe()
	defer a.Close()
	done := make(chan error, 1)
	go func() {
		_, err := member.Server(context.Background(), b)
		done <- err
	}()
	cert, _ := certificate(config(t, 9).Key)
	tc := tls.Client(a, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
	if _, err := protocol.ExchangeHello(tc, protocol.Version, protocol.Features); err != nil {
		t.Fatal(err)
	}
	go protocol.NewConn(tc).Send(&protocol.Auth{MAC: make([]byte, 32)})
	var frames [][]byte
	for {
		tc.SetReadDeadline(time.Now().Add(5 * time.Second))
		p, err := protocol.ReadFrame(tc, protocol.MaxFrame)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.ErrClosedPipe) {
				t.Logf("read ended with %v", err)
			}
			break
		}
		frames = append(frames, p)
	}
	if err := <-done; !errors.Is(err, ErrNotMember) {
		t.Fatalf("member: %v", err)
	}
	if len(frames) != 1 || protocol.Type(frames[0][0]) != protocol.TypeAuth {
		t.Fatalf("the stranger received %d frames: %q", len(frames), frames)
	}
}

func TestVersionMismatch(t *testing.T) {
	old, cur := config(t, 1), config(t, 1)
	old.Version = protocol.Version + 1
	_, errA, _, errB := pair(t, old, cur)
	var va, vb *protocol.VersionError
	if !errors.As(errA, &va) || !errors.As(errB, &vb) || va.Remote != protocol.Version || vb.Remote != protocol.Version+1 {
		t.Fatalf("%v; %v", errA, errB)
	}
}

func TestPlaintextRefused(t *testing.T) {
	member := config(t, 1)
	a, b := net.Pipe()
	defer a.Close()
	go a.Write([]byte("CNSL\x00\x01\x00\x00 hello in plaintext"))
	if _, err := member.Server(context.Background(), b); err == nil {
		t.Fatal("accepted a plaintext peer")
	} else {
		t.Log(err)
	}
}

func TestHandshakeTimesOutOnSilentPeer(t *testing.T) {
	member := config(t, 1)
	a, b := net.Pipe()
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := member.Server(ctx, b); err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
}
