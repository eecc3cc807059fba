package desktop

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app/demo"
)

// BenchmarkDraftTab: the Draft tab over a draft of 500 paragraphs with
// 5,000 amendments (the targets: open in at most 200 ms, filter
// in at most 50 ms). open-ms reads the draft and fills the list; filter-ms
// chooses a status and back; select-ms shows a paragraph's amendments.
func BenchmarkDraftTab(b *testing.B) {
	svc := newStore(b, true)
	if _, err := demo.LoadLargeDraft(svc, 500, 5000); err != nil {
		b.Fatal(err)
	}
	a := test.NewTempApp(b)
	svc.SetSetting(settingLang, "en")
	w := a.NewWindow("Consulta")
	u := New(a, w, svc)
	w.Resize(fyne.NewSize(1280, 800))
	u.Show()
	b.Cleanup(u.Close)
	u.tabs.SelectIndex(draftTab)
	s := u.drafting
	if len(s.shown) != 520 {
		b.Fatalf("%d rows", len(s.shown))
	}
	var open, filter, sel time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		s.refresh()
		open += time.Since(start)

		start = time.Now()
		s.statusF.SetSelectedIndex(2) // bracketed: every paragraph
		s.statusF.SetSelectedIndex(4) // agreed: none
		s.statusF.SetSelectedIndex(0)
		filter += time.Since(start) / 3

		start = time.Now()
		s.list.Select(1 + b.N%400)
		sel += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(open.Microseconds())/1000/n, "open-ms")
	b.ReportMetric(float64(filter.Microseconds())/1000/n, "filter-ms")
	b.ReportMetric(float64(sel.Microseconds())/1000/n, "select-ms")
	if per := open / time.Duration(b.N); per > 200*time.Millisecond {
		b.Errorf("the Draft tab took %v to open; target 200 ms", per)
	}
	if per := filter / time.Duration(b.N); per > 50*time.Millisecond {
		b.Errorf("a filter took %v; target 50 ms", per)
	}
}
