package draftdoc_test

import (
	"sync"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
)

// newService is an empty workspace in memory whose clock starts at the
// Santiago meeting and moves a minute each time it is read, so that the
// documents' dates and the amendments' order are the same every run.
func newService(t testing.TB) *app.Service {
	t.Helper()
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2024, 12, 10, 9, 0, 0, 0, time.UTC)
	svc.SetWallClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Minute)
		return now
	})
	if _, err := svc.Init("Cartagena +40"); err != nil {
		t.Fatal(err)
	}
	return svc
}

// smallDraft is the documents' fixed draft: two chapters, six paragraphs
// (one bracketed), amendments of every action from delegations, a city
// network and a refugee-led organization, supported and opposed; some
// decided into Rev.1; a paragraph modified, one moved, one deleted and
// one added into Rev.2; and pending ones after it, among them a new
// paragraph.
type smallDraft struct {
	svc   *app.Service
	id    app.RecordID
	paras map[string]app.RecordID // by number at the zero draft
}

var printed = time.Date(2024, 12, 12, 18, 0, 0, 0, time.UTC)

func newSmallDraft(t testing.TB) *smallDraft {
	t.Helper()
	svc := newService(t)
	id, err := svc.ImportDraft(app.NewDraft{Title: "Plan de Acción de Chile", DocKind: app.DocPlan, Numbering: app.NumberPlain, Lang: "es",
		Blocks: []app.DraftBlock{
			{Level: 1, Text: "Capítulo 1. Protección internacional"},
			{Text: "Los Estados fortalecerán los sistemas nacionales de asilo con recursos suficientes."},
			{Text: "Se garantizará el acceso al territorio y el principio de no devolución [en todas las fronteras]."},
			{Text: "Los Estados promoverán la documentación de las personas refugiadas."},
			{Level: 1, Text: "Capítulo 2. Soluciones duraderas"},
			{Text: "Se ampliarán las vías complementarias de admisión, incluida la reunificación familiar."},
			{Text: "The States will support local integration in cities."},
			{Text: "Los Estados intercambiarán buenas prácticas cada dos años."},
		}}, "Secretaría")
	if err != nil {
		t.Fatal(err)
	}
	s := &smallDraft{svc: svc, id: id, paras: map[string]app.RecordID{}}
	s.index(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	amend := func(n string, a app.Amendment) app.RecordID {
		t.Helper()
		id, err := svc.Amend(s.paras[n], a)
		must(err)
		return id
	}
	a1 := amend("1", app.Amendment{Action: app.ActionModify, Org: "Brasil", Author: "Ana Souza",
		Text: "Los Estados fortalecerán los sistemas nacionales de asilo con recursos suficientes y personal capacitado.", Rationale: "La capacidad es el cuello de botella."})
	must(svc.SupportAmendment(a1, "Chile"))
	must(svc.SupportAmendment(a1, "Colombia"))
	a2 := amend("3", app.Amendment{Action: app.ActionDelete, Org: "Ecuador"})
	must(svc.Oppose(a2, "México"))
	amend("2", app.Amendment{Action: app.ActionModify, Org: "Colombia", Text: "Se garantizará el acceso al territorio y el principio de no devolución."})
	must(svc.Decide(a1, app.Decision{Status: app.StatusAccepted}))
	must(svc.Decide(a2, app.Decision{Status: app.StatusNotRetained}))
	_, err = svc.Revise(id, "Secretaría")
	must(err)
	a3 := amend("4", app.Amendment{Action: app.ActionModify, Org: "México", Text: "Se ampliarán las vías complementarias de admisión, incluidas la reunificación familiar y las becas."})
	must(svc.Decide(a3, app.Decision{Status: app.StatusAccepted}))
	a5 := amend("5", app.Amendment{Action: app.ActionMove, Org: "Chile", After: s.paras["3"]})
	must(svc.Decide(a5, app.Decision{Status: app.StatusAccepted}))
	a6 := amend("6", app.Amendment{Action: app.ActionDelete, Org: "Ecuador", Rationale: "Ya lo prevé el capítulo 1."})
	must(svc.Decide(a6, app.Decision{Status: app.StatusAccepted}))
	a7 := amend("4", app.Amendment{Action: app.ActionAdd, Org: "Ciudades Solidarias", Text: "Las ciudades solidarias recibirán apoyo técnico y financiero."})
	must(svc.Decide(a7, app.Decision{Status: app.StatusAccepted}))
	_, err = svc.Revise(id, "Secretaría")
	must(err)
	a4 := amend("2", app.Amendment{Action: app.ActionAdd, Org: "Red de personas refugiadas", Author: "Nadia Haddad",
		Text: "Las personas refugiadas participarán en el diseño de los sistemas de asilo.", Rationale: "Nada sobre nosotros sin nosotros."})
	must(svc.SupportAmendment(a4, "Brasil"))
	amend("3", app.Amendment{Action: app.ActionModify, Org: "Brasil", Text: "Los Estados promoverán la documentación de las personas refugiadas y apátridas."})
	return s
}

// index maps the paragraphs' current numbers to their ids.
func (s *smallDraft) index(t testing.TB) {
	t.Helper()
	text, err := s.svc.ReadDraft(s.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range text.Paragraphs {
		if p.Number != "" {
			s.paras[p.Number] = p.ID
		}
	}
}
