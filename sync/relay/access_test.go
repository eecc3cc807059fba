package relay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/cartagena-c40/consulta/app"
)

// member connects to the relay as a laptop of ws does, with the password
// the keys of ws make, and collects the permission errors the relay sends.
func member(t *testing.T, url string, ws *app.Workspace) (*nats.Conn, *violations, error) {
	t.Helper()
	kr, err := newKeyring(ws)
	if err != nil {
		t.Fatal(err)
	}
	n := namesOf(ws.ID)
	v := &violations{}
	pub, sign, proofs := kr.nkey()
	nc, err := nats.Connect(url, nats.UserInfo(n.user(), ""), nats.Nkey(pub, sign), nats.TokenHandler(proofs),
		nats.CustomInboxPrefix(n.inbox()),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { v.add(err) }))
	if err == nil {
		t.Cleanup(nc.Close)
	}
	return nc, v, err
}

type violations struct {
	mu   sync.Mutex
	errs []string
}

func (v *violations) add(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.errs = append(v.errs, err.Error())
}

// about waits for the relay to refuse something naming subject.
func (v *violations) about(t *testing.T, subject string) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		v.mu.Lock()
		for _, e := range v.errs {
			if strings.Contains(strings.ToLower(e), "permissions violation") && strings.Contains(e, subject) {
				v.mu.Unlock()
				return
			}
		}
		v.mu.Unlock()
	}
	t.Errorf("the relay did not refuse %s; it said %q", subject, v.errs)
}

// Two workspaces on one relay: each laptop reaches its own stream and
// nothing of the other's, and may neither reconfigure, delete nor read its
// own stream other than as Consulta does.
func TestWorkspacesIsolated(t *testing.T) {
	r := startRelay(t, t.TempDir())
	a, x := laptop(t, nil), laptop(t, nil) // two workspaces
	write(t, a, 5, "Registro")
	write(t, x, 5, "Otro")
	syncOK(t, a, r.URL())
	syncOK(t, x, r.URL())

	nc, v, err := member(t, r.URL(), a.Workspace())
	if err != nil {
		t.Fatal(err)
	}
	own, other := namesOf(a.Workspace().ID), namesOf(x.Workspace().ID)
	for _, subject := range []string{
		other.subject(x.Device()),                     // write into the other's stream
		"$JS.API.STREAM.INFO." + other.stream,         // see it
		"$JS.API.DIRECT.GET." + other.stream,          // read it
		"$JS.API.STREAM.DELETE." + own.stream,         // delete its own
		"$JS.API.STREAM.UPDATE." + own.stream,         // loosen its own
		"$JS.API.STREAM.PURGE." + own.stream,          // empty its own
		"$JS.API.STREAM.CREATE." + own.stream,         // make its own otherwise
		"$JS.API.CONSUMER.CREATE." + own.stream,       // a consumer, which could deliver anywhere
		"$JS.API.STREAM.CREATE.CONSULTA_0123456789AB", // a stream of its own choosing
	} {
		if _, err := nc.Request(subject, []byte("{}"), 300*time.Millisecond); err == nil {
			t.Errorf("%s answered", subject)
		}
		v.about(t, subject)
	}
	for _, subject := range []string{other.inbox() + ".>", "consulta.>", ">"} {
		if _, err := nc.SubscribeSync(subject); err == nil {
			nc.Flush()
		}
		v.about(t, subject)
	}
	if !nc.IsConnected() {
		t.Fatal("refusals closed the connection")
	}
	// Answers the server sends to a reply subject a laptop names stay in
	// its workspace's account: none lands in the other's stream.
	xs := operator(t, r, r.URL(), x.Workspace().ID)
	xjs, _ := jetstream.New(xs)
	count := func() uint64 {
		s, err := xjs.Stream(t.Context(), other.stream)
		if err != nil {
			t.Fatal(err)
		}
		return s.CachedInfo().State.Msgs
	}
	before := count()
	into := other.subject(x.Device())
	for _, subject := range []string{own.subject("0000000000000000"), "$JS.API.STREAM.INFO." + own.stream, "$JS.API.DIRECT.GET." + own.stream} {
		if err := nc.PublishRequest(subject, into, []byte(`{"seq":1}`)); err != nil {
			t.Fatal(err)
		}
	}
	nc.Flush()
	time.Sleep(300 * time.Millisecond)
	if after := count(); after != before {
		t.Fatalf("the other workspace's stream went from %d to %d messages", before, after)
	}
	// Its own stream, as Consulta reads it, is there.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	js, _ := jetstream.New(nc)
	s, err := js.Stream(ctx, own.stream)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := s.GetLastMsgForSubject(ctx, own.subject(a.Device())); err != nil || m.Header.Get(headerSeq) == "" {
		t.Fatalf("a's last message: %v", err)
	}
	if cfg := s.CachedInfo().Config; !cfg.DenyDelete || !cfg.DenyPurge || !cfg.AllowDirect || cfg.Subjects[0] != own.prefix+".*" {
		t.Fatalf("the stream the relay made: %+v", cfg)
	}
}

// A laptop whose key is not the one its workspace's name was first used
// with is refused, and says why; the relay remembers across a restart.
func TestWrongKeyRefused(t *testing.T) {
	dir := t.TempDir()
	r := startRelay(t, dir)
	a := laptop(t, nil)
	write(t, a, 3, "Registro")
	syncOK(t, a, r.URL())

	forged := *a.Workspace()
	forged.Secret = make([]byte, 32) // the name, not the key
	if _, _, err := member(t, r.URL(), &forged); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("a made-up key: %v", err)
	}
	if _, _, err := member(t, r.URL(), a.Workspace()); err != nil {
		t.Fatalf("the workspace's key: %v", err)
	}
	r.Close()
	r = startRelay(t, dir)
	if _, _, err := member(t, r.URL(), &forged); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("a made-up key after a restart: %v", err)
	}
	// A laptop of the workspace with the made-up key: Sync says so.
	b := laptop(t, &forged)
	_, err := Sync(context.Background(), b, r.URL(), SyncOptions{})
	if !errors.Is(err, errRefused) {
		t.Fatalf("Sync with a made-up key: %v", err)
	}
	syncOK(t, a, r.URL())
}

// After a removal replaced the join key: a laptop holding only the new key
// is refused until one holding both has connected, then admitted; a
// laptop holding only the old one still is (it may not have heard of the
// removal yet; what it can read was sealed for it anyway).
func TestNewKeyLearnt(t *testing.T) {
	dir := t.TempDir()
	r := startRelay(t, dir)
	a := laptop(t, nil)
	syncOK(t, a, r.URL())
	old := *a.Workspace()
	rekeyed := old
	rekeyed.Secret = []byte("a new join key of thirty-two byt")
	rekeyed.Past = [][]byte{old.Secret}
	joinedAfter := rekeyed
	joinedAfter.Past = nil

	if _, _, err := member(t, r.URL(), &joinedAfter); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("the new key, before the relay learnt it: %v", err)
	}
	if _, _, err := member(t, r.URL(), &rekeyed); err != nil {
		t.Fatalf("old and new keys: %v", err)
	}
	for _, ws := range []*app.Workspace{&joinedAfter, &old} {
		if _, _, err := member(t, r.URL(), ws); err != nil {
			t.Fatalf("after the relay learnt the new key: %v", err)
		}
	}
	h := namesOf(old.ID).hash
	b, err := os.ReadFile(filepath.Join(dir, workspacesDir, h))
	if err != nil || strings.Count(string(b), "\n") != 2 {
		t.Fatalf("the relay keeps %q (%v)", b, err)
	}
	for _, secret := range [][]byte{old.Secret, rekeyed.Secret} {
		if strings.Contains(string(b), string(secret[:joinKeySize])) {
			t.Fatal("the relay keeps a join key")
		}
	}
}

// Connections that are not a workspace's laptops are refused: no key, a
// signature of another nonce (replayed), a key signing for another, a
// relay's own token guessed.
func TestStrangersRefused(t *testing.T) {
	r := startRelay(t, t.TempDir())
	a := laptop(t, nil)
	syncOK(t, a, r.URL())
	kr, _ := newKeyring(a.Workspace())
	pub, sign, _ := kr.nkey()
	user := nats.UserInfo(namesOf(a.Workspace().ID).user(), "")
	replayed := nats.Nkey(pub, func([]byte) ([]byte, error) { return sign([]byte("a nonce seen before")) })
	other, _ := newKeyring(laptop(t, nil).Workspace())
	_, otherSign, _ := other.nkey()
	posing := nats.Nkey(pub, otherSign) // claims a's key, signs with another
	for _, opts := range [][]nats.Option{{user, replayed}, {user, posing}} {
		if nc, err := nats.Connect(r.URL(), opts...); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("connected: %v", err)
			if nc != nil {
				nc.Close()
			}
		}
	}
	if nc, err := nats.Connect(r.URL(), user, nats.Nkey(pub, sign)); err != nil {
		t.Fatalf("a's own key: %v", err)
	} else {
		nc.Close()
	}
	for _, o := range []nats.Option{
		nats.UserInfo("", ""),
		nats.UserInfo("consulta-0123456789abcdef", "secret"),
		nats.UserInfo("admin", strings.Repeat("a", 64)),
		nats.UserInfo("consulta-0123456789ABCDEF", strings.Repeat("a", 64)),
		nats.UserInfo("consulta-0123456789abcdef", strings.Repeat("a.", 20)+"a"),
		nats.Token("not the relay's token"),
	} {
		if nc, err := nats.Connect(r.URL(), o); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("connected: %v", err)
			if nc != nil {
				nc.Close()
			}
		}
	}
}

// A laptop that joined after a removal, holding only the new join key,
// gets in (the relay learnt the key from a laptop holding both) and opens
// what was uploaded before the removal, sealed with the old key.
func TestJoinedAfterRemoval(t *testing.T) {
	r := startRelay(t, t.TempDir())
	f := laptop(t, nil)
	h, gone := laptop(t, f.Workspace()), laptop(t, f.Workspace())
	lan(t, h, f)
	lan(t, gone, f)
	write(t, h, 5, "Antes")
	syncOK(t, h, r.URL()) // sealed with the first key; f never sees it on the LAN

	if err := f.RemoveLaptop(gone.Device()); err != nil {
		t.Fatal(err)
	}
	if f.Workspace().Epoch != 1 {
		t.Fatal("the removal did not change the join key")
	}
	j := laptop(t, f.Workspace()) // the new join code
	lan(t, f, j)
	if ws := j.Workspace(); ws.Epoch != 1 || len(ws.Past) != 1 {
		t.Fatalf("the laptop that joined after: epoch %d, %d past keys", ws.Epoch, len(ws.Past))
	}
	syncOK(t, f, r.URL()) // holds both keys: the relay learns the new one
	res := syncOK(t, j, r.URL())
	if got, want := vector(t, j)[h.Device()], vector(t, h)[h.Device()]; got != want || res.Refused != 0 {
		t.Fatalf("j holds %d of h's %d operations (%+v)", got, want, res)
	}
}

// A removal made in one venue reaches a laptop of another through the
// relay alone: the removal is sealed with the key before it, so the laptop
// that has not heard of it opens it and takes the new key; what was sealed
// with the new key, which it could not open then, it reads again in the
// same round, and uploads after it.
func TestRemovalThroughRelay(t *testing.T) {
	r := startRelay(t, t.TempDir())
	f := laptop(t, nil)
	a, gone := laptop(t, f.Workspace()), laptop(t, f.Workspace())
	lan(t, a, f)
	lan(t, gone, f)
	lan(t, f, a)
	syncOK(t, a, r.URL())

	if err := f.RemoveLaptop(gone.Device()); err != nil {
		t.Fatal(err)
	}
	write(t, f, 5, "Después")
	syncOK(t, f, r.URL())

	var log logBuffer
	first, err := Sync(t.Context(), a, r.URL(), SyncOptions{Log: log.logger()})
	if err != nil {
		t.Fatal(err)
	}
	if a.Workspace().Epoch != 1 {
		t.Fatalf("a did not take the new key from the removal (%+v)", first)
	}
	if !strings.Contains(log.String(), "does not hold") {
		t.Fatalf("a opened everything in the first pass (%+v): the test proves nothing\n%s", first, log.String())
	}
	if first.Refused != 0 || first.Unopened != 0 {
		t.Fatalf("the round says it left messages unread: %+v", first)
	}
	if got, want := vector(t, a)[f.Device()], vector(t, f)[f.Device()]; got != want {
		t.Fatalf("a holds %d of f's %d operations", got, want)
	}
	if res := syncOK(t, a, r.URL()); res.Downloaded != 0 || res.Refused != 0 {
		t.Fatalf("the next round read again: %+v", res)
	}
}

// An organization's own NATS server, without Consulta's relay in front:
// laptops make the stream themselves, with the same configuration; with
// the user and password the organization issued in the URL, or none.
func TestOrganizationsNATS(t *testing.T) {
	for _, auth := range []bool{false, true} {
		opts := &server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
			StoreDir: t.TempDir(), NoLog: true, NoSigs: true}
		if auth {
			opts.Username, opts.Password = "org", "secreto"
		}
		ns, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		ns.Start()
		if !ns.ReadyForConnections(5 * time.Second) {
			t.Fatal("the NATS server did not start")
		}
		url := "nats://" + ns.Addr().String()
		if auth {
			if _, err := Sync(t.Context(), laptop(t, nil), url, SyncOptions{}); err == nil {
				t.Fatal("synced without the organization's credentials")
			}
			url = "nats://org:secreto@" + ns.Addr().String()
		}
		a := laptop(t, nil)
		write(t, a, 5, "Registro")
		syncOK(t, a, url)
		b := laptop(t, a.Workspace())
		syncOK(t, b, url)
		if got, want := vector(t, b)[a.Device()], vector(t, a)[a.Device()]; got != want {
			t.Fatalf("auth %v: b holds %d of a's %d operations", auth, got, want)
		}
		ns.Shutdown()
	}
}

// What another server of the cluster says of a workspace is taken when it
// shares a key with what this server holds, or this server holds none:
// another server shown other keys for the same name first does not
// replace the keys here.
func TestLearnKeepsItsKeys(t *testing.T) {
	r := startRelay(t, t.TempDir())
	key := func() string {
		kp, _ := nkeys.CreateUser()
		pub, _ := kp.PublicKey()
		return pub
	}
	k1, k2, k3 := key(), key(), key()
	h := "0123456789abcdef"
	if err := r.access.learn(registration{Hash: h, Keys: []string{k1}}); err != nil {
		t.Fatal(err)
	}
	if err := r.access.learn(registration{Hash: h, Keys: []string{k2}}); err == nil {
		t.Fatal("keys sharing none with those held were taken")
	}
	if err := r.access.learn(registration{Hash: h, Keys: []string{k1, k3}}); err != nil {
		t.Fatal(err)
	}
	if known, _ := r.access.load(h); !slices.Equal(known, []string{k1, k3}) {
		t.Fatalf("the relay holds %v", known)
	}
	if err := r.access.learn(registration{Hash: "not a hash", Keys: []string{k1}}); err == nil {
		t.Fatal("a malformed registration was taken")
	}
}

// A relay registers at most newPerMinute new workspaces a minute: someone
// making up workspaces cannot fill its registry in a burst.
func TestNewWorkspacesPerMinute(t *testing.T) {
	r := startRelay(t, t.TempDir())
	for i := range newPerMinute {
		a := laptop(t, nil)
		if _, _, err := member(t, r.URL(), a.Workspace()); err != nil {
			t.Fatalf("workspace %d: %v", i+1, err)
		}
	}
	if _, _, err := member(t, r.URL(), laptop(t, nil).Workspace()); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("workspace %d in a minute: %v", newPerMinute+1, err)
	}
}
