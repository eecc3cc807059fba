package relay

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cartagena-c40/consulta/app"
)

// SyncOptions configure a round with a relay.
type SyncOptions struct {
	// Replicas is how many servers of a JetStream cluster keep the
	// workspace's stream when this laptop creates it; 0 means 1.
	Replicas int
	// Timeout bounds connecting and each request; 0 means 10 s.
	Timeout time.Duration
	// TLS configures tls:// connections (a private CA, a client
	// certificate); nil uses the system's roots.
	TLS *tls.Config
	// Log receives what was refused and why; nil discards it.
	Log *slog.Logger

	afterPublish func(sent int) // tests: called after each message is sent, before its acknowledgement
}

// Result is what a round moved.
type Result struct {
	// Uploaded counts the operations this laptop published.
	Uploaded int
	// Downloaded counts the operations received that were new here.
	Downloaded int
	// Refused counts the messages refused: they did not open, or did
	// not carry the operation their address names, or repeated one.
	Refused int
	// Unopened counts the messages sealed with a key this laptop does not
	// hold: sealed after a removal it has not heard of (a later round, or
	// the LAN, brings the key), or for another workspace. They are read
	// again once it holds more keys.
	Unopened int
	// Waiting counts the operations downloaded that wait for earlier
	// ones of their device (or were refused by Receive): the next round
	// downloads them again.
	Waiting int
}

// chunk is how many operations of one device go to Receive at once, as
// on the LAN.
const chunk = 2000

// settingCursor starts the name of the local setting that keeps a relay's
// cursor; a hash of the relay's URL follows.
const settingCursor = "relay-cursor/"

// Sync runs one round with the relay at url: downloads what the
// workspace's stream holds after this laptop's cursor and applies it
// through svc.Receive, then uploads, device by device, the operations the
// stream lacks. It creates the stream when the relay has none yet.
func Sync(ctx context.Context, svc *app.Service, url string, o SyncOptions) (Result, error) {
	ws := svc.Workspace()
	if ws == nil {
		return Result{}, &app.Error{Op: "relay", Kind: app.NotInitialized, Msg: "no workspace here yet"}
	}
	kr, err := newKeyring(ws)
	if err != nil {
		return Result{}, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n := namesOf(ws.ID)
	// A URL with user:password@ (an organization's own NATS) overrides
	// the workspace's user and keys.
	copts := []nats.Option{nats.Name("consulta"), nats.Timeout(o.Timeout), nats.NoReconnect(),
		nats.UserInfo(n.user(), ""), nats.CustomInboxPrefix(n.inbox())}
	if o.TLS != nil {
		copts = append(copts, nats.Secure(o.TLS))
	}
	var nc *nats.Conn
	consulta := false        // a Consulta relay: it makes the streams
	if hasCredentials(url) { // an organization's own NATS, with its own users
		nc, err = nats.Connect(url, copts...)
	} else {
		pub, sign, proofs := kr.nkey()
		nc, err = nats.Connect(url, append(copts, nats.Nkey(pub, sign), nats.TokenHandler(proofs))...)
		consulta = err == nil
		if errors.Is(err, nats.ErrNkeysNotSupported) { // a NATS server that sends no nonce: not a Consulta relay
			nc, err = nats.Connect(url, copts...)
		}
	}
	if errors.Is(err, nats.ErrAuthorization) {
		return Result{}, fmt.Errorf("relay %s: %w", redact(url), errRefused)
	}
	if err != nil {
		return Result{}, fmt.Errorf("relay %s: cannot connect: %w", redact(url), err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithDefaultTimeout(o.Timeout),
		jetstream.WithPublishAsyncMaxPending(window), jetstream.WithPublishAsyncTimeout(o.Timeout))
	if err != nil {
		return Result{}, err
	}
	r := &round{svc: svc, kr: kr, n: n, nc: nc, js: js, log: log, timeout: o.Timeout,
		relayKey: hash16(url), afterPublish: o.afterPublish}
	if err := r.openStream(ctx, consulta, o.Replicas); err != nil {
		return r.res, fmt.Errorf("relay %s: %w", redact(url), err)
	}
	if err := r.download(ctx); err != nil {
		return r.res, fmt.Errorf("relay %s: download: %w", redact(url), err)
	}
	if r.refreshKeys() { // took a new key while downloading: read again what did not open
		r.res.Unopened = 0
		if err := r.download(ctx); err != nil {
			return r.res, fmt.Errorf("relay %s: download: %w", redact(url), err)
		}
	}
	if err := r.upload(ctx); err != nil {
		return r.res, fmt.Errorf("relay %s: upload: %w", redact(url), err)
	}
	return r.res, nil
}

// round is one Sync.
type round struct {
	svc      *app.Service
	kr       *keyring
	n        names
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   jetstream.Stream
	log      *slog.Logger
	timeout  time.Duration
	res      Result
	relayKey string    // the hash of the relay's URL its local settings are named by
	created  time.Time // of the stream, which the cursor belongs to
	cursor   uint64    // stream sequence up to which everything was taken
	atEnd    bool      // the cursor is at the stream's end
	sent     int       // messages published, acknowledged or not

	afterPublish func(sent int)
}

// refreshKeys takes the keys the workspace holds now, if they are more
// than the round started with (a removal received while downloading
// brought a new one); it reports whether they were.
func (r *round) refreshKeys() bool {
	ws := r.svc.Workspace()
	if ws == nil || len(ws.Past)+1 <= len(r.kr.keys) {
		return false
	}
	kr, err := newKeyring(ws)
	if err != nil {
		return false
	}
	r.kr = kr
	return true
}

// errRefused explains a relay's refusal of the keys this laptop proved.
var errRefused = errors.New("the relay refused this laptop. " +
	"Either this laptop joined after a member was removed and no laptop holding the earlier key has synced with the relay since, " +
	"or the relay takes no new workspace now (full, or too many new ones this minute: try again later); " +
	"its operator sees why in its log")

// openStream finds the workspace's stream. A Consulta relay makes it
// when a laptop of the workspace connects (access.makeStream): wait for
// it. On another NATS server, make it, with the one configuration
// Consulta uses and replicas (ensureStream).
func (r *round) openStream(ctx context.Context, consulta bool, replicas int) error {
	ctx, cancel := context.WithTimeout(ctx, 3*r.timeout) // a cluster may take a while to place it
	defer cancel()
	var s jetstream.Stream
	var err error
	if !consulta {
		s, err = ensureStream(ctx, r.js, r.n, replicas, DefaultStreamBytes)
	} else {
		for {
			if s, err = r.js.Stream(ctx, r.n.stream); !errors.Is(err, jetstream.ErrStreamNotFound) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("the relay has not made the workspace's stream yet (try again in a moment): %w", err)
			case <-time.After(100 * time.Millisecond):
			}
		}
		if err == nil && !canonical(s.CachedInfo().Config, r.n) {
			err = fmt.Errorf("%s is configured otherwise than Consulta makes it", r.n.stream)
		}
	}
	if err != nil {
		return fmt.Errorf("the workspace's stream: %w", err)
	}
	r.stream = s
	return nil
}

// hash16 is the first 16 hex digits of the SHA-256 of s.
func hash16(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// hasCredentials reports whether one of the comma-separated URLs names a
// user or a token.
func hasCredentials(urls string) bool {
	for _, u := range strings.Split(urls, ",") {
		if p, err := url.Parse(strings.TrimSpace(u)); err == nil && p.User != nil {
			return true
		}
	}
	return false
}

// redact returns u without its password, for messages.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}

// refuse counts and logs a message that is not applied.
func (r *round) refuse(subject string, sseq uint64, why string) {
	r.res.Refused++
	r.log.Warn("relay: refused a message", "stream", r.n.stream, "stream_seq", sseq, "subject", subject, "reason", why)
}

// apiCode returns the JetStream error code of err, 0 if it has none.
func apiCode(err error) jetstream.ErrorCode {
	var ae *jetstream.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode
	}
	var je jetstream.JetStreamError
	if errors.As(err, &je) && je.APIError() != nil {
		return je.APIError().ErrorCode
	}
	return 0
}

func sortedDevices[T any](m map[app.DeviceID]T) []app.DeviceID {
	out := make([]app.DeviceID, 0, len(m))
	for d := range m {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}
