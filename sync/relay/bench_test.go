package relay

import (
	"context"
	"fmt"
	"io"
	"io/fs"
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
	"github.com/cartagena-c40/consulta/sync/replication"
)

// BenchmarkRelay: one laptop holding CONSULTA_BENCH_OPS demo records
// (default 100,000; one operation each) uploads them to a fresh embedded
// relay, and a fresh laptop downloads them; stores on disk (laptops'
// and relay's, fsync on). For comparison, in the same run, a fresh laptop
// receives every operation in process (OpsAfter and Receive in chunks of
// 2,000, no network and no relay): what applying them costs anywhere; and
// another takes a first sync over the LAN protocol (sync/replication).
// Then the writer writes 10 records, uploads them in one round and the
// other laptop downloads them in one: bytes on the wire both ways (a
// counting proxy before the relay; connecting included) and ms per round.
//
//	go test -run '^$' -bench Relay -benchtime=1x ./sync/relay/
func BenchmarkRelay(b *testing.B) {
	n := 100000
	if v := os.Getenv("CONSULTA_BENCH_OPS"); v != "" {
		fmt.Sscan(v, &n)
	}
	ctx := context.Background()
	w := diskLaptop(b, nil)
	if _, err := demo.Load(w, n, 1, 500, nil); err != nil {
		b.Fatal(err)
	}
	ws := w.Workspace()
	var up, down, apply, lan, perOp, up10, down10, bytes10 float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		r, err := Start(Options{Listen: "127.0.0.1:0", StoreDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		p := countingProxy(b, r.Addr().String())
		url := "nats://" + p.addr
		ops := total(mustVector(b, w))
		b.StartTimer()

		t0 := time.Now()
		res, err := Sync(ctx, w, url, SyncOptions{})
		if err != nil || res.Uploaded != ops {
			b.Fatalf("upload: %+v of %d, %v", res, ops, err)
		}
		up += float64(ops) / time.Since(t0).Seconds()

		reader := diskLaptop(b, ws)
		t0 = time.Now()
		res, err = Sync(ctx, reader, url, SyncOptions{})
		// The reader's own announcement is uploaded too.
		if err != nil || res.Downloaded != ops {
			b.Fatalf("download: %+v of %d, %v", res, ops, err)
		}
		down += float64(ops) / time.Since(t0).Seconds()

		b.StopTimer()
		perOp += float64(dirSize(b, dir)) / float64(ops)
		base := diskLaptop(b, ws)
		t0 = time.Now()
		lanAll(b, w, base)
		apply += float64(ops) / time.Since(t0).Seconds()

		if _, err := Sync(ctx, w, url, SyncOptions{}); err != nil { // the reader's announcement
			b.Fatal(err)
		}
		for i := range 10 {
			title := fmt.Sprintf("Nota posterior %d", i)
			if _, err := w.Create(app.KindNote, app.Patch{Title: &title, AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
				b.Fatal(err)
			}
		}
		before := p.n.Load()
		t0 = time.Now()
		if res, err := Sync(ctx, w, url, SyncOptions{}); err != nil || res.Uploaded != 10 {
			b.Fatalf("uploading 10: %+v, %v", res, err)
		}
		t1 := time.Now()
		if res, err := Sync(ctx, reader, url, SyncOptions{}); err != nil || res.Downloaded != 10 {
			b.Fatalf("downloading 10: %+v, %v", res, err)
		}
		up10 += float64(t1.Sub(t0).Microseconds()) / 1000
		down10 += float64(time.Since(t1).Microseconds()) / 1000
		time.Sleep(50 * time.Millisecond) // the last bytes through the proxy
		bytes10 += float64(p.n.Load() - before)
		r.Close()
		// Last: the new laptop's announcement it brings back to w would be
		// uploaded in the rounds above.
		lan += float64(total(mustVector(b, w))) / lanFirstSync(b, w, diskLaptop(b, ws)).Seconds()
		b.StartTimer()
	}
	b.StopTimer()
	k := float64(b.N)
	b.ReportMetric(up/k, "up-ops/s")
	b.ReportMetric(down/k, "down-ops/s")
	b.ReportMetric(apply/k, "apply-ops/s")
	b.ReportMetric(lan/k, "lan-ops/s")
	b.ReportMetric(perOp/k, "store-B/op")
	b.ReportMetric(up10/k, "ms-up10")
	b.ReportMetric(down10/k, "ms-down10")
	b.ReportMetric(bytes10/k, "bytes-10ops")
	b.ReportMetric(0, "ns/op")
}

// lanFirstSync times a first sync of dst from src over the LAN protocol
// (sync/replication on loopback, TLS included): the baseline the relay is
// compared with.
func lanFirstSync(b *testing.B, src, dst *app.Service) time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	rs, err := replication.New(src, replication.Options{Listener: ln})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rs.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	rd, err := replication.New(dst, replication.Options{})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := rd.SyncOnce(ctx, []string{ln.Addr().String()}); err != nil {
		b.Fatal(err)
	}
	d := time.Since(t0)
	if got, want := mustVector(b, dst), mustVector(b, src); !got.Covers(want) {
		b.Fatalf("the LAN sync is incomplete: %v of %v", got, want)
	}
	return d
}

// diskLaptop is laptop with its store on disk.
func diskLaptop(tb testing.TB, ws *app.Workspace) *app.Service {
	tb.Helper()
	st, err := storage.Open(filepath.Join(tb.TempDir(), "data"), storage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		tb.Fatal(err)
	}
	if ws == nil {
		_, err = svc.Init("Cartagena +40")
	} else {
		_, err = svc.Join(ws.ID, ws.Secret[:joinKeySize], ws.Title)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// lanAll has dst receive what src holds and dst lacks, in chunks of 2,000.
func lanAll(tb testing.TB, src, dst *app.Service) {
	tb.Helper()
	have, _ := dst.Vector()
	want, _ := src.Vector()
	for _, from := range have.Missing(want) {
		for after := from.Seq; ; {
			raw, err := src.OpsAfter(from.Device, after, chunk, 16<<20)
			if err != nil {
				tb.Fatal(err)
			}
			if len(raw) == 0 {
				break
			}
			if _, err := dst.Receive(raw); err != nil {
				tb.Fatal(err)
			}
			after += uint64(len(raw))
		}
	}
}

func mustVector(tb testing.TB, svc *app.Service) app.Vector {
	v, err := svc.Vector()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// dirSize is the size of the files under dir.
func dirSize(tb testing.TB, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		n += info.Size()
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// proxy forwards loopback connections to a relay, counting the bytes both
// ways.
type proxy struct {
	addr string
	n    atomic.Int64
}

func countingProxy(tb testing.TB, to string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	tb.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", to)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			pipe := func(dst, src net.Conn) {
				defer wg.Done()
				io.Copy(counter{dst, &p.n}, src)
				dst.Close()
				src.Close()
			}
			go pipe(s, c)
			go pipe(c, s)
		}
	}()
	return p
}

// counter writes to w, adding what it wrote to n.
type counter struct {
	w io.Writer
	n *atomic.Int64
}

func (c counter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	c.n.Add(int64(k))
	return k, err
}
