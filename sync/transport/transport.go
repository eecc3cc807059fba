package transport

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"

	"github.com/cartagena-c40/consulta/sync/protocol"
)

// JoinKeySize is how many bytes of the workspace secret authenticate a
// peer: the part of the secret a join code carries (128 bits).
const JoinKeySize = 16

// HandshakeTimeout bounds the TLS handshake, the hello and the proof of
// membership together.
const HandshakeTimeout = 10 * time.Second

// exporterLabel is the TLS exporter label of the proof of membership.
const exporterLabel = "EXPORTER-consulta-auth"

// ErrNotMember: the peer does not hold this workspace's secret (a wrong or
// old join code, or another workspace), or it is not who it claims.
var ErrNotMember = errors.New("the peer does not hold this workspace's join code")

// Config is what a laptop needs to open a channel.
type Config struct {
	// Key is this laptop's transport key.
	Key ed25519.PrivateKey
	// Workspace is the workspace id.
	Workspace string
	// Secret is the workspace secret; only its first JoinKeySize bytes are
	// used. Past are the secrets before it (a member's removal replaces
	// it): a peer that proves one of them has not heard of the removal
	// yet, and is let in to hear it if it proves who it is (Conn.Past).
	Secret []byte
	Past   [][]byte
	// Version is the protocol version to speak; zero means
	// protocol.Version. Tests set it to play an older or newer peer.
	Version uint16
	// Features are the protocol features to offer (protocol.Features, or
	// zero to play a build that knows none).
	Features uint16
}

// Conn is an authenticated channel to a peer of the same workspace.
type Conn struct {
	*protocol.Conn
	// PeerID identifies the peer's transport key (16 hex digits).
	PeerID string
	// Features are the protocol features both sides offered.
	Features uint16
	// Exporter is the channel's keying material: what a proof of who is at
	// either end signs.
	Exporter []byte
	// Past: the peer proved a secret before ours, so it has not heard of
	// a removal we know; Ahead: it holds a newer one and let us in with
	// ours.
	Past, Ahead bool
	tls         *tls.Conn
	raw         net.Conn
}

// Close closes the connection at once. It sends no TLS close_notify, which
// could block for seconds on a peer that stopped reading: the protocol's
// Close message says goodbye, and framing makes truncation evident.
func (c *Conn) Close() error { return c.raw.Close() }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.tls.RemoteAddr() }

// NetConn returns the TLS connection under the protocol, for tests that
// play a misbehaving peer.
func (c *Conn) NetConn() net.Conn { return c.tls }

// SetDeadline sets the underlying connection's deadline.
func (c *Conn) SetDeadline(t time.Time) error { return c.tls.SetDeadline(t) }

// SetReadDeadline sets the underlying connection's read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.tls.SetReadDeadline(t) }

// SetWriteDeadline sets the underlying connection's write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.tls.SetWriteDeadline(t) }

// PeerIDOf derives a peer id from a transport public key.
func PeerIDOf(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// ID returns this laptop's peer id.
func (cfg *Config) ID() string { return PeerIDOf(cfg.Key.Public().(ed25519.PublicKey)) }

// Client runs the handshake on a connection this laptop dialled. On error
// raw is closed. Errors: ErrNotMember, protocol.ErrBadMagic, a
// *protocol.VersionError, or the TLS or network error.
func (cfg *Config) Client(ctx context.Context, raw net.Conn) (*Conn, error) {
	return cfg.handshake(ctx, raw, true)
}

// Server runs the handshake on a connection this laptop accepted. Errors as
// Client.
func (cfg *Config) Server(ctx context.Context, raw net.Conn) (*Conn, error) {
	return cfg.handshake(ctx, raw, false)
}

func (cfg *Config) handshake(ctx context.Context, raw net.Conn, client bool) (_ *Conn, err error) {
	if len(cfg.Secret) < JoinKeySize {
		raw.Close()
		return nil, errors.New("transport: the workspace secret is shorter than 128 bits")
	}
	defer func() {
		if err != nil {
			raw.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, HandshakeTimeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	cert, err := certificate(cfg.Key)
	if err != nil {
		return nil, err
	}
	var peerKey ed25519.PublicKey
	tc := &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		// Any self-signed Ed25519 certificate will do: membership is proven
		// by the secret, below.
		InsecureSkipVerify: true,
		ClientAuth:         tls.RequireAnyClientCert,
		VerifyPeerCertificate: func(certs [][]byte, _ [][]*x509.Certificate) error {
			if len(certs) != 1 {
				return errors.New("expected one certificate")
			}
			c, err := x509.ParseCertificate(certs[0])
			if err != nil {
				return err
			}
			k, ok := c.PublicKey.(ed25519.PublicKey)
			if !ok {
				return errors.New("the certificate's key is not Ed25519")
			}
			if err := c.CheckSignatureFrom(c); err != nil {
				return fmt.Errorf("the certificate is not self-signed: %w", err)
			}
			peerKey = k
			return nil
		},
	}
	var tconn *tls.Conn
	if client {
		tconn = tls.Client(raw, tc)
	} else {
		tconn = tls.Server(raw, tc)
	}
	if err := tconn.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	v := cfg.Version
	if v == 0 {
		v = protocol.Version
	}
	features, err := protocol.ExchangeHello(tconn, v, cfg.Features)
	if err != nil {
		return nil, err
	}
	pc := protocol.NewConn(tconn)
	cs := tconn.ConnectionState()
	exp, err := cs.ExportKeyingMaterial(exporterLabel, nil, 32)
	if err != nil {
		return nil, err
	}
	mine, theirs := "client", "server"
	if !client {
		mine, theirs = theirs, mine
	}
	sent := make(chan error, 1)
	go func() { sent <- pc.Send(&protocol.Auth{MAC: cfg.mac(mine, exp)}) }()
	m, err := pc.Recv()
	if serr := <-sent; err == nil && serr != nil {
		err = serr
	}
	if err != nil {
		if errors.Is(err, protocol.ErrMalformed) || errors.Is(err, protocol.ErrFrameSize) {
			return nil, fmt.Errorf("%w: %v", ErrNotMember, err)
		}
		return nil, fmt.Errorf("%w (it closed the connection: %v)", ErrNotMember, err)
	}
	a, ok := m.(*protocol.Auth)
	if !ok {
		return nil, ErrNotMember
	}
	c := &Conn{Conn: pc, PeerID: PeerIDOf(peerKey), Features: features, Exporter: exp, tls: tconn, raw: raw}
	if err := cfg.epochs(c, a.MAC, mine, theirs); err != nil {
		return nil, err
	}
	raw.SetDeadline(time.Time{})
	return c, nil
}

// noMAC is a second Auth that proves nothing: "I have no older key of
// yours".
var noMAC = make([]byte, 32)

// epochs checks the peer's proof of membership, mac, against the secret
// and the ones before it. Between builds with roles each side then sends
// a second Auth: the proof with the older secret the peer proved (so a
// peer behind can check us), or noMAC; and reads the peer's, which lets
// it in when it is ahead of us. A peer that proves none is not a member.
func (cfg *Config) epochs(c *Conn, mac []byte, mine, theirs string) error {
	ok := hmac.Equal(mac, cfg.macWith(cfg.Secret, theirs, c.Exporter))
	second := noMAC
	for i := len(cfg.Past) - 1; !ok && i >= 0; i-- {
		if hmac.Equal(mac, cfg.macWith(cfg.Past[i], theirs, c.Exporter)) {
			ok, c.Past, second = true, true, cfg.macWith(cfg.Past[i], mine, c.Exporter)
		}
	}
	if c.Features&protocol.FeatureRoles == 0 {
		// A key from before a removal lets a laptop in only if it then
		// proves who it is, which a build without roles does not.
		if !ok || c.Past {
			return ErrNotMember
		}
		return nil
	}
	sent := make(chan error, 1)
	go func() { sent <- c.Send(&protocol.Auth{MAC: second}) }()
	m, err := c.Recv()
	if serr := <-sent; err == nil && serr != nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("%w (it closed the connection: %v)", ErrNotMember, err)
	}
	a, isAuth := m.(*protocol.Auth)
	if !isAuth {
		return ErrNotMember
	}
	if !ok && hmac.Equal(a.MAC, cfg.macWith(cfg.Secret, theirs, c.Exporter)) {
		ok, c.Ahead = true, true
	}
	if !ok {
		return ErrNotMember
	}
	return nil
}

// mac is the proof of membership of the side playing role on the channel
// whose exporter is exp.
func (cfg *Config) mac(role string, exp []byte) []byte { return cfg.macWith(cfg.Secret, role, exp) }

// macWith is mac with secret.
func (cfg *Config) macWith(secret []byte, role string, exp []byte) []byte {
	h := hmac.New(sha256.New, secret[:JoinKeySize])
	h.Write([]byte("consulta auth v1\x00"))
	h.Write([]byte(role))
	h.Write([]byte{0})
	h.Write([]byte(cfg.Workspace))
	h.Write([]byte{0})
	h.Write(exp)
	return h.Sum(nil)
}

// certificate returns a self-signed certificate for key. It carries no
// names: in TLS 1.3 it travels encrypted, and peers look only at its key.
func certificate(key ed25519.PrivateKey) (tls.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2124, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// NewKey returns a new transport key.
func NewKey() (ed25519.PrivateKey, error) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	return k, err
}

// Dial connects to addr and runs the client handshake. Errors as Client.
func (cfg *Config) Dial(ctx context.Context, addr string) (*Conn, error) {
	d := net.Dialer{Timeout: HandshakeTimeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return cfg.Client(ctx, raw)
}
