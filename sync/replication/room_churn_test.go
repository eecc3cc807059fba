package replication

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// churnSecondsEnv is how long BenchmarkRoomChurn20 writes and crashes
// laptops; 30 s unless set.
const churnSecondsEnv = "CONSULTA_CHURN_SECONDS"

// churn is a room in which laptops crash and come back.
type churn struct {
	laptops    int
	length     time.Duration // of writing and crashing
	notePeriod time.Duration // each laptop writes a note this often on average
	crashEvery time.Duration // one laptop crashes this often
	downFor    time.Duration // and restarts after this
	drain      time.Duration // every note must be everywhere this long after the end
}

// BenchmarkRoomChurn20: a room of 20 laptops in this process (as in
// BenchmarkRoom10), each writing a note every 5 s on average, and every
// 3 s one laptop (never the same twice running) crashes: the connections
// it accepted are cut under it, its replication service is stopped and
// its listener closed; its store stays, and its user keeps writing. 1.5 s
// later it restarts on a new listener, told every other laptop's address,
// and every other laptop is told its new one (AddKnown), as discovery
// would. After $CONSULTA_CHURN_SECONDS (30 s), all laptops running, it
// fails unless every laptop holds every note any laptop wrote within
// $CONSULTA_ROOM_DRAIN (120 s), naming what is missing where; then every
// store's check must be clean and every store's records identical.
// Reports crashes, drain-ms (from the end of the churn, every laptop
// running again, to every note everywhere), and BenchmarkRoom10's figures over the run (the spread
// includes the notes a laptop wrote while down, which wait for its
// restart). b.N counts runs, as in BenchmarkRoom10.
func BenchmarkRoomChurn20(b *testing.B) {
	c := churn{laptops: 20, length: envSeconds(churnSecondsEnv, 30*time.Second), notePeriod: 5 * time.Second,
		crashEvery: 3 * time.Second, downFor: 1500 * time.Millisecond, drain: envSeconds(roomDrainEnv, 120*time.Second)}
	var all roomResult
	var crashes int
	var drain time.Duration
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		b.StartTimer()
		res, k, d := runChurn(b, c, Options{Log: benchLog()}, int64(i+1))
		b.StopTimer()
		all.add(res)
		crashes += k
		drain += d
	}
	all.report(b, c.laptops)
	b.ReportMetric(float64(crashes)/float64(b.N), "crashes")
	b.ReportMetric(float64(drain.Microseconds())/1000/float64(b.N), "drain-ms")
}

// TestRoomChurn is BenchmarkRoomChurn20's check, small enough for the unit
// tests: 6 laptops, 2 s, a crash every 0.4 s.
func TestRoomChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("crashes laptops for seconds")
	}
	c := churn{laptops: 6, length: 2 * time.Second, notePeriod: 500 * time.Millisecond,
		crashEvery: 400 * time.Millisecond, downFor: 200 * time.Millisecond, drain: 30 * time.Second}
	res, crashes, drain := runChurn(t, c, Options{}, 1)
	t.Logf("%d notes, %d crashes; every note everywhere %v after the end", res.notes, crashes, drain.Round(time.Millisecond))
}

// runChurn builds the room of c, writes and crashes laptops for c.length,
// checks that nothing was lost and returns the room's figures, how many
// laptops crashed, and how long after the end of the churn every laptop
// held every note.
func runChurn(tb testing.TB, c churn, o Options, seed int64) (res roomResult, crashes int, drain time.Duration) {
	r := newRoom(tb, c.laptops, o)
	defer r.close()
	r.startAll()
	r.waitConnected(time.Minute)
	wire0, cpu0 := r.wire.Load(), cpuTime()

	scheduled := make(chan struct{})
	go func() {
		defer close(scheduled)
		runSchedule(scheduleAt(c.laptops, c.length, c.notePeriod, 0, seed), &r.writing, r.write)
	}()
	crashes = r.crashLoop(c, seed)
	<-scheduled
	ended := time.Now()
	r.waitDelivered(c.drain)
	drain = time.Since(ended)
	if err := errors.Join(r.errs...); err != nil {
		tb.Fatal(err)
	}
	res = r.measure(roomResult{wire: r.wire.Load() - wire0, cpu: cpuTime() - cpu0})
	r.checkAll()
	return res, crashes, drain
}

// crashLoop crashes a laptop every c.crashEvery and restarts it c.downFor
// later, until c.length has passed; it returns how many crashed. All are
// running when it returns.
func (r *room) crashLoop(c churn, seed int64) int {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	end := time.Now().Add(c.length)
	last, crashes := -1, 0
	for time.Now().Add(c.crashEvery).Before(end) {
		time.Sleep(c.crashEvery - c.downFor)
		i := rng.IntN(len(r.laptops))
		if last >= 0 { // never the one that crashed last
			if i = rng.IntN(len(r.laptops) - 1); i >= last {
				i++
			}
		}
		l := r.laptops[i]
		l.ln.cut()
		l.stop()
		l.repl = nil
		crashes++
		time.Sleep(c.downFor)
		r.restart(l)
		last = i
	}
	time.Sleep(time.Until(end))
	return crashes
}

// restart starts l's replication again on a new listener and tells every
// other running laptop its new address.
func (r *room) restart(l *roomLaptop) {
	r.listen(l)
	l.serve()
	for _, o := range r.laptops {
		if o != l && o.repl != nil {
			o.repl.AddKnown(l.addr)
		}
	}
}

// checkAll fails unless every store's check is clean and every store holds
// the same records, one for each note written.
func (r *room) checkAll() {
	r.tb.Helper()
	var first string
	for _, l := range r.laptops {
		rep, err := l.svc.Check()
		if err != nil {
			r.tb.Fatalf("%s: check: %v", l.name, err)
		}
		if len(rep.Problems) > 0 {
			r.tb.Fatalf("%s: check found %d problems: %v", l.name, len(rep.Problems), rep.Problems)
		}
		h, err := childHash(l.svc)
		if err != nil {
			r.tb.Fatalf("%s: %v", l.name, err)
		}
		if first == "" {
			first = h
			if !strings.HasSuffix(h, fmt.Sprintf(" %d", len(r.writes))) {
				r.tb.Fatalf("%s holds %s records (hash, count) for %d notes written", l.name, h, len(r.writes))
			}
		} else if h != first {
			r.tb.Fatalf("%s's records differ from %s's: %s, %s", l.name, r.laptops[0].name, h, first)
		}
	}
}
