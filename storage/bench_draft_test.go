package storage

import (
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
)

// bigDraft is demo.LoadLargeDraft on an on-disk store.
func bigDraft(b *testing.B, paras, amends int) (*app.Service, app.RecordID) {
	b.Helper()
	s, _ := newService(b, b.TempDir())
	id, err := demo.LoadLargeDraft(s, paras, amends)
	if err != nil {
		b.Fatal(err)
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
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "ms/open")
	if per > 200*time.Millisecond {
		b.Errorf("a draft of 500 paragraphs and 5,000 amendments took %v to read; target 200 ms", per)
	}
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
	if worst > time.Second {
		b.Errorf("a revision took %v; target 1 s", worst)
	}
}
