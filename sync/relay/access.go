package relay

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
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
)

// Workspaces are kept apart on one relay by what each connection may do:
// a laptop connects as user consulta-<h> (its workspace's names) with a
// password only members can make (keyring.password), and may then publish
// only to its workspace's subjects, read only its workspace's stream
// (stream info and direct gets: no consumers, whose deliver subject could
// point anywhere) and receive only on its own inbox prefix. Its stream is
// made by the relay itself on request (streamSubject), with the one
// configuration Consulta uses, so no laptop chooses another workspace's
// subjects or loosens its own.
//
// The relay learns a workspace's password on first use: the first
// connection as consulta-<h> registers the hashes of the tokens it
// presents (one per join key the laptop holds), later ones must present
// one of them, and teach the relay the others they hold (a removal
// replaces the join key: a laptop holding the old and the new key brings
// the new one). The hashes are kept in StoreDir/workspaces/<h>.

const (
	// userPrefix starts the user name of a workspace's laptops.
	userPrefix = "consulta-"
	// inboxPrefix starts the inboxes of a workspace's laptops; the
	// workspace's hash follows.
	inboxPrefix = "_INBOX_"
	// streamSubject starts the subject a laptop asks the relay to make its
	// workspace's stream on; the stream's hash (upper case) follows.
	streamSubject = "consulta-relay.stream."
	// maxTokens bounds the tokens a password carries (the newest join
	// keys).
	maxTokens = 16
	// workspacesDir is the directory, in the store, of the workspaces'
	// token hashes.
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
// presenting one of its tokens (registering them on first use), with that
// workspace's permissions.
func (a *access) Check(c server.ClientAuthentication) bool {
	o := c.GetOpts()
	if o.Token != "" {
		if subtle.ConstantTimeCompare([]byte(o.Token), []byte(a.admin)) != 1 {
			a.warn("relay: refused a connection from %s: wrong token", c.RemoteAddress())
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
	hashes, ok := tokenHashes(o.Password)
	if !ok {
		a.warn("relay: refused a connection from %s for workspace %s: malformed password", c.RemoteAddress(), h)
		return false
	}
	admitted, err := a.admit(h, hashes)
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

// tokenHashes returns the SHA-256 of each token of a password: tokens of
// 64 hex digits, separated by dots.
func tokenHashes(password string) ([][32]byte, bool) {
	tokens := strings.Split(password, ".")
	if len(tokens) > maxTokens {
		return nil, false
	}
	out := make([][32]byte, 0, len(tokens))
	for _, t := range tokens {
		if len(t) != 64 || strings.Trim(t, "0123456789abcdef") != "" {
			return nil, false
		}
		out = append(out, sha256.Sum256([]byte(t)))
	}
	return out, true
}

// admit reports whether hashes holds one the workspace h registered,
// registering them all when h has none yet and adding those it lacks
// otherwise.
func (a *access) admit(h string, hashes [][32]byte) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	known, err := a.load(h)
	if err != nil {
		return false, err
	}
	match := len(known) == 0
	for _, k := range known {
		for _, x := range hashes {
			if subtle.ConstantTimeCompare(k[:], x[:]) == 1 {
				match = true
			}
		}
	}
	if !match {
		return false, nil
	}
	grown := known
	for _, x := range hashes {
		if !slices.Contains(grown, x) {
			grown = append(grown, x)
		}
	}
	if len(grown) == len(known) {
		return true, nil
	}
	return true, a.store(h, grown)
}

// load reads the token hashes of workspace h; none when it has no file.
func (a *access) load(h string) ([][32]byte, error) {
	f, err := os.Open(filepath.Join(a.dir, h))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][32]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		b, err := hex.DecodeString(strings.TrimSpace(sc.Text()))
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%s is damaged (a line is not a SHA-256 in hex)", f.Name())
		}
		out = append(out, [32]byte(b))
	}
	return out, sc.Err()
}

// store writes the token hashes of workspace h whole (a temporary file,
// synced, then renamed over the old one).
func (a *access) store(h string, hashes [][32]byte) error {
	var b strings.Builder
	for _, x := range hashes {
		b.WriteString(hex.EncodeToString(x[:]))
		b.WriteByte('\n')
	}
	path := filepath.Join(a.dir, h)
	tmp, err := os.CreateTemp(a.dir, h+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
	}
}

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
