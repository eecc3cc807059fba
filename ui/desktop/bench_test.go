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
	benchOnce  sync.Once
	benchStore *storage.Store
	benchSvc   *app.Service
	benchErr   error
)

// benchUI opens the real main screen over a demo workspace, generated once
// per test binary and kept in memory.
func benchUI(b *testing.B) *UI {
	b.Helper()
	benchOnce.Do(func() {
		benchStore, benchErr = storage.Open("", storage.Options{InMemory: true})
		if benchErr != nil {
			return
		}
		benchSvc, benchErr = app.NewService(benchStore)
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
	return benchScreen(b, test.NewTempApp(b), benchSvc)
}

// benchScreen opens the main screen over svc in a window of a.
func benchScreen(b *testing.B, a fyne.App, svc *app.Service) *UI {
	svc.SetSetting(settingLang, "en")
	w := a.NewWindow("Consulta")
	w.Resize(fyne.NewSize(1280, 800))
	u := New(a, w, svc)
	u.Show()
	b.Cleanup(u.Close)
	return u
}

// countsOfResult is the store as the filter column had it before the
// counts were per field: every field counted over the whole result.
type countsOfResult struct{ *storage.Store }

func (s countsOfResult) Query(q *app.Query) (*app.Result, error) {
	if q.Facets == app.FacetsPerField {
		c := *q
		c.Facets = app.FacetsOfResult
		q = &c
	}
	return s.Store.Query(q)
}

// ofResultUI opens, beside a screen benchUI opened in a, a second one over
// the same workspace whose counts are every field's over the result.
func ofResultUI(b *testing.B, a fyne.App) *UI {
	svc, err := app.NewService(countsOfResult{benchStore})
	if err != nil {
		b.Fatal(err)
	}
	return benchScreen(b, a, svc)
}

func p99(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[int(float64(len(s)-1)*0.99)]) / float64(time.Millisecond)
}

// BenchmarkFilterChange measures what a user waits for after ticking a
// filter: the query, the counts beside every filter value (per field,
// without the field's own selection), the list. It goes through the same
// code as a tap on the check. Between its rounds, untimed, the same taps
// on a screen counting every field over the result, as before the counts
// were per field: the baseline, reported as of-result-p99-ms and as the
// ratio of the mean times (per-field/of-result), alternating (and each
// first every other round) so that the machine's swings fall on both.
func BenchmarkFilterChange(b *testing.B) {
	u := benchUI(b)
	base := ofResultUI(b, u.app)
	var ds, baseDs []time.Duration
	i := 0
	baseline := func() {
		b.StopTimer()
		baseDs = append(baseDs, filterChange(base, i)...)
		b.StartTimer()
	}
	for b.Loop() {
		if i%2 == 1 { // each goes first in every other round
			baseline()
		}
		ds = append(ds, filterChange(u, i)...)
		if i%2 == 0 {
			baseline()
		}
		i++
	}
	b.ReportMetric(p99(ds), "p99-ms")
	b.ReportMetric(p99(baseDs), "of-result-p99-ms")
	b.ReportMetric(float64(sum(ds))/float64(sum(baseDs)), "per-field/of-result")
	b.ReportMetric(float64(len(u.browser.records)), "records")
}

// BenchmarkFilterChangeOfResult is the baseline of BenchmarkFilterChange
// alone: the same taps with every field counted over the result.
func BenchmarkFilterChangeOfResult(b *testing.B) {
	u := benchUI(b)
	base := ofResultUI(b, u.app)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		ds = append(ds, filterChange(base, i)...)
		i++
	}
	b.ReportMetric(p99(ds), "p99-ms")
	b.ReportMetric(float64(len(base.browser.records)), "records")
}

// filterChange ticks the i-th of four sub-regions, then a theme, then
// unticks both, back to all 100,000 records, and returns the time each
// tap took (the last two as one, halved).
func filterChange(u *UI, i int) []time.Duration {
	br := u.browser
	checks := []string{"andes", "caribbean", "southern-cone", "mesoamerica"}
	theme := br.filters.facets["theme"].checks["global-compact"]
	c := br.filters.facets["subregion"].checks[checks[i%len(checks)]]
	var ds []time.Duration
	t := time.Now()
	test.Tap(c) // on
	ds = append(ds, time.Since(t))
	t = time.Now()
	test.Tap(theme) // on
	ds = append(ds, time.Since(t))
	t = time.Now()
	test.Tap(theme) // off
	test.Tap(c)     // off
	return append(ds, time.Since(t)/2)
}

func sum(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
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
