package replication

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// BenchmarkFirstSync20k: a fresh member receives a workspace of 20,000
// demo records (one operation each) from a peer over loopback TCP, TLS
// included, both stores on disk as on laptops. Reports operations per
// second, CPU time per operation and bytes on the wire per operation.
func BenchmarkFirstSync20k(b *testing.B) {
	benchFirstSync(b, 20000, true)
}

// BenchmarkFirstSync100k is the size: 100,000 operations.
func BenchmarkFirstSync100k(b *testing.B) {
	benchFirstSync(b, 100000, true)
}

// BenchmarkFirstSync100kInMemory is the same with in-memory stores, which
// neither write logs nor fsync: what the rest of the path costs.
func BenchmarkFirstSync100kInMemory(b *testing.B) {
	benchFirstSync(b, 100000, false)
}

// BenchmarkFirstSync100kTwoProcesses is BenchmarkFirstSync100k with the
// source in another process (this test binary as a child laptop), as on two
// laptops: each peer has its own heap and garbage collector, so neither
// marks the other's memory. Both still share this machine's two cores.
// cpu-us/op is the receiving process's alone.
func BenchmarkFirstSync100kTwoProcesses(b *testing.B) {
	const n = 100000
	src := startProc(b, "source", filepath.Join(b.TempDir(), "source"), childChunkEnv+"=2000")
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
	held := app.Vector{}
	for dev, k := range want {
		held[app.DeviceID(dev)] = k
	}
	var elapsed, cpu time.Duration
	var peak float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst, closeDst := closableStore(b, filepath.Join(b.TempDir(), "data"))
		if _, err := dst.Join(app.WorkspaceID(src.ws), secret, ""); err != nil {
			b.Fatal(err)
		}
		r := timedFirstSync(b, dst, src.addr, held)
		elapsed, cpu = elapsed+r.elapsed, cpu+r.cpu
		if i == 0 {
			peak = procStatusMB("VmHWM")
		}
		closeDst() // the next round starts without this one's heap
		b.StartTimer()
	}
	b.ReportMetric(float64(ops*b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(ops*b.N), "cpu-us/op")
	// The receiving process's largest resident size in the first round:
	// its heap (the store's index, the sync's garbage) and the pages of
	// Badger's memory-mapped files. This process holds nothing else.
	b.ReportMetric(peak, "peak-rss-MB")
	b.StopTimer()
	src.quit()
}

// procStatusMB reads a size in MB from /proc/self/status (0 where there is
// none).
func procStatusMB(field string) float64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(st)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func benchFirstSync(b *testing.B, n int, onDisk bool) {
	// dataDir is a new data directory on disk, as on a laptop (durable
	// writes), or "" for a store in memory.
	dataDir := func() string {
		if onDisk {
			return filepath.Join(b.TempDir(), "data")
		}
		return ""
	}
	src := openStore(b, dataDir())
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
		dst, closeDst := closableStore(b, dataDir())
		ws := src.Workspace()
		if _, err := dst.Join(ws.ID, ws.Secret[:transport.JoinKeySize], ""); err != nil {
			b.Fatal(err)
		}
		r := timedFirstSync(b, dst, ln.Addr().String(), want)
		elapsed, cpu, wire = elapsed+r.elapsed, cpu+r.cpu, wire+r.wire
		closeDst() // the next round starts without this one's heap
		b.StartTimer()
	}
	b.ReportMetric(float64(ops*b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(wire)/float64(ops*b.N), "wire-bytes/op")
	// CPU time of both peers per operation: steadier than ops/s on a
	// shared machine, where a neighbour's load changes the wall clock.
	b.ReportMetric(float64(cpu.Microseconds())/float64(ops*b.N), "cpu-us/op")
}

// firstSync is what one timed first sync measured.
type firstSync struct {
	elapsed, cpu time.Duration
	wire         int64 // bytes received
}

// timedFirstSync times dst, a fresh member, receiving everything from the
// peer at addr until it can search it, and checks it then holds want. The
// benchmark's timer is stopped on entry and on return.
func timedFirstSync(b *testing.B, dst *app.Service, addr string, want app.Vector) firstSync {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rd, err := New(dst, Options{Log: benchLog()})
	if err != nil {
		b.Fatal(err)
	}
	stopProfile := profileSync(b) // this process's: the receiver's, and the source's when it runs here
	b.StartTimer()
	start, cpu0 := time.Now(), cpuTime()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	p, err := rd.handshake(ctx, raw, true, addr)
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
	r := firstSync{elapsed: time.Since(start), cpu: cpuTime() - cpu0, wire: p.c.BytesIn()}
	b.StopTimer()
	stopProfile()
	if got, _ := dst.Vector(); !got.Covers(want) {
		b.Fatalf("incomplete: %v", got)
	}
	return r
}

// profileSync writes a CPU profile of the sync alone (not of filling the
// source) to $CONSULTA_BENCH_CPUPROFILE, and an execution trace (go tool
// trace) to $CONSULTA_BENCH_TRACE, when they are set.
func profileSync(b *testing.B) func() {
	var stops []func()
	// record starts writing to the file $env names, when it is set.
	record := func(env string, start func(io.Writer) error, stop func()) {
		path := os.Getenv(env)
		if path == "" {
			return
		}
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := start(f); err != nil {
			b.Fatal(err)
		}
		stops = append(stops, func() { stop(); f.Close() })
	}
	record("CONSULTA_BENCH_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile)
	record("CONSULTA_BENCH_TRACE", trace.Start, trace.Stop)
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

func benchLog() *slog.Logger {
	if os.Getenv("CONSULTA_BENCH_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
