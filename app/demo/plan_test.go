package demo

import (
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

// TestLoadPlan: the sample plan has chapters, about forty paragraphs in
// four languages, amendments in several states from varied proponents,
// and two revisions after the zero draft.
func TestLoadPlan(t *testing.T) {
	svc := openService(t)
	id, err := LoadPlan(svc, 1, "Secretaría Técnica")
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.ReadDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	paras, headings, bracketed := 0, 0, 0
	langs, statuses, proponents := map[app.Lang]bool{}, map[app.Status]bool{}, map[string]bool{}
	for _, p := range d.Paragraphs {
		if p.Heading() {
			headings++
			continue
		}
		paras++
		if p.Status == app.StatusBracketed {
			bracketed++
		}
		for _, a := range p.Amendments {
			statuses[a.Status] = true
			proponents[a.Org] = true
		}
		langs[p.Lang] = true
	}
	revs, err := svc.Revisions(id)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case headings < 10 || paras < 30 || paras > 60:
		t.Errorf("%d chapters, %d paragraphs", headings, paras)
	case len(revs) != 3 || revs[2].Label() != "Rev.2":
		t.Errorf("%d revisions", len(revs))
	case len(statuses) < 3 || len(proponents) < 5:
		t.Errorf("amendments in %d states from %d proponents", len(statuses), len(proponents))
	case bracketed == 0:
		t.Errorf("no bracketed paragraph")
	case len(langs) < 4:
		t.Errorf("paragraphs in %d languages: %v", len(langs), langs)
	}
	again := openService(t)
	id2, err := LoadPlan(again, 1, "Secretaría Técnica")
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := again.ReadDraft(id2)
	if len(d2.Paragraphs) != len(d.Paragraphs) || d2.Paragraphs[1].Body != d.Paragraphs[1].Body {
		t.Errorf("the same seed gave another plan")
	}
}
