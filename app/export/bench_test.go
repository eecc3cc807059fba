package export_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/export"
)

// BenchmarkExport10k writes 10,000 demo records to each format (the
// issue's target: at most 5 s and 500 MB each). Reports seconds per export
// and the peak heap in use while it runs (sampled every 5 ms), plus the
// store's heap before it as a baseline. Records: CONSULTA_BENCH_RECORDS
// (default 10,000).
func BenchmarkExport10k(b *testing.B) {
	n := 10000
	if v := os.Getenv("CONSULTA_BENCH_RECORDS"); v != "" {
		fmt.Sscan(v, &n)
	}
	svc := newService(b, true)
	if _, err := demo.Load(svc, n, 1, 1000, nil); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	dir := b.TempDir()
	for _, f := range export.Formats {
		b.Run(f, func(b *testing.B) {
			var peak uint64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() { // sample the heap while the export runs
					defer wg.Done()
					var m runtime.MemStats
					t := time.NewTicker(5 * time.Millisecond)
					defer t.Stop()
					for {
						runtime.ReadMemStats(&m)
						peak = max(peak, m.HeapInuse)
						select {
						case <-stop:
							return
						case <-t.C:
						}
					}
				}()
				start := time.Now()
				if err := export.Write(svc, export.Options{Format: f, Lang: "es", IncludeNotes: true}, filepath.Join(dir, "out."+f)); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/export")
				close(stop)
				wg.Wait()
			}
			st, _ := os.Stat(filepath.Join(dir, "out."+f))
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(base.HeapInuse)/(1<<20), "store-heap-MB")
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
		})
	}
}
