package desktop

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
)

// bigDraft imports a draft of paras paragraphs (a heading every 25) with
// amends amendments spread over them, from forty proponents.
func bigDraft(b *testing.B, svc *app.Service, paras, amends int) app.RecordID {
	b.Helper()
	var blocks []app.DraftBlock
	for i := range paras {
		if i%25 == 0 {
			blocks = append(blocks, app.DraftBlock{Level: 1, Text: fmt.Sprintf("Capítulo %d", i/25+1)})
		}
		blocks = append(blocks, app.DraftBlock{Text: fmt.Sprintf("Los Estados [promoverán/fortalecerán] la protección internacional de las personas refugiadas, desplazadas y apátridas, el acceso al asilo y a soluciones duraderas (párrafo %d).", i+1)})
	}
	id, err := svc.ImportDraft(app.NewDraft{Title: "Plan de Acción (benchmark)", Blocks: blocks}, "Secretaría")
	if err != nil {
		b.Fatal(err)
	}
	t, err := svc.ReadDraft(id)
	if err != nil {
		b.Fatal(err)
	}
	var targets []app.RecordID
	for _, p := range t.Paragraphs {
		if !p.Heading() {
			targets = append(targets, p.ID)
		}
	}
	action := app.ActionModify
	for start := 0; start < amends; start += 500 {
		var batch []app.Draft
		for i := start; i < min(amends, start+500); i++ {
			para, text := targets[i%len(targets)], fmt.Sprintf("Los Estados fortalecerán la protección internacional (enmienda %d).", i)
			title, who := "modify (Delegación)", fmt.Sprintf("Delegación %d", i%40)
			batch = append(batch, app.Draft{Kind: app.KindAmendment, Patch: app.Patch{ReplyTo: &para, Action: &action,
				Title: &title, Body: &text, Org: &who, AddSupport: []string{fmt.Sprint("País ", i%17)}}})
		}
		if _, err := svc.CreateMany(batch); err != nil {
			b.Fatal(err)
		}
	}
	return id
}

// BenchmarkDraftTab: the Draft tab over a draft of 500 paragraphs with
// 5,000 amendments (the targets: open in at most 200 ms, filter
// in at most 50 ms). open-ms reads the draft and fills the list; filter-ms
// chooses a status and back; select-ms shows a paragraph's amendments.
func BenchmarkDraftTab(b *testing.B) {
	svc := newStore(b, true)
	bigDraft(b, svc, 500, 5000)
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
}
