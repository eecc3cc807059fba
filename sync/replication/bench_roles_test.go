package replication

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/roles"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// BenchmarkFirstSyncRoles: what judging every operation against the roles
// costs a first sync (the target: at most 10% more). Two sources
// of the same size, each two laptops' operations, half written by a
// second laptop: one a workspace without roles (the baseline), one
// founded, where the second laptop is a rapporteur and a few more role
// operations were made, so that every operation it wrote names role
// heads and is judged. A fresh laptop takes a first sync from each in
// turn, on disk; the ratio is of the two times in this run.
// CONSULTA_BENCH_OPS sets the size (default 100,000).
func BenchmarkFirstSyncRoles(b *testing.B) {
	n := 100000
	if v := os.Getenv("CONSULTA_BENCH_OPS"); v != "" {
		fmt.Sscan(v, &n)
	}
	type source struct {
		addr string
		ws   *app.Workspace
		want app.Vector
		ops  int
	}
	serve := func(founded bool) source {
		src := openStore(b, filepath.Join(b.TempDir(), "src"))
		second := openStore(b, filepath.Join(b.TempDir(), "second"))
		var err error
		if founded {
			_, err = src.Init("Cartagena +40")
		} else {
			err = initOpen(src, "Cartagena +40")
		}
		if err != nil {
			b.Fatal(err)
		}
		ws := src.Workspace()
		if _, err := second.Join(ws.ID, ws.Secret[:transport.JoinKeySize], ""); err != nil {
			b.Fatal(err)
		}
		if founded {
			for _, g := range []struct {
				m string
				r roles.Role
			}{{string(second.Device()), roles.Rapporteur}, {"0000000000000001", roles.Rapporteur}, {"0000000000000002", roles.Secretariat}} {
				if err := src.Grant(g.m, g.r); err != nil {
					b.Fatal(err)
				}
			}
			if err := src.Revoke("0000000000000001", roles.Rapporteur); err != nil {
				b.Fatal(err)
			}
		}
		copyAll(b, src, second)
		if _, err := demo.Load(src, n/2, 1, 500, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := demo.Load(second, n/2, 2, 500, nil); err != nil {
			b.Fatal(err)
		}
		copyAll(b, second, src)
		want, _ := src.Vector()
		ops := 0
		for _, k := range want {
			ops += int(k)
		}
		rs, err := New(src, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		b.Cleanup(func() { cancel(); ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go rs.ServeConn(ctx, c, false, "")
			}
		}()
		return source{addr: ln.Addr().String(), ws: ws, want: want, ops: ops}
	}
	open, founded := serve(false), serve(true)
	sync := func(s source) firstSync {
		dst, closeDst := closableStore(b, filepath.Join(b.TempDir(), "dst"))
		defer closeDst()
		if _, err := dst.Join(s.ws.ID, s.ws.Secret[:transport.JoinKeySize], ""); err != nil {
			b.Fatal(err)
		}
		return timedFirstSync(b, dst, s.addr, s.want)
	}
	var tOpen, tRoles, cOpen, cRoles time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := range b.N {
		var o, r firstSync
		if i%2 == 0 { // alternate which goes first: the second runs on a warmer machine
			o, r = sync(open), sync(founded)
		} else {
			r, o = sync(founded), sync(open)
		}
		tOpen, tRoles = tOpen+o.elapsed, tRoles+r.elapsed
		cOpen, cRoles = cOpen+o.cpu, cRoles+r.cpu
	}
	b.ReportMetric(float64(open.ops*b.N)/tOpen.Seconds(), "open-ops/s")
	b.ReportMetric(float64(founded.ops*b.N)/tRoles.Seconds(), "roles-ops/s")
	b.ReportMetric(tRoles.Seconds()/tOpen.Seconds()*float64(open.ops)/float64(founded.ops), "time-ratio")
	cpuRatio := cRoles.Seconds() / cOpen.Seconds() * float64(open.ops) / float64(founded.ops)
	b.ReportMetric(cpuRatio, "cpu-ratio")
	if timeRatio := tRoles.Seconds() / tOpen.Seconds() * float64(open.ops) / float64(founded.ops); timeRatio > 1.10 && cpuRatio > 1.10 {
		b.Errorf("judging the roles adds %.0f%% to the time and %.0f%% to the CPU of a first sync: the target is at most 10%%", 100*(timeRatio-1), 100*(cpuRatio-1))
	}
}

// copyAll gives dst every operation src holds that it lacks.
func copyAll(b *testing.B, src, dst *app.Service) {
	have, _ := dst.Vector()
	want, _ := src.Vector()
	for _, from := range have.Missing(want) {
		for after := from.Seq; after < want[from.Device]; {
			raw, err := src.OpsAfter(from.Device, after, 2000, 4<<20)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := dst.Receive(raw); err != nil {
				b.Fatal(err)
			}
			after += uint64(len(raw))
		}
	}
}
