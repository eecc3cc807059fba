package replication

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/sync/protocol"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// logBuf collects a service's log for assertions.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// laptop is one peer: a real in-memory store, the core service over it and
// a replication service.
type laptop struct {
	t    *testing.T
	name string
	svc  *app.Service
	log  *logBuf
}

func newStore(t testing.TB) *app.Service { return openStore(t, "") }

// openStore is a service over a store in dir, in memory when dir is "",
// closed when t ends.
func openStore(t testing.TB, dir string) *app.Service {
	svc, _ := closableStore(t, dir)
	return svc
}

// closableStore is openStore, with a function that closes the store
// before t ends.
func closableStore(t testing.TB, dir string) (*app.Service, func()) {
	st, err := storage.Open(dir, storage.Options{InMemory: dir == ""})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	return svc, func() { st.Close() }
}

// founder creates a workspace.
func founder(t *testing.T, name string) *laptop {
	svc := newStore(t)
	if err := initOpen(svc, "Cartagena +40"); err != nil {
		t.Fatal(err)
	}
	return &laptop{t: t, name: name, svc: svc, log: &logBuf{}}
}

// member joins l's workspace as with a join code (128 bits of the secret).
func (l *laptop) member(name string) *laptop {
	svc := newStore(l.t)
	ws := l.svc.Workspace()
	if _, err := svc.Join(ws.ID, ws.Secret[:transport.JoinKeySize], ""); err != nil {
		l.t.Fatal(err)
	}
	return &laptop{t: l.t, name: name, svc: svc, log: &logBuf{}}
}

func (l *laptop) replicator(o Options) *Service {
	l.t.Helper()
	o.Log = slog.New(slog.NewTextHandler(l.log, &slog.HandlerOptions{Level: slog.LevelDebug})).With("laptop", l.name)
	if o.PingInterval == 0 {
		o.PingInterval = 2 * time.Second
	}
	if o.RetryInterval == 0 {
		o.RetryInterval = 100 * time.Millisecond
	}
	r, err := New(l.svc, o)
	if err != nil {
		l.t.Fatal(err)
	}
	return r
}

// serve runs a replication service listening on loopback and returns its
// address.
func (l *laptop) serve(o Options) (*Service, string) {
	l.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.t.Fatal(err)
	}
	o.Listener = ln
	r := l.replicator(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Serve(ctx)
	}()
	l.t.Cleanup(func() { cancel(); <-done })
	return r, ln.Addr().String()
}

func (l *laptop) notes(n int, prefix string) {
	l.t.Helper()
	drafts := make([]app.Draft, n)
	for i := range drafts {
		title, body := fmt.Sprintf("%s %d", prefix, i), "Acceso a documentación en tránsito."
		sr, c := app.SubRegion("andes"), app.CountryCode("CO")
		drafts[i] = app.Draft{Kind: app.KindNote, Patch: app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &c,
			AddThemes: []app.ThemeCode{"broad-protection"}}}
	}
	for len(drafts) > 0 {
		k := min(len(drafts), 500)
		if _, err := l.svc.CreateMany(drafts[:k]); err != nil {
			l.t.Fatal(err)
		}
		drafts = drafts[k:]
	}
}

func (l *laptop) vector() app.Vector {
	v, err := l.svc.Vector()
	if err != nil {
		l.t.Fatal(err)
	}
	return v
}

func (l *laptop) count() int {
	res, err := l.svc.List(app.Filter{}, 0)
	if err != nil {
		l.t.Fatal(err)
	}
	return res.Total
}

// digest hashes the materialized records, to compare replicas.
func (l *laptop) digest() string {
	res, err := l.svc.List(app.Filter{}, 0)
	if err != nil {
		l.t.Fatal(err)
	}
	ids := make([]string, 0, len(res.Records))
	for _, r := range res.Records {
		ids = append(ids, string(r.ID))
	}
	slicesSort(ids)
	h := sha256.New()
	for _, id := range ids {
		r, err := l.svc.Get(app.RecordID(id))
		if err != nil {
			l.t.Fatal(err)
		}
		b, _ := app.EncodeRecord(r)
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

func same(a, b app.Vector) bool { return a.Covers(b) && b.Covers(a) }

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// pipeSync runs one once-mode sync between a and b over net.Pipe: a dials.
func pipeSync(t *testing.T, a, b *laptop, o Options) (errA, errB error, pa *peer) {
	t.Helper()
	ra, rb := a.replicator(o), b.replicator(o)
	ca, cb := net.Pipe()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- rb.ServeConn(ctx, cb, false, "") }()
	p, err := ra.handshake(ctx, ca, true, "pipe")
	if err != nil {
		return err, <-done, nil
	}
	start := time.Now()
	errA = p.run(ctx, true)
	errB = <-done
	t.Logf("pipe sync took %v", time.Since(start))
	if testing.Verbose() {
		t.Logf("a:\n%s\nb:\n%s", a.log, b.log)
	}
	return errA, errB, p
}

func TestTwoPeersOverPipe(t *testing.T) {
	a := founder(t, "a")
	a.notes(300, "nota")
	b := a.member("b")
	b.notes(20, "de b")
	errA, errB, p := pipeSync(t, b, a, Options{ChunkOps: 64})
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if !same(a.vector(), b.vector()) || a.count() != 320 || b.count() != 320 || a.digest() != b.digest() {
		t.Fatalf("not converged: %v %v, %d %d", a.vector(), b.vector(), a.count(), b.count())
	}
	if p.opsIn != 301 || p.opsOut != 21 {
		t.Fatalf("b received %d and sent %d operations", p.opsIn, p.opsOut)
	}
	if got := b.svc.Workspace().Title; got != "Cartagena +40" {
		t.Fatalf("b did not learn the title: %q", got)
	}
	peers, _ := RememberedPeers(b.svc)
	if len(peers) != 1 || peers[0].LastSync.IsZero() || peers[0].Device != a.svc.Device() {
		t.Fatalf("b remembers %+v", peers)
	}
	// Nothing left: a second sync sends nothing but vectors.
	_, _, p = pipeSync(t, b, a, Options{})
	if p.opsIn != 0 || p.opsOut != 0 || p.c.BytesOut() > 1024 {
		t.Fatalf("second sync moved %d+%d operations, %d bytes", p.opsIn, p.opsOut, p.c.BytesOut())
	}
}

// Concurrent writes on three laptops, partitions healed in different
// orders, over loopback: identical state; and what A gave B reaches C
// though A and C never meet.
func TestThreePeersRelayAndConverge(t *testing.T) {
	a := founder(t, "a")
	b, c := a.member("b"), a.member("c")
	a.notes(200, "a")
	b.notes(50, "b")
	c.notes(30, "c")
	_, addrB := b.serve(Options{})
	_, addrC := c.serve(Options{})
	ctx := context.Background()
	if err := a.replicator(Options{}).SyncOnce(ctx, []string{addrB}); err != nil {
		t.Fatal(err)
	}
	if err := b.replicator(Options{}).SyncOnce(ctx, []string{addrC}); err != nil {
		t.Fatal(err)
	}
	if c.count() != 280 {
		t.Fatalf("c holds %d records after meeting only b", c.count())
	}
	c.notes(5, "c later")
	a.notes(5, "a later")
	_, addrA := a.serve(Options{})
	if err := c.replicator(Options{}).SyncOnce(ctx, []string{addrA}); err != nil {
		t.Fatal(err)
	}
	if err := b.replicator(Options{}).SyncOnce(ctx, []string{addrA, addrC}); err != nil {
		t.Fatal(err)
	}
	if !same(a.vector(), b.vector()) || !same(b.vector(), c.vector()) {
		t.Fatalf("vectors differ: %v %v %v", a.vector(), b.vector(), c.vector())
	}
	if da, db, dc := a.digest(), b.digest(), c.digest(); da != db || db != dc || a.count() != 290 {
		t.Fatalf("states differ: %s %s %s (%d records)", da, db, dc, a.count())
	}
}

func TestInterruptedSyncResumes(t *testing.T) {
	a := founder(t, "a")
	a.notes(2000, "nota")
	b := a.member("b")
	ra, rb := a.replicator(Options{ChunkOps: 50}), b.replicator(Options{ChunkOps: 50})
	ca, cb := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ra.ServeConn(ctx, ca, false, "") }()
	go func() { defer wg.Done(); rb.ServeConn(ctx, cb, true, "pipe") }()
	waitFor(t, 10*time.Second, "b received nothing", func() bool { return b.vector()[a.svc.Device()] > 300 })
	ca.Close() // the cable is pulled
	cancel()
	wg.Wait()
	got := b.vector()[a.svc.Device()]
	if got >= 2001 {
		t.Skip("the sync finished before it could be interrupted")
	}
	_, _, p := pipeSync(t, b, a, Options{ChunkOps: 50})
	if !same(a.vector(), b.vector()) || b.count() != 2000 {
		t.Fatalf("not resumed: %v %v", a.vector(), b.vector())
	}
	if p.opsIn != int(2001-got) {
		t.Fatalf("the second sync brought %d operations; %d were missing", p.opsIn, 2001-got)
	}
}

func TestLivePush(t *testing.T) {
	a := founder(t, "a")
	b, c := a.member("b"), a.member("c")
	// Pings every 30 s: a note that arrives within seconds was pushed, not
	// polled for; the seconds leave room for a machine busy with other
	// tests (a one-second bound flaked under load).
	slow := 30 * time.Second
	_, addrA := a.serve(Options{PingInterval: slow})
	// One connection each, so that what c writes reaches b through a (with
	// more, they would learn each other's address from a and connect).
	rb, _ := b.serve(Options{Peers: []string{addrA}, MinPeers: 1, PingInterval: slow})
	c.serve(Options{Peers: []string{addrA}, MinPeers: 1, PingInterval: slow})
	waitFor(t, 10*time.Second, "b and c did not connect", func() bool {
		ps, _ := rb.Peers()
		return len(ps) == 1 && ps[0].Connected && same(c.vector(), a.vector()) && same(b.vector(), a.vector())
	})
	var worst time.Duration
	for i := 0; i < 5; i++ {
		id, err := a.svc.Create(app.KindNote, app.Patch{Title: ptr(fmt.Sprintf("en vivo %d", i)), SubRegion: ptr(app.SubRegion("andes")),
			AddThemes: []app.ThemeCode{"broad-protection"}})
		if err != nil {
			t.Fatal(err)
		}
		d := waitFor(t, 5*time.Second, "b did not get a's note within 5 s", func() bool { _, err := b.svc.Get(id); return err == nil })
		worst = max(worst, d)
		// c writes; b gets it through a.
		id, err = c.svc.Create(app.KindNote, app.Patch{Title: ptr(fmt.Sprintf("de c %d", i)), SubRegion: ptr(app.SubRegion("andes")),
			AddThemes: []app.ThemeCode{"broad-protection"}})
		if err != nil {
			t.Fatal(err)
		}
		d = waitFor(t, 5*time.Second, "b did not get c's note through a within 5 s", func() bool { _, err := b.svc.Get(id); return err == nil })
		worst = max(worst, d)
	}
	t.Logf("slowest push: %v", worst)
}

func TestStrangerRefusedAndLearnsNothing(t *testing.T) {
	a := founder(t, "a")
	a.notes(10, "secreto")
	_, addrA := a.serve(Options{})
	// Knows the workspace id but not the secret: a wrong code.
	s := &laptop{t: t, name: "stranger", svc: newStore(t), log: &logBuf{}}
	wrong := bytes.Repeat([]byte{0x42}, 16)
	if _, err := s.svc.Join(a.svc.Workspace().ID, wrong, ""); err != nil {
		t.Fatal(err)
	}
	before := a.vector()
	err := s.replicator(Options{}).SyncOnce(context.Background(), []string{addrA})
	if !errors.Is(err, transport.ErrNotMember) {
		t.Fatalf("stranger: %v", err)
	}
	if s.count() != 0 || len(s.vector()) != 1 || !strings.HasPrefix(s.svc.Workspace().Title, "(joining ") {
		t.Fatalf("the stranger learnt something: %d records, vector %v, title %q", s.count(), s.vector(), s.svc.Workspace().Title)
	}
	if !same(a.vector(), before) {
		t.Fatal("a's store changed")
	}
	waitFor(t, 2*time.Second, "a did not log the refusal", func() bool { return strings.Contains(a.log.String(), "refused peer") })
	if ps, _ := RememberedPeers(a.svc); len(ps) != 0 {
		t.Fatalf("a remembers the stranger: %+v", ps)
	}
}

func ptr[T any](v T) *T { return &v }

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestRestoredCopySyncsAsAnotherLaptop: a backup restored on a second
// laptop while the first keeps working syncs with it as another peer. The
// backup carries the first laptop's settings, its transport key among
// them; with that key the copy connected as the first laptop itself and
// was refused ("this is ourselves", or as a duplicate by a third laptop).
func TestRestoredCopySyncsAsAnotherLaptop(t *testing.T) {
	dirA := filepath.Join(t.TempDir(), "a")
	stA, err := storage.Open(dirA, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stA.Close() })
	svcA, err := app.NewService(stA)
	if err != nil {
		t.Fatal(err)
	}
	if err := initOpen(svcA, "Cartagena +40"); err != nil {
		t.Fatal(err)
	}
	a := &laptop{t: t, name: "a", svc: svcA, log: &logBuf{}}
	_, addrA := a.serve(Options{}) // makes a's transport key
	a.notes(3, "antes de la copia")
	var backup bytes.Buffer
	if err := stA.Backup(&backup, nil); err != nil {
		t.Fatal(err)
	}
	a.notes(2, "después de la copia")

	dirR := filepath.Join(t.TempDir(), "copia")
	if err := storage.Restore(dirR, &backup, nil); err != nil {
		t.Fatal(err)
	}
	r := &laptop{t: t, name: "copia", svc: openStore(t, dirR), log: &logBuf{}}
	r.notes(2, "escrita en la copia")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.replicator(Options{}).SyncOnce(ctx, []string{addrA}); err != nil {
		t.Fatalf("the copy syncing with the original: %v\n%s", err, r.log)
	}
	waitFor(t, 5*time.Second, "the original holds the copy's notes", func() bool { return a.count() == 7 })
	if r.count() != 7 || a.digest() != r.digest() {
		t.Fatalf("a holds %d notes, the copy %d", a.count(), r.count())
	}
}

// TestChunkOpsBounded: a chunk size above what a message may hold counts
// as that limit, so a sender never builds a message every peer refuses.
func TestChunkOpsBounded(t *testing.T) {
	a := founder(t, "a")
	for chunk, want := range map[int]int{0: 2000, 64: 64, protocol.MaxOps + 1: protocol.MaxOps, 1 << 20: protocol.MaxOps} {
		if got := a.replicator(Options{ChunkOps: chunk}).opts.ChunkOps; got != want {
			t.Errorf("ChunkOps %d: %d, want %d", chunk, got, want)
		}
	}
}
