package desktop

import (
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/storage"
)

var (
	benchOnce sync.Once
	benchSvc  *app.Service
	benchErr  error
)

// benchUI opens the real main screen over a demo workspace, generated once
// per test binary and kept in memory.
func benchUI(b *testing.B) *UI {
	b.Helper()
	benchOnce.Do(func() {
		st, err := storage.Open("", storage.Options{InMemory: true})
		if err != nil {
			benchErr = err
			return
		}
		benchSvc, benchErr = app.NewService(st)
		if benchErr == nil {
			_, benchErr = benchSvc.Init("Cartagena +40 (benchmark)")
		}
		if benchErr == nil {
			_, benchErr = demo.Load(benchSvc, demo.BenchRecords(), 1, 500, nil)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	svc := benchSvc
	a := test.NewTempApp(b)
	svc.SetSetting(settingLang, "en")
	w := a.NewWindow("Consulta")
	w.Resize(fyne.NewSize(1280, 800))
	u := New(a, w, svc)
	u.Show()
	b.Cleanup(u.Close)
	return u
}

func p99(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[int(float64(len(s)-1)*0.99)]) / float64(time.Millisecond)
}

// BenchmarkFilterChange measures what a user waits for after ticking a
// filter: the query, the facet counts beside every filter, the list. It
// goes through the same code as a tap on the check.
func BenchmarkFilterChange(b *testing.B) {
	u := benchUI(b)
	br := u.browser
	checks := []string{"andes", "caribbean", "southern-cone", "mesoamerica"}
	theme := br.filters.facets["theme"].checks["global-compact"]
	var ds []time.Duration
	i := 0
	for b.Loop() {
		c := br.filters.facets["subregion"].checks[checks[i%len(checks)]]
		t := time.Now()
		test.Tap(c) // on
		ds = append(ds, time.Since(t))
		t = time.Now()
		test.Tap(theme) // on
		ds = append(ds, time.Since(t))
		t = time.Now()
		test.Tap(theme) // off
		test.Tap(c)     // off: back to all 100,000 records
		ds = append(ds, time.Since(t)/2)
		i++
	}
	b.ReportMetric(p99(ds), "p99-ms")
	b.ReportMetric(float64(len(br.records)), "records")
}

// BenchmarkScrollSmooth measures scrolling as a wheel or trackpad does it,
// 40 pixels at a time, through 100,000 records: the time to show one step,
// which must stay well under a frame (16 ms) for the list not to stall.
func BenchmarkScrollSmooth(b *testing.B) {
	u := benchUI(b)
	br := u.browser
	var ds []time.Duration
	y := float32(0)
	for b.Loop() {
		y += 40
		t := time.Now()
		br.list.ScrollToOffset(y)
		ds = append(ds, time.Since(t))
	}
	b.ReportMetric(p99(ds), "p99-ms")
}

// BenchmarkScroll measures jumping through 100,000 records (a page and
// more at a time, as dragging the scroll bar does): every visible row is
// filled in each time.
func BenchmarkScroll(b *testing.B) {
	u := benchUI(b)
	br := u.browser
	n := len(br.records)
	if n < demo.BenchRecords() {
		b.Fatalf("list holds %d records", n)
	}
	var ds []time.Duration
	i := 0
	for b.Loop() {
		t := time.Now()
		br.list.ScrollTo((i * 997) % n)
		ds = append(ds, time.Since(t))
		i++
	}
	b.ReportMetric(p99(ds), "p99-ms")
}
