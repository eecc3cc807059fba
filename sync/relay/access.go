package relay

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
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
// members can make (an Ed25519 key per join key, keyring.nkeys). It is then
// put in its workspace's own NATS account, consulta-<h>, which nothing of
// another workspace reaches (not even the server's answers to a reply
// subject it names), with JetStream limited to one stream; and within it
// it may only publish its operations, make and read its stream (stream
// info and direct gets: no consumers, no deleting, purging or changing
// the stream) and receive on its own inboxes.
//
// In a cluster, a workspace's account must exist on every server before
// JetStream places its stream: a server that registers a workspace tells
// the others (registerSubject) and waits for them before letting the
// laptop in, and a server that starts asks the others for what it missed
// (registrySubject). Accounts known at start are configured before
// JetStream starts, so it finds their streams again.
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
	// registerSubject and registrySubject are the cluster's servers' own
	// (in the global account, which no laptop is in): a workspace's keys
	// told to the others, and all of them asked for.
	registerSubject = "consulta-relay.register"
	registrySubject = "consulta-relay.registry"
	lookupSubject   = "consulta-relay.lookup"
	// maxKeys bounds the keys a connection proves (the newest join
	// keys), and the keys a workspace registers.
	maxKeys  = 16
	maxKnown = 16
	// maxWorkspaces bounds the workspaces one relay registers, and
	// newPerMinute how many new ones it registers a minute.
	maxWorkspaces = 1000
	newPerMinute  = 20
	// workspacesDir is the directory, in the store, of the workspaces'
	// public keys.
	workspacesDir = "workspaces"
)

// access is a relay's authentication: the workspaces' public keys and
// accounts, and the relay's own token for its service connection.
type access struct {
	dir         string // StoreDir/workspaces
	admin       string // the service connection's token, random per start
	ns          *server.Server
	svc         *nats.Conn // the relay's own connection (global account)
	peers       int        // the other servers of its cluster
	replicas    int        // of the streams the relay makes
	streamBytes int64      // their MaxBytes

	mu      sync.Mutex      // one registration at a time
	recent  []time.Time     // registrations of new workspaces in the last minute
	making  map[string]bool // streams being made
	made    map[string]bool // streams made or found since the relay started
	makingM sync.Mutex
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
// proving one of its keys (registering them on first use), into that
// workspace's account with its permissions.
func (a *access) Check(c server.ClientAuthentication) bool {
	o := c.GetOpts()
	admin := o.Token != "" && subtle.ConstantTimeCompare([]byte(o.Token), []byte(a.admin)) == 1
	if o.Nkey == "" && o.Username == "" {
		if !admin {
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
	if admin { // the operator's view of one workspace (tests)
		acc, err := a.account(h)
		if err != nil {
			return false
		}
		c.RegisterUser(&server.User{Username: o.Username, Account: acc})
		return true
	}
	keys, err := proven(c.GetNonce(), o.Nkey, o.Sig, o.Token)
	if err != nil {
		a.warn("relay: refused a connection from %s for workspace %s: %v", c.RemoteAddress(), h, err)
		return false
	}
	if a.unknown(h) {
		a.lookup(h) // the cluster may know it
	}
	admitted, grown, err := a.admit(h, keys)
	if err != nil {
		a.warn("relay: refused a connection from %s for workspace %s: %v", c.RemoteAddress(), h, err)
		return false
	}
	if !admitted {
		a.warn("relay: refused a connection from %s for workspace %s: none of its keys is one this relay knows", c.RemoteAddress(), h)
		return false
	}
	acc, err := a.account(h)
	if err != nil {
		a.warn("relay: refused a connection from %s for workspace %s: its account: %v", c.RemoteAddress(), h, err)
		return false
	}
	if grown {
		a.spread(h, keys)
	}
	go a.makeStream(h)
	c.RegisterUser(&server.User{Username: o.Username, Account: acc, Permissions: permissions(h)})
	return true
}

// makeStream makes workspace h's stream, if it has none, with the one
// configuration Consulta uses and the relay's replicas: connected into
// the workspace's account as the relay's operator. Laptops may not make
// or change streams; they wait for this one.
func (a *access) makeStream(h string) {
	a.makingM.Lock()
	if a.making == nil {
		a.making, a.made = map[string]bool{}, map[string]bool{}
	}
	if a.making[h] || a.made[h] {
		a.makingM.Unlock()
		return
	}
	a.making[h] = true
	a.makingM.Unlock()
	made := false
	defer func() {
		a.makingM.Lock()
		delete(a.making, h)
		a.made[h] = made
		a.makingM.Unlock()
	}()
	nc, err := nats.Connect("", nats.InProcessServer(a.ns), nats.UserInfo(userPrefix+h, ""), nats.Token(a.admin), nats.Name("consulta-relay"))
	if err != nil {
		a.warn("relay: making workspace %s's stream: %v", h, err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for pause := 200 * time.Millisecond; ; pause = min(2*pause, 5*time.Second) { // a cluster just started may not place it yet
		_, err := ensureStream(ctx, js, namesOfHash(h), max(a.replicas, 1), a.streamBytes)
		if made = err == nil; made {
			return
		}
		select {
		case <-ctx.Done():
			a.warn("relay: making workspace %s's stream: %v", h, err)
			return
		case <-time.After(pause):
		}
	}
}

// unknown reports whether this server has registered no key of
// workspace h.
func (a *access) unknown(h string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	known, err := a.load(h)
	return err == nil && len(known) == 0
}

// accountLimits are a workspace account's JetStream limits: one stream,
// on disk, which the relay makes (its MaxBytes bounds it; an account's
// store limit is reserved on the server's disk, times the replicas).
var accountLimits = map[string]server.JetStreamAccountLimits{"": {
	MaxMemory: 0, MaxStore: -1, MaxStreams: 1, MaxConsumers: -1, MaxAckPending: -1,
}}

// maxReplicas is the most copies of a stream a relay keeps (JetStream's
// own most).
const maxReplicas = 5

// accountName names workspace h's account.
func accountName(h string) string { return userPrefix + h }

// account returns workspace h's account, registering it and enabling
// JetStream in it if this server has not yet.
func (a *access) account(h string) (*server.Account, error) {
	acc, _ := a.ns.LookupOrRegisterAccount(accountName(h))
	if acc.JetStreamEnabled() {
		return acc, nil
	}
	return acc, acc.EnableJetStream(accountLimits, nil)
}

// accountsConfig is the NATS configuration of the accounts of the
// workspaces the relay knows, JetStream enabled in each with its limits:
// given before the server starts, so that JetStream finds their streams.
func (a *access) accountsConfig() (string, error) {
	hs, err := a.known()
	if err != nil || len(hs) == 0 {
		return "", err
	}
	var b strings.Builder
	b.WriteString("accounts {\n")
	for _, h := range hs {
		fmt.Fprintf(&b, "  %q: { jetstream: { max_mem: 0, max_file: -1, max_streams: 1, max_consumers: -1 } }\n", accountName(h))
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// known lists the workspaces the relay registered.
func (a *access) known() ([]string, error) {
	es, err := os.ReadDir(a.dir)
	var out []string
	for _, e := range es {
		if isHash(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, err
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

// admit reports whether keys holds one the workspace h registered. A
// workspace new here registers them all (at most newPerMinute new ones a
// minute, maxWorkspaces in all); a known one adds only the first, the key
// of the laptop's current join key (a removal's new key, taught by a
// laptop that also proves an older one); grown says whether any was
// added.
func (a *access) admit(h string, keys []string) (admitted, grown bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	known, err := a.load(h)
	if err != nil {
		return false, false, err
	}
	if len(known) == 0 {
		if err := a.newAllowedLocked(); err != nil {
			return false, false, err
		}
	} else if !slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(known, k) }) {
		return false, false, nil
	} else {
		keys = keys[:1]
	}
	all, err := a.addLocked(h, known, keys)
	return true, len(all) > len(known), err
}

// newAllowedLocked says why the relay registers no new workspace now, if
// it does not.
func (a *access) newAllowedLocked() error {
	if n, err := a.count(); err != nil || n >= maxWorkspaces {
		return fmt.Errorf("this relay holds %d workspaces already, its most", n)
	}
	now := time.Now()
	a.recent = slices.DeleteFunc(a.recent, func(t time.Time) bool { return now.Sub(t) > time.Minute })
	if len(a.recent) >= newPerMinute {
		return fmt.Errorf("%d new workspaces in the last minute already; try again in a minute", len(a.recent))
	}
	a.recent = append(a.recent, now)
	return nil
}

// addLocked stores keys beside known, the keys of workspace h, and
// returns them all.
func (a *access) addLocked(h string, known, keys []string) ([]string, error) {
	grown := slices.Clone(known)
	for _, k := range keys {
		if !slices.Contains(grown, k) {
			if len(grown) >= maxKnown {
				a.warn("relay: workspace %s holds %d keys, its most; a new one is not kept", h, maxKnown)
				break
			}
			grown = append(grown, k)
		}
	}
	if len(grown) == len(known) {
		return known, nil
	}
	return grown, a.store(h, grown)
}

// count returns how many workspaces the relay registered.
func (a *access) count() (int, error) {
	hs, err := a.known()
	return len(hs), err
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

// permissions are what a laptop of workspace h may do in its account:
// publish its operations, read its stream (which the relay makes), and
// receive on its own inboxes.
func permissions(h string) *server.Permissions {
	n := namesOfHash(h)
	api := "$JS.API."
	return &server.Permissions{
		Publish: &server.SubjectPermission{Allow: []string{
			n.prefix + ".*",
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
func streamConfig(n names, replicas int, maxBytes int64) jetstream.StreamConfig {
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
		MaxBytes:    maxBytes,
		MaxMsgSize:  maxPayload,
	}
}

// canonical reports whether cfg is the configuration Consulta makes a
// workspace's stream with (streamConfig), replicas and size aside.
func canonical(cfg jetstream.StreamConfig, n names) bool {
	want := streamConfig(n, cfg.Replicas, cfg.MaxBytes)
	return cfg.AllowDirect && cfg.DenyDelete && cfg.DenyPurge && slices.Equal(cfg.Subjects, want.Subjects) &&
		cfg.Storage == want.Storage && cfg.Retention == want.Retention && cfg.Discard == want.Discard &&
		cfg.MaxAge == 0 && cfg.MaxMsgSize == want.MaxMsgSize &&
		cfg.MaxMsgs <= 0 && cfg.MaxMsgsPerSubject <= 0 && !cfg.AllowMsgTTL && !cfg.Sealed && !cfg.NoAck &&
		cfg.Mirror == nil && len(cfg.Sources) == 0 && cfg.RePublish == nil && !cfg.AllowRollup
}

// A workspace's stream holds at most DefaultStreamBytes unless the relay
// says otherwise (Options.StreamBytes; 100,000 operations take about
// 170 MB), a message at most maxPayload. JetStream reserves a stream's
// MaxBytes on the relay's disk as it makes the stream.
const (
	DefaultStreamBytes = 1 << 30
	maxPayload         = 4 << 20
)

// ensureStream makes the stream of n, of at most maxBytes, or checks that
// the one there is configured as Consulta makes it.
func ensureStream(ctx context.Context, js jetstream.JetStream, n names, replicas int, maxBytes int64) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, n.stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, streamConfig(n, replicas, maxBytes))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // another laptop was quicker
			s, err = js.Stream(ctx, n.stream)
		}
	}
	if err != nil {
		return nil, err
	}
	if !canonical(s.CachedInfo().Config, n) {
		return nil, fmt.Errorf("the workspace's stream on this relay, %s, is configured otherwise than Consulta makes it (someone made it by hand?); its operator can remove it, and laptops will upload everything again", n.stream)
	}
	return s, nil
}
