package replication

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// BenchmarkRoomProcesses10: a room of 10 laptops, each a process of its
// own (this test binary as a child laptop, see runChild) with its store on
// disk and the default ping interval, each told every other's address
// ("peers", as discovery would). Once every vector is equal and the
// connections have settled, the parent runs BenchmarkRoom10's schedule for
// $CONSULTA_ROOM_SECONDS (40 s), commanding each note ("note", which
// answers the note's device:seq and the child's clock just before the
// write), and waits up to $CONSULTA_ROOM_DRAIN (120 s) until every laptop
// holds every note. Each child notes when each operation arrives ("watch",
// "arrivals"), on the machine's one clock. Reports BenchmarkRoom10's
// figures: the spread (the target at 30 laptops: every laptop
// within 1 s at p99, all-p99-ms), room-bytes/note from the children's
// counts of the bytes on the connections they accepted, cpu-ms/note/laptop
// and idle-cpu-ms/s/laptop from their CPU times, sockets from their
// Service.Peers every 2 s. All processes share this machine's cores. b.N
// counts runs, as in BenchmarkRoom10.
func BenchmarkRoomProcesses10(b *testing.B) { benchRoomProcesses(b, 10) }

// BenchmarkRoomProcesses30 is BenchmarkRoomProcesses10 with 30 processes.
func BenchmarkRoomProcesses30(b *testing.B) { benchRoomProcesses(b, 30) }

func benchRoomProcesses(b *testing.B, n int) {
	d := envSeconds(roomSecondsEnv, 40*time.Second)
	drain := envSeconds(roomDrainEnv, 120*time.Second)
	var all roomResult
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		all.add(runProcRoom(b, n, roomSchedule(n, d, int64(i+1)), drain))
	}
	all.report(b, n)
	if n == 30 { // the acceptance room for latency
		all.check(b, n, roomTarget{p99: time.Second, sockets: 8})
	}
}

// procRoom is a room of child processes; the first founded the workspace.
type procRoom struct {
	tb    testing.TB
	root  string
	procs []*proc

	mu      sync.Mutex
	writes  []noteWrite
	opBytes int64
	errs    []error // from writes, which run outside the test goroutine
}

// runProcRoom starts a room of n processes, runs evs in it with b's timer
// running, measures it and stops the processes.
func runProcRoom(b *testing.B, n int, evs []roomEvent, drain time.Duration) roomResult {
	r := startProcRoom(b, n)
	defer r.quit()
	waitSettled(b, 2*time.Minute, r.connected)
	b.Logf("%d processes connected and even", n)
	for _, p := range r.procs {
		p.do("watch")
	}
	var res roomResult
	_, idle0, _ := r.stats()
	time.Sleep(idleSpell)
	wire0, cpu0, err := r.stats()
	if err != nil {
		b.Fatal(err)
	}
	res.idleCPU, res.idleTime = cpu0-idle0, idleSpell

	stopSampling, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		sampleSockets(stopSampling, r.connected, &res)
	}()
	b.StartTimer()
	var writing sync.WaitGroup
	runSchedule(evs, &writing, r.write)
	writing.Wait()
	if err := errors.Join(r.errs...); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d notes written; waiting for all to reach every laptop", len(r.writes))
	r.waitDelivered(drain)
	b.StopTimer()
	time.Sleep(settle)
	close(stopSampling)
	<-sampled
	wire1, cpu1, err := r.stats()
	if err != nil {
		b.Fatal(err)
	}
	res.wire, res.cpu = wire1-wire0, cpu1-cpu0
	return r.measure(res)
}

// startProcRoom starts n child laptops of one workspace, tells each every
// other's address, and waits until they hold the same operations.
func startProcRoom(tb testing.TB, n int) *procRoom {
	r := &procRoom{tb: tb, root: tb.TempDir()}
	ping := childPingEnv + "=15s" // Options' default, as on a laptop
	for i := range n {
		name := fmt.Sprintf("laptop-%02d", i)
		env := []string{ping}
		if i > 0 {
			env = append(env, childJoinEnv+"="+r.procs[0].ws+":"+r.procs[0].key)
		}
		r.procs = append(r.procs, startProc(tb, name, filepath.Join(r.root, name), env...))
	}
	for _, p := range r.procs {
		var addrs []string
		for _, o := range r.procs {
			if o != p {
				addrs = append(addrs, o.addr)
			}
		}
		p.do("peers " + strings.Join(addrs, " "))
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		vs := r.vectors()
		even := len(vs[0]) == n
		for _, v := range vs {
			even = even && same(v, vs[0])
		}
		if even {
			return r
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the processes did not even out in 2 minutes: %v", vs)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (r *procRoom) quit() {
	for _, p := range r.procs {
		p.quit()
	}
}

func (r *procRoom) vectors() []app.Vector {
	vs := make([]app.Vector, len(r.procs))
	for i, p := range r.procs {
		vs[i] = app.Vector{}
		for dev, k := range p.vector() {
			vs[i][app.DeviceID(dev)] = k
		}
	}
	return vs
}

// stats sums the children's counts of bytes and CPU time.
func (r *procRoom) stats() (wire int64, cpu time.Duration, err error) {
	for _, p := range r.procs {
		s, err := p.try("stats")
		if err != nil {
			return 0, 0, err
		}
		f := strings.Fields(s)
		w, _ := strconv.ParseInt(f[0], 10, 64)
		c, _ := strconv.ParseInt(f[1], 10, 64)
		wire, cpu = wire+w, cpu+time.Duration(c)
	}
	return wire, cpu, nil
}

// connected counts each child's live connections. Any goroutine may call
// it.
func (r *procRoom) connected() []int {
	out := make([]int, len(r.procs))
	for i, p := range r.procs {
		s, err := p.try("stats")
		if err != nil {
			r.tb.Error(err)
			continue
		}
		f := strings.Fields(s)
		out[i], _ = strconv.Atoi(f[len(f)-1])
	}
	return out
}

// write makes laptop i write k notes, one after the other.
func (r *procRoom) write(i, k int) {
	asked := time.Now()
	for range k {
		w, size, err := r.note(i)
		w.save = time.Since(asked)
		r.mu.Lock()
		if err != nil {
			r.errs = append(r.errs, err)
		} else {
			r.writes = append(r.writes, w)
			r.opBytes += int64(size)
		}
		r.mu.Unlock()
	}
}

// note makes laptop i write a note and returns it and the size of its
// operation.
func (r *procRoom) note(i int) (noteWrite, int, error) {
	s, err := r.procs[i].try("note")
	if err != nil {
		return noteWrite{}, 0, err
	}
	var dev string
	var seq uint64
	var at int64
	var size int
	if _, err := fmt.Sscanf(strings.Replace(s, ":", " ", 1), "%s %d %d %d", &dev, &seq, &at, &size); err != nil {
		return noteWrite{}, 0, fmt.Errorf("%s: note answered %q", r.procs[i].name, s)
	}
	return noteWrite{laptop: i, op: opKey{app.DeviceID(dev), seq}, at: time.Unix(0, at)}, size, nil
}

// waitDelivered waits until every child holds every note written, and
// fails naming what is missing where after timeout.
func (r *procRoom) waitDelivered(timeout time.Duration) {
	r.tb.Helper()
	want := app.Vector{}
	for _, w := range r.writes {
		want[w.op.dev] = max(want[w.op.dev], w.op.seq)
	}
	deadline := time.Now().Add(timeout)
	for {
		msg := lacking(r.vectors(), want, func(i int) string { return r.procs[i].name })
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			r.tb.Fatalf("%v after the last write: %s", timeout, msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// measure adds to res the notes and their spread, from the children's
// arrival logs.
func (r *procRoom) measure(res roomResult) roomResult {
	res.notes, res.opBytes = len(r.writes), r.opBytes
	for _, w := range r.writes {
		res.saves = append(res.saves, w.save)
	}
	held := make([]func(opKey) (int64, bool), len(r.procs))
	for i, p := range r.procs {
		log, err := r.arrivals(p)
		if err != nil {
			r.tb.Fatal(err)
		}
		held[i] = log.get
	}
	var err error
	if res.pairs, res.whole, err = spreads(r.writes, held); err != nil {
		r.tb.Fatal(err)
	}
	r.tb.Logf("slowest: %s", slowest(r.writes, held, func(i int) string { return r.procs[i].name }, 5))
	return res
}

// arrivals fetches p's arrival log.
func (r *procRoom) arrivals(p *proc) (*arrivalLog, error) {
	path := filepath.Join(r.root, p.name+".arrivals")
	if _, err := p.try("arrivals " + path); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	log := newArrivalLog()
	for line := range strings.Lines(string(data)) {
		var dev string
		var op opKey
		var at int64
		if _, err := fmt.Sscanf(line, "%s %d %d", &dev, &op.seq, &at); err != nil {
			return nil, fmt.Errorf("%s: arrival %q: %v", p.name, line, err)
		}
		op.dev = app.DeviceID(dev)
		log.at[op] = at
	}
	return log, nil
}
