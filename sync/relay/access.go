package relay

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
)

// Workspaces are kept apart on one relay by what each connection may do:
// a laptop connects as user consulta-<h> (its workspace's names) and
// proves, by signing the nonce the relay sends, that it holds a key only
// members can make (an Ed25519 key per join key, keyring.nkeys); it may
// then publish only to its workspace's subjects, read only its
// workspace's stream (stream info and direct gets: no consumers, whose
// deliver subject could point anywhere) and receive only on its own inbox
// prefix. Its stream is made by the relay itself on request
// (streamSubject), with the one configuration Consulta uses, so no laptop
// chooses another workspace's subjects or loosens its own.
//
// The relay learns a workspace's public keys on first use: the first
// connection as consulta-<h> registers the keys it proves, later ones
// must prove one of them, and teach the relay the others they prove (a
// removal replaces the join key: a laptop holding the old and the new key
// brings the new one). The keys are kept in StoreDir/workspaces/<h>, one
// per line. What a laptop sends cannot be replayed (a signature of that
// connection's nonce) and holds no secret: a relay's operator learns
// nothing that lets them in elsewhere.

const (
	// userPrefix starts the user name of a workspace's laptops.
	userPrefix = "consulta-"
	// inboxPrefix starts the inboxes of a workspace's laptops; the
	// workspace's hash follows.
	inboxPrefix = "_INBOX_"
	// streamSubject starts the subject a laptop asks the relay to make its
	// workspace's stream on; the stream's hash (upper case) follows.
	streamSubject = "consulta-relay.stream."
	// maxKeys bounds the keys a connection proves (the newest join
	// keys), and the keys a workspace registers.
	maxKeys  = 16
	maxKnown = 64
	// maxWorkspaces bounds the workspaces one relay registers.
	maxWorkspaces = 10000
	// workspacesDir is the directory, in the store, of the workspaces'
	// public keys.
	workspacesDir = "workspaces"
)

// access is a relay's authentication: the workspaces' token hashes, and
// the relay's own token for its service connection.
type access struct {
	dir   string // StoreDir/workspaces
	admin string // the service connection's token, random per start
	ns    *server.Server

	mu sync.Mutex // one registration at a time
}

func newAccess(storeDir string) (*access, error) {
	dir := filepath.Join(storeDir, workspacesDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	return &access{dir: dir, admin: hex.EncodeToString(b)}, nil
}

// Check admits the relay's service connection, and a workspace's laptop
// proving one of its keys (registering them on first use), with that
// workspace's permissions.
func (a *access) Check(c server.ClientAuthentication) bool {
	o := c.GetOpts()
	if o.Nkey == "" && o.Username == "" {
		if o.Token == "" || subtle.ConstantTimeCompare([]byte(o.Token), []byte(a.admin)) != 1 {
			a.warn("relay: refused a connection from %s: not a Consulta laptop", c.RemoteAddress())
			return false
		}
		c.RegisterUser(&server.User{Username: "consulta-relay"})
		return true
	}
	h, ok := strings.CutPrefix(o.Username, userPrefix)
	if !ok || !isHash(h) {
		a.warn("relay: refused a connection from %s: not a Consulta workspace (user %q)", c.RemoteAddress(), o.Username)
		return false
	}
	keys, err := proven(c.GetNonce(), o.Nkey, o.Sig, o.Token)
	if err != nil {
		a.warn("relay: refused a connection from %s for workspace %s: %v", c.RemoteAddress(), h, err)
		return false
	}
	admitted, err := a.admit(h, keys)
	if err != nil {
		a.warn("relay: refused a connection from %s for workspace %s: %v", c.RemoteAddress(), h, err)
		return false
	}
	if !admitted {
		a.warn("relay: refused a connection from %s for workspace %s: none of its keys is one this relay knows", c.RemoteAddress(), h)
		return false
	}
	c.RegisterUser(&server.User{Username: o.Username, Permissions: permissions(h)})
	return true
}

func (a *access) warn(format string, v ...any) {
	if a.ns != nil {
		a.ns.Warnf(format, v...)
	}
}

// isHash reports whether h is 16 lowercase hex digits.
func isHash(h string) bool {
	return len(h) == 16 && strings.Trim(h, "0123456789abcdef") == ""
}

// proven returns the public keys whose signatures of nonce a connection
// sent: its nkey and signature, and in its token the others it holds,
// "KEY.SIGNATURE" separated by commas (signatures in unpadded base64url,
// as NATS sends the first). Every signature must hold.
func proven(nonce []byte, nkey, sig, token string) ([]string, error) {
	if len(nonce) == 0 {
		return nil, errors.New("no nonce to sign")
	}
	proofs := []string{nkey + "." + sig}
	if token != "" {
		proofs = append(proofs, strings.Split(token, ",")...)
	}
	if len(proofs) > maxKeys {
		return nil, fmt.Errorf("proves %d keys; at most %d", len(proofs), maxKeys)
	}
	keys := make([]string, 0, len(proofs))
	for _, p := range proofs {
		pub, sigText, _ := strings.Cut(p, ".")
		raw, err := base64.RawURLEncoding.DecodeString(sigText)
		if err != nil || !nkeys.IsValidPublicUserKey(pub) {
			return nil, errors.New("a malformed key or signature")
		}
		kp, err := nkeys.FromPublicKey(pub)
		if err != nil || kp.Verify(nonce, raw) != nil {
			return nil, errors.New("a signature that does not hold")
		}
		keys = append(keys, pub)
	}
	return keys, nil
}

// admit reports whether keys holds one the workspace h registered,
// registering them all when h has none yet and adding those it lacks
// otherwise.
func (a *access) admit(h string, keys []string) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	known, err := a.load(h)
	if err != nil {
		return false, err
	}
	if len(known) == 0 {
		if n, err := a.count(); err != nil || n >= maxWorkspaces {
			return false, fmt.Errorf("this relay holds %d workspaces already, its most", n)
		}
	} else if !slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(known, k) }) {
		return false, nil
	}
	grown := known
	for _, k := range keys {
		if !slices.Contains(grown, k) && len(grown) < maxKnown {
			grown = append(grown, k)
		}
	}
	if len(grown) == len(known) {
		return true, nil
	}
	return true, a.store(h, grown)
}

// count returns how many workspaces the relay registered.
func (a *access) count() (int, error) {
	es, err := os.ReadDir(a.dir)
	n := 0
	for _, e := range es {
		if isHash(e.Name()) {
			n++
		}
	}
	return n, err
}

// load reads the public keys of workspace h; none when it has no file.
func (a *access) load(h string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(a.dir, h))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Fields(string(b)) {
		if !nkeys.IsValidPublicUserKey(line) {
			return nil, fmt.Errorf("%s is damaged (a line is not a public key)", filepath.Join(a.dir, h))
		}
		out = append(out, line)
	}
	return out, nil
}

// store writes the public keys of workspace h whole: a temporary file,
// synced, renamed over the old one, and the directory synced.
func (a *access) store(h string, keys []string) error {
	tmp, err := os.CreateTemp(a.dir, h+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(strings.Join(keys, "\n") + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(a.dir, h)); err != nil {
		return err
	}
	if d, err := os.Open(a.dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// permissions are what a laptop of workspace h may do: publish its
// operations, read its stream, ask the relay to make it, and receive on
// its own inboxes.
func permissions(h string) *server.Permissions {
	n := namesOfHash(h)
	api := "$JS.API."
	return &server.Permissions{
		Publish: &server.SubjectPermission{Allow: []string{
			n.prefix + ".*",
			streamSubject + strings.ToUpper(h),
			api + "STREAM.INFO." + n.stream,
			api + "STREAM.MSG.GET." + n.stream,
			api + "DIRECT.GET." + n.stream,
			api + "DIRECT.GET." + n.stream + ".>",
		}},
		Subscribe: &server.SubjectPermission{Allow: []string{inboxPrefix + h + ".>"}},
	}
}

// streamConfig is the one configuration of a workspace's stream: file
// storage, nothing expires, no client may delete or purge messages,
// direct gets allowed (that is how laptops read it).
func streamConfig(n names, replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        n.stream,
		Subjects:    []string{n.prefix + ".*"},
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew,
		DenyDelete:  true,
		DenyPurge:   true,
		AllowDirect: true,
		MaxBytes:    maxStreamBytes,
		MaxMsgSize:  maxPayload,
	}
}

// A workspace's stream holds at most maxStreamBytes (100,000 operations
// take about 170 MB), a message at most maxPayload.
const (
	maxStreamBytes = 16 << 30
	maxPayload     = 4 << 20
)

// streamRequest is what a laptop sends to streamSubject.
type streamRequest struct {
	Replicas int `json:"replicas"`
}

// maxReplicas is the most copies a laptop may ask for (JetStream's own
// limit).
const maxReplicas = 5

// serve answers laptops' requests for their workspace's stream, on a
// connection of the relay's own, until the connection closes. Every
// server of a cluster answers (a queue group: one of them per request).
func (a *access) serve(nc *nats.Conn) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	_, err = nc.QueueSubscribe(streamSubject+"*", "consulta-relay", func(m *nats.Msg) {
		h := strings.ToLower(strings.TrimPrefix(m.Subject, streamSubject))
		if !strings.HasPrefix(m.Reply, inboxPrefix+h+".") {
			return // answer only into the asking workspace's inboxes
		}
		var req streamRequest
		if !isHash(h) || json.Unmarshal(m.Data, &req) != nil || req.Replicas < 1 || req.Replicas > maxReplicas {
			m.Respond([]byte("bad request"))
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := ensureStream(ctx, js, namesOfHash(h), req.Replicas); err != nil {
			m.Respond([]byte(err.Error()))
			return
		}
		m.Respond([]byte("ok"))
	})
	return err
}

// ensureStream makes the stream of n, or lets its reads be direct gets if
// it was made before they were.
func ensureStream(ctx context.Context, js jetstream.JetStream, n names, replicas int) error {
	s, err := js.Stream(ctx, n.stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, streamConfig(n, replicas))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // another request was quicker
			return nil
		}
		return err
	}
	if err != nil {
		return err
	}
	if cfg := s.CachedInfo().Config; !cfg.AllowDirect {
		cfg.AllowDirect = true
		_, err = js.UpdateStream(ctx, cfg)
	}
	return err
}
