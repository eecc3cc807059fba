package replication

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// Environment of a child laptop process (see TestMain).
const (
	childDirEnv   = "CONSULTA_SYNC_CHILD_DIR"   // its data directory; set only in a child
	childJoinEnv  = "CONSULTA_SYNC_CHILD_JOIN"  // "workspace-id:join-key-hex" to join; empty to init
	childFoundEnv = "CONSULTA_SYNC_CHILD_FOUND" // "1": init a founded workspace (roles), not one without
	childPeersEnv = "CONSULTA_SYNC_CHILD_PEERS" // comma-separated addresses to keep dialling
	childChunkEnv = "CONSULTA_SYNC_CHILD_CHUNK" // operations per chunk it sends; 200 unless set
	childPingEnv  = "CONSULTA_SYNC_CHILD_PING"  // its ping interval (a Go duration); 2s unless set
)

// TestMain lets this test binary double as a laptop for
// TestThreeProcesses: with childDirEnv set it runs runChild instead of the
// tests.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		if err := runChild(dir, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if benchTemp != "" {
		os.RemoveAll(benchTemp)
	}
	os.Exit(code)
}

// runChild is one laptop in its own process: its own store on disk, the
// core service, and a replication service listening on 127.0.0.1:0 and
// dialling the peers of childPeersEnv. It prints
//
//	ready ADDR WORKSPACE JOINKEY DEVICE VECTOR
//
// (VECTOR as in the vector command, before any sync of this run), then
// answers one line per command read from in: "ok ..." or "err ...".
//
//	write N PREFIX      create N notes; answers the first id
//	demo N              load N demo records
//	update ID TITLE     change a record's title
//	remove DEVICE       remove that laptop's member (a founded workspace)
//	sync ADDR...        SyncOnce with these peers
//	syncbg ADDR...      SyncOnce in the background; answers at once
//	vector              DEVICE:SEQ ... in device order
//	hash                SHA-256 over the canonical encodings of every record in id order, and the count
//	title               the workspace title
//	peers ADDR...       dial these too and keep dialling them (AddPeer), as discovery would
//	note                write one note like a meeting's (roomNotes); answers DEVICE:SEQ UNIXNANO SIZE: the clock just before
//	                    writing, and the size of its encoded operation
//	watch               start noting when each operation it does not hold yet arrives
//	arrivals PATH       write "DEVICE SEQ UNIXNANO" to PATH for each operation arrived since watch; answers how many
//	stats               BYTES CPUNS CONNECTED: bytes both ways on the connections it accepted, its CPU time, its live peers
//	quit                stop the service, close the store and exit
func runChild(dir string, in io.Reader, out io.Writer) error {
	st, err := storage.Open(dir, storage.Options{})
	if err != nil {
		return err
	}
	var closeOnce sync.Once
	closeStore := func() { closeOnce.Do(func() { st.Close() }) }
	defer closeStore()
	svc, err := app.NewService(st)
	if err != nil {
		return err
	}
	if svc.Workspace() == nil {
		if j := os.Getenv(childJoinEnv); j != "" {
			id, key, _ := strings.Cut(j, ":")
			secret, err := hex.DecodeString(key)
			if err != nil {
				return err
			}
			if _, err := svc.Join(app.WorkspaceID(id), secret, ""); err != nil {
				return err
			}
		} else if os.Getenv(childFoundEnv) == "1" {
			if _, err := svc.Init("Cartagena +40"); err != nil {
				return err
			}
		} else if err := initOpen(svc, "Cartagena +40"); err != nil {
			return err
		}
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ln := &countingListener{Listener: raw}
	var peers []string
	if p := os.Getenv(childPeersEnv); p != "" {
		peers = strings.Split(p, ",")
	}
	lg := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	chunk := 200
	if c, err := strconv.Atoi(os.Getenv(childChunkEnv)); err == nil {
		chunk = c
	}
	ping := 2 * time.Second
	if d, err := time.ParseDuration(os.Getenv(childPingEnv)); err == nil {
		ping = d
	}
	r, err := New(svc, Options{Listener: ln, Peers: peers, Log: lg, ChunkOps: chunk,
		PingInterval: ping, RetryInterval: 100 * time.Millisecond})
	if err != nil {
		return err
	}
	ws := svc.Workspace()
	vec, err := childVector(svc)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	reply := func(format string, a ...any) {
		fmt.Fprintf(w, format+"\n", a...)
		w.Flush()
	}
	reply("ready %s %s %x %s %s", ln.Addr(), ws.ID, ws.Secret[:transport.JoinKeySize], svc.Device(), vec)

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		r.Serve(ctx)
	}()
	defer func() { cancel(); <-served }()
	var notes *noteSource // made at the first note
	var held *arrivalLog  // made by watch

	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var res string
		var err error
		switch f[0] {
		case "write":
			n, _ := strconv.Atoi(f[1])
			res, err = childWrite(svc, n, f[2])
		case "demo":
			n, _ := strconv.Atoi(f[1])
			_, err = demo.Load(svc, n, 1, 500, nil)
		case "update":
			title := strings.Join(f[2:], " ")
			err = svc.Update(app.RecordID(f[1]), app.Patch{Title: &title})
		case "remove":
			err = svc.RemoveMember(f[1])

		case "sync":
			sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
			err = r.SyncOnce(sctx, f[1:])
			scancel()
		case "syncbg":
			go r.SyncOnce(ctx, f[1:])
		case "vector":
			res, err = childVector(svc)
		case "hash":
			res, err = childHash(svc)
		case "title":
			res = svc.Workspace().Title
		case "peers":
			for _, a := range f[1:] {
				r.AddKnown(a) // as discovery finds them: dialled as the budget asks
			}
		case "note":
			if notes == nil {
				notes = newNoteSource(svc.Taxonomy(), deviceSeed(svc.Device()))
			}
			var op opKey
			var at time.Time
			var size int
			if op, at, err = writeNote(svc, notes); err == nil {
				size, err = opSize(svc, op.dev, op.seq)
				res = fmt.Sprintf("%s %d %d", op, at.UnixNano(), size)
			}
		case "watch":
			if held == nil {
				held = newArrivalLog()
				go watchArrivals(ctx, svc, held)
			}
		case "arrivals":
			if held == nil {
				err = errors.New("not watching")
			} else {
				res, err = writeArrivals(held, f[1])
			}
		case "stats":
			var connected int
			ps, perr := r.Peers()
			for _, p := range ps {
				if p.Connected {
					connected++
				}
			}
			res, err = fmt.Sprintf("%d %d %d", ln.n.Load(), cpuTime().Nanoseconds(), connected), perr
		case "quit":
			cancel()
			<-served
			closeStore()
			reply("ok")
			return nil
		default:
			err = fmt.Errorf("unknown command %q", f[0])
		}
		if err != nil {
			reply("err %s", strings.ReplaceAll(err.Error(), "\n", " | "))
		} else {
			reply("ok %s", res)
		}
	}
	return sc.Err()
}

// writeArrivals writes what held recorded to path, one operation a line,
// and returns how many.
func writeArrivals(held *arrivalLog, path string) (string, error) {
	held.mu.Lock()
	var b strings.Builder
	for op, t := range held.at {
		fmt.Fprintf(&b, "%s %d %d\n", op.dev, op.seq, t)
	}
	n := len(held.at)
	held.mu.Unlock()
	return strconv.Itoa(n), os.WriteFile(path, []byte(b.String()), 0o600)
}

func childWrite(svc *app.Service, n int, prefix string) (string, error) {
	var first app.RecordID
	for done := 0; done < n; {
		drafts := make([]app.Draft, min(n-done, 500))
		for i := range drafts {
			title, body := fmt.Sprintf("%s %d", prefix, done+i), fmt.Sprintf("Acceso a documentación en tránsito, escrito por %s.", prefix)
			sr, c := app.SubRegion("andes"), app.CountryCode("CO")
			drafts[i] = app.Draft{Kind: app.KindNote, Patch: app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &c,
				AddThemes: []app.ThemeCode{"broad-protection"}}}
		}
		ids, err := svc.CreateMany(drafts)
		if err != nil {
			return "", err
		}
		if first == "" {
			first = ids[0]
		}
		done += len(drafts)
	}
	return string(first), nil
}

func childVector(svc *app.Service) (string, error) {
	v, err := svc.Vector()
	if err != nil {
		return "", err
	}
	devs := make([]string, 0, len(v))
	for d := range v {
		devs = append(devs, string(d))
	}
	sort.Strings(devs)
	for i, d := range devs {
		devs[i] = fmt.Sprintf("%s:%d", d, v[app.DeviceID(d)])
	}
	return strings.Join(devs, " "), nil
}

func childHash(svc *app.Service) (string, error) {
	res, err := svc.List(app.Filter{}, 0)
	if err != nil {
		return "", err
	}
	if len(res.Records) != res.Total {
		return "", fmt.Errorf("listed %d of %d records", len(res.Records), res.Total)
	}
	ids := make([]string, 0, len(res.Records))
	for _, r := range res.Records {
		ids = append(ids, string(r.ID))
	}
	sort.Strings(ids)
	h := sha256.New()
	for _, id := range ids {
		r, err := svc.Get(app.RecordID(id))
		if err != nil {
			return "", err
		}
		b, err := app.EncodeRecord(r)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return fmt.Sprintf("%x %d", h.Sum(nil), len(ids)), nil
}

// proc is a child laptop seen from the test.
type proc struct {
	t      testing.TB
	name   string
	dir    string
	cmd    *exec.Cmd
	in     io.WriteCloser
	lines  chan string
	stderr *logBuf
	mu     sync.Mutex // one command at a time

	addr, ws, key, dev string
	held               map[string]uint64 // its vector when it started
}

// startProc starts a laptop on dir; env adds childJoinEnv or childPeersEnv.
func startProc(t testing.TB, name, dir string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childDirEnv+"="+dir), env...)
	p := &proc{t: t, name: name, dir: dir, cmd: cmd, lines: make(chan string, 16), stderr: &logBuf{}}
	cmd.Stderr = p.stderr
	var err error
	if p.in, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("--- %s's log:\n%s", name, p.stderr)
		}
	})
	l, err := p.read(30 * time.Second)
	if err != nil {
		t.Fatalf("%s did not start: %v", name, err)
	}
	f := strings.Fields(l)
	if len(f) < 5 || f[0] != "ready" {
		t.Fatalf("%s: %q", name, l)
	}
	p.addr, p.ws, p.key, p.dev = f[1], f[2], f[3], f[4]
	p.held = parseVector(strings.Join(f[5:], " "))
	return p
}

func (p *proc) read(d time.Duration) (string, error) {
	select {
	case l, ok := <-p.lines:
		if !ok {
			return "", fmt.Errorf("%s exited: %v", p.name, p.cmd.Wait())
		}
		return l, nil
	case <-time.After(d):
		return "", fmt.Errorf("%s did not answer within %v", p.name, d)
	}
}

// try sends a command and returns the answer after "ok", or an error with
// the answer after "err".
func (p *proc) try(command string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := fmt.Fprintln(p.in, command); err != nil {
		return "", fmt.Errorf("%s: %v", p.name, err)
	}
	l, err := p.read(90 * time.Second)
	if err != nil {
		return "", err
	}
	if rest, ok := strings.CutPrefix(l, "ok"); ok {
		return strings.TrimSpace(rest), nil
	}
	return "", fmt.Errorf("%s: %s: %s", p.name, command, strings.TrimPrefix(l, "err "))
}

func (p *proc) do(command string) string {
	p.t.Helper()
	res, err := p.try(command)
	if err != nil {
		p.t.Fatal(err)
	}
	return res
}

func (p *proc) vector() map[string]uint64 { return parseVector(p.do("vector")) }
func (p *proc) hash() string              { return p.do("hash") }

func (p *proc) quit() {
	p.t.Helper()
	p.do("quit")
	if err := p.cmd.Wait(); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
}

func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func parseVector(s string) map[string]uint64 {
	v := map[string]uint64{}
	for _, f := range strings.Fields(s) {
		dev, n, _ := strings.Cut(f, ":")
		v[dev], _ = strconv.ParseUint(n, 10, 64)
	}
	return v
}

func sameVec(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for d, n := range a {
		if b[d] != n {
			return false
		}
	}
	return true
}

// parallel runs one function per laptop at once and fails on the first
// error.
func parallel(t *testing.T, fs ...func() error) {
	t.Helper()
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f() }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// Three laptops as separate processes on loopback, each with its own
// store on disk: concurrent writes (new records, and edits of one record
// on all three), partitions healed in the order A-B, B-C, A-C; a laptop
// killed (SIGKILL) in the middle of receiving 6,000 operations resumes on
// restart and converges; a fourth laptop with a wrong join code, dialling
// A the whole time, receives nothing and changes nothing. Identical state
// is a SHA-256 over the canonical encodings of all records, computed by
// each process.
func TestThreeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	start := time.Now()
	root := t.TempDir()
	dir := func(n string) string { return root + "/" + n }

	a := startProc(t, "a", dir("a"))
	shared := a.do("write 300 a")
	join := childJoinEnv + "=" + a.ws + ":" + a.key

	// The stranger: the workspace id, but a wrong key; it dials A all along.
	wrongKey := strings.Repeat("42", transport.JoinKeySize)
	d := startProc(t, "stranger", dir("d"), childJoinEnv+"="+a.ws+":"+wrongKey, childPeersEnv+"="+a.addr)
	if _, err := d.try("sync " + a.addr); err == nil || !strings.Contains(err.Error(), transport.ErrNotMember.Error()) {
		t.Fatalf("the stranger's sync: %v", err)
	}

	b := startProc(t, "b", dir("b"), join)
	c := startProc(t, "c", dir("c"), join)
	b.do("sync " + a.addr)
	c.do("sync " + a.addr)
	if ha, hb, hc := a.hash(), b.hash(), c.hash(); ha != hb || hb != hc || !strings.HasSuffix(ha, " 300") {
		t.Fatalf("after joining: %s / %s / %s", ha, hb, hc)
	}
	if got := c.do("title"); got != "Cartagena +40" {
		t.Fatalf("c's title: %q", got)
	}

	// Partitioned: all three write at once, and all three retitle the
	// same record.
	w := func(p *proc, n int) func() error {
		return func() error {
			if _, err := p.try(fmt.Sprintf("write %d %s-partido", n, p.name)); err != nil {
				return err
			}
			_, err := p.try(fmt.Sprintf("update %s retitulado por %s", shared, p.name))
			return err
		}
	}
	parallel(t, w(a, 200), w(b, 150), w(c, 100))
	if ha, hb, hc := a.hash(), b.hash(), c.hash(); ha == hb || hb == hc || ha == hc {
		t.Fatal("the partitioned laptops did not diverge")
	}

	// A-B.
	b.do("sync " + a.addr)
	ha, hb, hc := a.hash(), b.hash(), c.hash()
	if ha != hb || hb == hc || !strings.HasSuffix(ha, " 650") {
		t.Fatalf("after A-B: %s / %s / %s", ha, hb, hc)
	}
	// B-C: c gets a's work through b; a still lacks c's.
	c.do("sync " + b.addr)
	ha, hb, hc = a.hash(), b.hash(), c.hash()
	if hb != hc || ha == hc || !strings.HasSuffix(hc, " 750") {
		t.Fatalf("after B-C: %s / %s / %s", ha, hb, hc)
	}
	// A-C.
	a.do("sync " + c.addr)
	ha, hb, hc = a.hash(), b.hash(), c.hash()
	if ha != hb || hb != hc || !strings.HasSuffix(ha, " 750") {
		t.Fatalf("after A-C: %s / %s / %s", ha, hb, hc)
	}
	if va, vb, vc := a.vector(), b.vector(), c.vector(); !sameVec(va, vb) || !sameVec(vb, vc) || len(va) != 3 {
		t.Fatalf("vectors after A-C: %v %v %v", va, vb, vc)
	}
	t.Logf("converged after partitions at %v", time.Since(start).Round(time.Millisecond))

	// C is killed while receiving 6,000 operations from A, in chunks of 200.
	const big = 6000
	a.do(fmt.Sprintf("write %d grande", big))
	want := a.vector()
	base := c.vector()[a.dev]
	c.do("syncbg " + a.addr)
	var seen uint64
	deadline := time.Now().Add(60 * time.Second)
	for seen < base+600 {
		if time.Now().After(deadline) {
			t.Fatalf("c received only %d of a's operations in a minute", seen-base)
		}
		time.Sleep(5 * time.Millisecond)
		seen = c.vector()[a.dev]
	}
	c.kill()
	t.Logf("c killed after receiving at least %d of %d operations, at %v", seen-base, big, time.Since(start).Round(time.Millisecond))

	// Restarted on the same data directory, dialling A: it holds what it
	// had acknowledged, and fetches the rest.
	c = startProc(t, "c (restarted)", dir("c"), childPeersEnv+"="+a.addr)
	if got := c.held[a.dev]; got < seen || got >= want[a.dev] {
		t.Fatalf("c restarted holding %d of a's operations: it had %d before the kill, a has %d", got, seen, want[a.dev])
	}
	t.Logf("c restarted holding %d of a's %d operations", c.held[a.dev]-base, big)
	deadline = time.Now().Add(60 * time.Second)
	for !sameVec(c.vector(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("c did not catch up: %v, a %v", c.vector(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.do("sync " + c.addr)
	ha, hb, hc = a.hash(), b.hash(), c.hash()
	if ha != hb || hb != hc || !strings.HasSuffix(ha, fmt.Sprintf(" %d", 750+big)) {
		t.Fatalf("after the restart: %s / %s / %s", ha, hb, hc)
	}
	va, vb, vc := a.vector(), b.vector(), c.vector()
	if !sameVec(va, vb) || !sameVec(vb, vc) {
		t.Fatalf("vectors after the restart: %v %v %v", va, vb, vc)
	}

	// The stranger received nothing and changed nothing.
	if vd := d.vector(); len(vd) != 1 || vd[d.dev] == 0 || !sameVec(vd, d.held) {
		t.Fatalf("the stranger's vector: %v (it started with %v)", vd, d.held)
	}
	if hd := d.hash(); !strings.HasSuffix(hd, " 0") {
		t.Fatalf("the stranger holds records: %s", hd)
	}
	if title := d.do("title"); !strings.HasPrefix(title, "(joining ") {
		t.Fatalf("the stranger learnt the title %q", title)
	}
	if _, ok := va[d.dev]; ok {
		t.Fatalf("the stranger's device reached a: %v", va)
	}
	if !strings.Contains(a.stderr.String(), "refused peer") {
		t.Fatal("a did not log refusing the stranger")
	}

	for _, p := range []*proc{a, b, c, d} {
		p.quit()
	}
	t.Logf("%d records identical on three processes; %v in all", 750+big, time.Since(start).Round(time.Millisecond))
}
