package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// bigDraft imports a draft of paras paragraphs (a heading every 25) and
// proposes amends amendments spread over them, from varied proponents,
// on an on-disk store.
func bigDraft(b *testing.B, paras, amends int) (*app.Service, app.RecordID) {
	b.Helper()
	s, _ := newService(b, b.TempDir())
	var blocks []app.DraftBlock
	for i := range paras {
		if i%25 == 0 {
			blocks = append(blocks, app.DraftBlock{Level: 1, Text: fmt.Sprintf("Capítulo %d", i/25+1)})
		}
		blocks = append(blocks, app.DraftBlock{Text: fmt.Sprintf("Los Estados [promoverán/fortalecerán] la protección internacional de las personas refugiadas, desplazadas y apátridas, el acceso al asilo y a soluciones duraderas (párrafo %d).", i+1)})
	}
	id, err := s.ImportDraft(app.NewDraft{Title: "Plan de Acción (benchmark)", Blocks: blocks}, "Secretaría")
	if err != nil {
		b.Fatal(err)
	}
	t, err := s.ReadDraft(id)
	if err != nil {
		b.Fatal(err)
	}
	var targets []app.RecordID
	for _, p := range t.Paragraphs {
		if !p.Heading() {
			targets = append(targets, p.ID)
		}
	}
	action, org := app.ActionModify, "Delegación"
	for start := 0; start < amends; start += 500 {
		var batch []app.Draft
		for i := start; i < min(amends, start+500); i++ {
			para, text := targets[i%len(targets)], fmt.Sprintf("Los Estados fortalecerán la protección internacional (enmienda %d).", i)
			title, who := "modify (Delegación)", fmt.Sprintf("%s %d", org, i%40)
			batch = append(batch, app.Draft{Kind: app.KindAmendment, Patch: app.Patch{ReplyTo: &para, Action: &action,
				Title: &title, Body: &text, Org: &who, AddSupport: []string{fmt.Sprint("País ", i%17)}}})
		}
		if _, err := s.CreateMany(batch); err != nil {
			b.Fatal(err)
		}
	}
	return s, id
}

// BenchmarkDraftOpen: reading a draft of 500 paragraphs with 5,000
// amendments as the Draft tab does (every paragraph and amendment whole,
// numbered, amendments grouped): the target is 200 ms.
func BenchmarkDraftOpen(b *testing.B) {
	s, id := bigDraft(b, 500, 5000)
	b.ResetTimer()
	for b.Loop() {
		t, err := s.ReadDraft(id)
		if err != nil || len(t.Paragraphs) != 520 {
			b.Fatal(err, len(t.Paragraphs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open")
}

// BenchmarkDraftRevise: issuing a revision of that draft, renumbering
// and freezing it with its memorandum (target: 1 s). Each run revises
// the same draft again.
func BenchmarkDraftRevise(b *testing.B) {
	s, id := bigDraft(b, 500, 5000)
	b.ResetTimer()
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := s.Revise(id, "Secretaría"); err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Milliseconds()), "max-ms")
}
