package draftdoc_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/draftdoc"
)

// BenchmarkDocuments500 writes every document of a draft of 500
// paragraphs and 5,000 amendments, with Rev.1 issued after 200 of them
// were accepted, in every format: the target is at most 5 s and
// 500 MB each, and the benchmark fails off it. Reports seconds per
// document, the peak heap in use while it is written (sampled every 5 ms)
// beside the store's heap before it, and the file's size.
func BenchmarkDocuments500(b *testing.B) {
	svc := newService(b)
	id, err := demo.LoadLargeDraft(svc, 500, 5000)
	if err != nil {
		b.Fatal(err)
	}
	t, err := svc.ReadDraft(id)
	if err != nil {
		b.Fatal(err)
	}
	accepted := 0
	for _, p := range t.Paragraphs {
		if len(p.Amendments) > 0 && accepted < 200 {
			if err := svc.Decide(p.Amendments[0].ID, app.Decision{Status: app.StatusAccepted}); err != nil {
				b.Fatal(err)
			}
			accepted++
		}
	}
	if _, err := svc.Revise(id, "Secretaría"); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	dir := b.TempDir()
	for _, kind := range draftdoc.Kinds {
		for _, format := range draftdoc.Formats[kind] {
			b.Run(fmt.Sprintf("%s.%s", kind, format), func(b *testing.B) {
				path := filepath.Join(dir, string(kind)+"."+format)
				opts := draftdoc.Options{Kind: kind, Format: format, Rev: draftdoc.Latest, Against: draftdoc.Latest}
				var secs float64
				peak := peakHeap(func() {
					for i := 0; i < b.N; i++ {
						start := time.Now()
						if err := draftdoc.Write(svc, opts, path); err != nil {
							b.Fatal(err)
						}
						secs = max(secs, time.Since(start).Seconds())
					}
				})
				st, err := os.Stat(path)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(secs, "s/doc")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(base.HeapInuse)/(1<<20), "store-heap-MB")
				b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
				if secs > 5 || peak > 500<<20 {
					b.Errorf("%s.%s: %.2f s and %d MB, the target is at most 5 s and 500 MB", kind, format, secs, peak>>20)
				}
			})
		}
	}
}

// peakHeap runs f and returns the most heap in use while it ran.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return peak
}
