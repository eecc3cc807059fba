package replication

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// BenchmarkFirstSync20k: a fresh member receives a workspace of 20,000
// demo records (one operation each) from a peer over loopback TCP, TLS
// included, both stores on disk as on laptops. Reports operations per
// second, CPU time per operation and bytes on the wire per operation.
func BenchmarkFirstSync20k(b *testing.B) {
	benchFirstSync(b, 20000, newDiskStore)
}

// BenchmarkFirstSync100k is the size: 100,000 operations.
func BenchmarkFirstSync100k(b *testing.B) {
	benchFirstSync(b, 100000, newDiskStore)
}

// BenchmarkFirstSync100kInMemory is the same with in-memory stores, which
// neither write logs nor fsync: what the rest of the path costs.
func BenchmarkFirstSync100kInMemory(b *testing.B) {
	benchFirstSync(b, 100000, func(b *testing.B) *app.Service { return newStore(b) })
}

// BenchmarkFirstSync100kTwoProcesses is BenchmarkFirstSync100k with the
// source in another process (this test binary as a child laptop), as on two
// laptops: each peer has its own heap and garbage collector, so neither
// marks the other's memory. Both still share this machine's two cores.
// cpu-us/op is the receiving process's alone.
func BenchmarkFirstSync100kTwoProcesses(b *testing.B) {
	const n = 100000
	src := startProc(b, "source", filepath.Join(b.TempDir(), "source"), childChunkEnv+"=1000")
	src.do(fmt.Sprintf("demo %d", n))
	want := src.vector()
	ops := 0
	for _, k := range want {
		ops += int(k)
	}
	secret, err := hex.DecodeString(src.key)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var elapsed, cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := newDiskStore(b)
		if _, err := dst.Join(app.WorkspaceID(src.ws), secret, ""); err != nil {
			b.Fatal(err)
		}
		rd, err := New(dst, Options{Log: benchLog()})
		if err != nil {
			b.Fatal(err)
		}
		stopProfile := profileSync(b) // the receiver's alone
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		raw, err := net.Dial("tcp", src.addr)
		if err != nil {
			b.Fatal(err)
		}
		p, err := rd.handshake(ctx, raw, true, src.addr)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.run(ctx, true); err != nil {
			b.Fatal(err)
		}
		if _, err := dst.List(app.Filter{}, 1); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		stopProfile()
		got, _ := dst.Vector()
		for dev, k := range want {
			if got[app.DeviceID(dev)] < k {
				b.Fatalf("incomplete: %v", got)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(ops*b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(ops*b.N), "cpu-us/op")
	b.StopTimer()
	src.quit()
}

func benchFirstSync(b *testing.B, n int, store func(*testing.B) *app.Service) {
	src := store(b)
	if _, err := src.Init("Cartagena +40"); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Load(src, n, 1, 500, nil); err != nil {
		b.Fatal(err)
	}
	want, _ := src.Vector()
	ops := 0
	for _, k := range want {
		ops += int(k)
	}
	rs, err := New(src, Options{Log: benchLog()})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go rs.ServeConn(ctx, c, false, "")
		}
	}()
	defer ln.Close()
	var elapsed, cpu time.Duration
	var wire int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := store(b)
		ws := src.Workspace()
		if _, err := dst.Join(ws.ID, ws.Secret[:transport.JoinKeySize], ""); err != nil {
			b.Fatal(err)
		}
		rd, err := New(dst, Options{Log: benchLog()})
		if err != nil {
			b.Fatal(err)
		}
		stopProfile := profileSync(b)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		raw, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		p, err := rd.handshake(ctx, raw, true, ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		if err := p.run(ctx, true); err != nil {
			b.Fatal(err)
		}
		// Synced means searchable too: the index catches up before this.
		if _, err := dst.List(app.Filter{}, 1); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		wire += p.c.BytesIn()
		b.StopTimer()
		stopProfile()
		if got, _ := dst.Vector(); !got.Covers(want) {
			b.Fatalf("incomplete: %v", got)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(ops*b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(wire)/float64(ops*b.N), "wire-bytes/op")
	// CPU time of both peers per operation: steadier than ops/s on a
	// shared machine, where a neighbour's load changes the wall clock.
	b.ReportMetric(float64(cpu.Microseconds())/float64(ops*b.N), "cpu-us/op")
	_ = app.KindNote
}

// newDiskStore is a store in a temporary directory, as on a laptop: its
// writes are durable (fsync), which in-memory stores skip.
func newDiskStore(b *testing.B) *app.Service {
	st, err := storage.Open(filepath.Join(b.TempDir(), "data"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// profileSync writes a CPU profile of the sync alone (not of filling the
// source) to $CONSULTA_BENCH_CPUPROFILE when it is set.
func profileSync(b *testing.B) func() {
	path := os.Getenv("CONSULTA_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func benchLog() *slog.Logger {
	if os.Getenv("CONSULTA_BENCH_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
