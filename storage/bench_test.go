package storage

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/dgraph-io/badger/v4"
)

var (
	benchOnce  sync.Once
	benchDir   string
	benchOwned bool // benchDir was made here, and TestMain removes it
	benchErr   error
)

// benchData builds the demo workspace once per test binary, on disk.
func benchData(b *testing.B) string {
	benchOnce.Do(func() {
		if d := os.Getenv("CONSULTA_BENCH_DIR"); d != "" {
			// Kept between runs, to profile without waiting for the
			// generator: generated there by the first run that names it.
			benchDir = d
			if _, err := os.Stat(filepath.Join(d, "data", "MANIFEST")); err == nil {
				return
			}
		} else {
			benchDir, benchErr = os.MkdirTemp("", "consulta-bench-")
			if benchErr != nil {
				return
			}
			benchOwned = true
		}
		dir := filepath.Join(benchDir, "data")
		st, err := Open(dir, Options{})
		if err != nil {
			benchErr = err
			return
		}
		defer st.Close()
		svc, err := app.NewService(st)
		if err == nil {
			_, err = svc.Init("Cartagena +40 (benchmark)")
		}
		if err == nil {
			start := time.Now()
			_, err = demo.Load(svc, demo.BenchRecords(), 1, 500, nil)
			fmt.Fprintf(os.Stderr, "bench: generated %d demo records in %s\n", demo.BenchRecords(), time.Since(start).Round(time.Millisecond))
		}
		benchErr = err
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "data")
}

// percentile returns the p-th percentile of ds in milliseconds.
func percentile(ds []time.Duration, p float64) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return float64(s[i]) / float64(time.Millisecond)
}

// rssMB is the process's resident set size in MB, from /proc.
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkOpen measures opening the store with the index rebuild, after a
// clean close: the word index comes from its snapshot.
func BenchmarkOpen(b *testing.B) {
	dir := benchData(b)
	if st, err := Open(dir, Options{}); err == nil {
		st.Close() // makes sure the snapshot is there
	}
	b.ResetTimer()
	for b.Loop() {
		st, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if !st.wordsRestored {
			b.Fatal("the word snapshot was not used")
		}
		runtime.GC()
		b.ReportMetric(rssMB(), "rss-MB")
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkOpenAfterCrash measures opening when the word index must be
// rebuilt from every record's text, as after a crash or a kill.
func BenchmarkOpenAfterCrash(b *testing.B) {
	dir := benchData(b)
	for b.Loop() {
		b.StopTimer()
		st, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st.db.Update(func(txn *badger.Txn) error { return txn.Delete(wordsKey()) })
		close(st.stop)
		<-st.done
		close(st.idxQ) // let its indexer go, or each round keeps an index
		<-st.idxDone
		st.db.Close() // no Close: no snapshot, as after a crash
		b.StartTimer()
		st, err = Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if st.wordsRestored {
			b.Fatal("a snapshot was used")
		}
		runtime.GC()
		b.ReportMetric(rssMB(), "rss-MB")
		st.Close()
		b.StartTimer()
	}
}

func openBench(b *testing.B) (*app.Service, *Store) {
	st, err := Open(benchData(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		b.Fatal(err)
	}
	return svc, st
}

// benchFilter is the reference query: a sub-region, a theme (with
// its sub-themes) and a status, with facet counts, first page.
var benchFilter = app.Filter{SubRegions: []string{"andes"}, Themes: []string{"global-compact"}, Statuses: []string{"active"}}

// BenchmarkQueryFiltered reports the p99 latency of the reference query
// through memdb with the counts the filter column shows (per field, without
// the field's own selection); alternating with it, the same query with
// every field counted over the result, as before issue 24, and the ratio
// of their medians; and the same query answered by scanning Badger, as a
// ratio.
func BenchmarkQueryFiltered(b *testing.B) {
	svc, st := openBench(b)
	q, err := svc.Query(benchFilter)
	if err != nil {
		b.Fatal(err)
	}
	q.Limit, q.Facets = 50, app.FacetsPerField
	plain := *q
	plain.Facets = app.FacetsOfResult
	var ds, plainDs []time.Duration
	var total int
	for b.Loop() {
		t := time.Now()
		res, err := st.Query(q)
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t))
		total = res.Total
		t = time.Now()
		if _, err := st.Query(&plain); err != nil {
			b.Fatal(err)
		}
		plainDs = append(plainDs, time.Since(t))
	}
	if total == 0 {
		b.Fatal("the reference query matched nothing")
	}
	b.StopTimer()
	// The baseline: the same query by scanning and decoding every record.
	tax := app.MustTaxonomy()
	var scan []time.Duration
	for range 5 {
		t := time.Now()
		n := 0
		st.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}, PrefetchValues: true})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				it.Item().Value(func(v []byte) error {
					sr, err := decodeStored(v)
					if err == nil && matchRecord(tax, q, sr.Record) {
						n++
					}
					return err
				})
			}
			return nil
		})
		scan = append(scan, time.Since(t))
		if n != total {
			b.Fatalf("scan found %d, query %d", n, total)
		}
	}
	b.ReportMetric(percentile(ds, 0.99), "p99-ms")
	b.ReportMetric(percentile(ds, 0.5), "p50-ms")
	b.ReportMetric(percentile(plainDs, 0.99), "of-result-p99-ms")
	b.ReportMetric(percentile(plainDs, 0.5), "of-result-p50-ms")
	b.ReportMetric(percentile(ds, 0.5)/percentile(plainDs, 0.5), "per-field/of-result")
	b.ReportMetric(percentile(scan, 0.5)/percentile(ds, 0.5), "scan/query")
	b.ReportMetric(float64(total), "matches")
}

// BenchmarkTextSearch reports the p99 latency of full-text searches.
func BenchmarkTextSearch(b *testing.B) {
	svc, st := openBench(b)
	words := []string{"migración", "apatridia", "refugiados", "integração", "statelessness", "asile", "documentacion frontera", "protección internacional"}
	var ds []time.Duration
	i := 0
	for b.Loop() {
		q, _ := svc.Query(app.Filter{Text: words[i%len(words)]})
		q.Limit, q.Facets = 50, app.FacetsPerField
		t := time.Now()
		if _, err := st.Query(q); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t))
		i++
	}
	b.ReportMetric(percentile(ds, 0.99), "p99-ms")
	b.ReportMetric(percentile(ds, 0.5), "p50-ms")
}

// BenchmarkDurableWrite reports the p99 latency of creating one record,
// acknowledged only once it is on disk, in the 100,000-record store.
func BenchmarkDurableWrite(b *testing.B) {
	svc, _ := openBench(b)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		title := fmt.Sprintf("Nota de prueba %d", i)
		body := "Texto de la nota sobre protección internacional y migración."
		t := time.Now()
		if _, err := svc.Create(app.KindNote, app.Patch{Title: &title, Body: &body, SubRegion: sp[app.SubRegion]("andes"),
			Country: sp[app.CountryCode]("PE"), AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t))
		i++
	}
	b.ReportMetric(percentile(ds, 0.99), "p99-ms")
	b.ReportMetric(percentile(ds, 0.5), "p50-ms")
}

// BenchmarkFsyncBaseline is the disk's own latency for what a durable write
// must at least do, in the same run: append 2 kB to a file and fsync it.
// DurableWrite is reported against it in docs/PERFORMANCE.md.
func BenchmarkFsyncBaseline(b *testing.B) {
	f, err := os.CreateTemp(b.TempDir(), "fsync")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 2048)
	var ds []time.Duration
	for b.Loop() {
		t := time.Now()
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t))
	}
	b.ReportMetric(percentile(ds, 0.99), "p99-ms")
	b.ReportMetric(percentile(ds, 0.5), "p50-ms")
}
