package replication

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// countingListener counts the bytes read from and written to every
// connection it accepts: the bytes on the wire both ways, as TCP carries
// them (TLS records included, TCP/IP headers not).
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: &l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	k, err := c.Conn.Read(p)
	c.n.Add(int64(k))
	return k, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	k, err := c.Conn.Write(p)
	c.n.Add(int64(k))
	return k, err
}

// deltaFixture is two peers, src holding n demo records and dst a member
// that has already synced all of them from src, which listens on addr
// behind a countingListener. served receives after src has finished with
// each connection.
type deltaFixture struct {
	src, dst   *app.Service
	rdst       *Service
	ln         *countingListener
	addr       string
	served     chan struct{}
	firstOps   int
	firstBytes int64
	firstTime  time.Duration
	drafts     []app.Draft // demo records, for new writes
}

var (
	deltaMu  sync.Mutex
	deltaFix = map[int]*deltaFixture{}
)

// sharedDeltaFixture returns the fixture of n records, made once per
// process.
func sharedDeltaFixture(b *testing.B, n int) *deltaFixture {
	deltaMu.Lock()
	defer deltaMu.Unlock()
	if f := deltaFix[n]; f != nil {
		return f
	}
	f, err := newDeltaFixture(n)
	if err != nil {
		b.Fatal(err)
	}
	deltaFix[n] = f
	return f
}

// benchTemp holds the stores that live for the whole benchmark process;
// TestMain removes it.
var benchTemp string

// processStore is a store on disk, as on a laptop, without a cleanup: the
// delta fixture lives for the whole benchmark process, so that b.N's
// ramp-up and -count do not load 20,000 records each time.
func processStore() (*app.Service, error) {
	if benchTemp == "" {
		d, err := os.MkdirTemp("", "consulta-bench-sync-")
		if err != nil {
			return nil, err
		}
		benchTemp = d
	}
	dir, err := os.MkdirTemp(benchTemp, "store-")
	if err != nil {
		return nil, err
	}
	st, err := storage.Open(filepath.Join(dir, "data"), storage.Options{})
	if err != nil {
		return nil, err
	}
	return app.NewService(st)
}

func newDeltaFixture(n int) (*deltaFixture, error) {
	src, err := processStore()
	if err != nil {
		return nil, err
	}
	if _, err := src.Init("Cartagena +40"); err != nil {
		return nil, err
	}
	if _, err := demo.Load(src, n, 1, 500, nil); err != nil {
		return nil, err
	}
	dst, err := processStore()
	if err != nil {
		return nil, err
	}
	ws := src.Workspace()
	if _, err := dst.Join(ws.ID, ws.Secret[:transport.JoinKeySize], ""); err != nil {
		return nil, err
	}
	rs, err := New(src, Options{})
	if err != nil {
		return nil, err
	}
	rd, err := New(dst, Options{})
	if err != nil {
		return nil, err
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &deltaFixture{src: src, dst: dst, rdst: rd, ln: &countingListener{Listener: raw}, addr: raw.Addr().String(),
		served: make(chan struct{}, 1)}
	go func() {
		for {
			c, err := f.ln.Accept()
			if err != nil {
				return
			}
			go func() {
				rs.ServeConn(context.Background(), c, false, "")
				f.served <- struct{}{}
			}()
		}
	}()
	want, _ := src.Vector()
	for _, k := range want {
		f.firstOps += int(k)
	}
	f.firstBytes, f.firstTime, err = f.sync()
	if err != nil {
		return nil, err
	}
	// New records like the demo ones (bodies of 40 to 250 words, in a
	// meeting src holds), minus meetings and comments, with fresh ids.
	for _, d := range demo.Generate(src.Taxonomy(), n, 1) {
		if d.Kind == app.KindMeeting || d.Patch.ReplyTo != nil {
			continue
		}
		d.ID = ""
		f.drafts = append(f.drafts, d)
	}
	return f, nil
}

// sync runs one once-mode sync, dst dialling src, and returns the bytes on
// the wire both ways and how long dst's SyncOnce took.
func (f *deltaFixture) sync() (int64, time.Duration, error) {
	before := f.ln.n.Load()
	start := time.Now()
	err := f.rdst.SyncOnce(context.Background(), []string{f.addr})
	d := time.Since(start)
	<-f.served // count what src sent after dst was done, too (its goodbye)
	if err != nil {
		return 0, 0, err
	}
	want, _ := f.src.Vector()
	if got, _ := f.dst.Vector(); !got.Covers(want) {
		return 0, 0, errIncomplete
	}
	return f.ln.n.Load() - before, d, nil
}

var errIncomplete = errors.New("the sync ended before dst held everything")

// BenchmarkSync10After20k: after a first sync of 20,000 demo records
// between two peers over loopback TCP (TLS included), the source writes 10
// new records and the member syncs again with a new connection. Reports
// the bytes on the wire both ways and the wall time of that sync (the
// issue's targets: at most 16 KiB and 50 ms), the same for a sync with
// nothing new (connection set-up and vectors only), and the bytes per
// operation of the first sync.
func BenchmarkSync10After20k(b *testing.B) { benchSync10(b, 20000) }

// BenchmarkSync10After1k is BenchmarkSync10After20k after a history of
// 1,000 records: the same numbers show that the cost follows the
// difference, not the history.
func BenchmarkSync10After1k(b *testing.B) { benchSync10(b, 1000) }

// write10 makes src write 10 new demo-like records and returns the size of
// their signed operations.
func (f *deltaFixture) write10(b *testing.B, i int) int64 {
	batch := make([]app.Draft, 10)
	for j := range batch {
		batch[j] = f.drafts[(10*i+j)%len(f.drafts)]
	}
	before, _ := f.src.Vector()
	if _, err := f.src.CreateMany(batch); err != nil {
		b.Fatal(err)
	}
	after, _ := f.src.Vector()
	dev := f.src.Device()
	if d := after[dev] - before[dev]; d != 10 {
		b.Fatalf("10 records made %d operations", d)
	}
	raw, _ := f.src.OpsAfter(dev, before[dev], 10, 1<<20)
	var n int64
	for _, r := range raw {
		n += int64(len(r))
	}
	return n
}

func benchSync10(b *testing.B, n int) {
	f := sharedDeltaFixture(b, n)
	empty, emptyTime, err := f.sync()
	if err != nil {
		b.Fatal(err)
	}
	var wire, payload int64
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		payload += f.write10(b, i)
		b.StartTimer()
		n, d, err := f.sync()
		if err != nil {
			b.Fatal(err)
		}
		wire += n
		elapsed += d
	}
	b.StopTimer()
	b.ReportMetric(float64(wire)/float64(b.N), "bytes-10ops")
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms-10ops")
	b.ReportMetric(float64(payload)/float64(b.N), "op-bytes-10ops")
	b.ReportMetric(float64(empty), "bytes-0ops")
	b.ReportMetric(float64(emptyTime.Microseconds())/1000, "ms-0ops")
	b.ReportMetric(float64(f.firstBytes)/float64(f.firstOps), "first-bytes/op")
	b.ReportMetric(float64(f.firstOps)/f.firstTime.Seconds(), "first-ops/s")
}

// BenchmarkPush10After20k: the same 10 new records, but the two peers are
// already connected (as the desktop app keeps them): src pushes them over
// the live connection. Reports the bytes on the wire both ways until dst
// has stored them and told src so, and the time from src's write to dst
// holding them.
func BenchmarkPush10After20k(b *testing.B) {
	f := sharedDeltaFixture(b, 20000)
	raw, err := net.Dial("tcp", f.addr)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.rdst.ServeConn(ctx, raw, true, f.addr)
	}()
	defer func() { cancel(); <-done; <-f.served }()
	for { // until the connection is up
		ps, _ := f.rdst.Peers()
		if len(ps) == 1 && ps[0].Connected {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the vectors have been exchanged
	var wire, payload int64
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		before := f.ln.n.Load()
		b.StartTimer()
		start := time.Now()
		payload += f.write10(b, i)
		want, _ := f.src.Vector()
		for {
			if got, _ := f.dst.Vector(); got.Covers(want) {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		time.Sleep(20 * time.Millisecond) // dst's new vector reaches src
		wire += f.ln.n.Load() - before
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(wire)/float64(b.N), "bytes-10ops")
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms-10ops")
	b.ReportMetric(float64(payload)/float64(b.N), "op-bytes-10ops")
}
