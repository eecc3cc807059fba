package storage

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

// zeroDraft imports a small zero draft: a chapter, four paragraphs (the
// third with brackets), a sub-section and one more.
func zeroDraft(t *testing.T, s *app.Service) app.RecordID {
	t.Helper()
	id, err := s.ImportDraft(app.NewDraft{Title: "Plan de Acción de Chile", DocKind: app.DocPlan, Lang: "es",
		Blocks: []app.DraftBlock{
			{Level: 1, Text: "Capítulo I: Protección internacional"},
			{Text: "Reafirmamos la definición ampliada de refugiado de la Declaración de Cartagena."},
			{Text: "Fortalecer los sistemas nacionales de asilo."},
			{Text: "Promover [mecanismos/procedimientos] de determinación de la condición de refugiado."},
			{Text: "Garantizar el acceso a la documentación."},
			{Level: 2, Text: "Soluciones duraderas"},
			{Text: "Impulsar la integración local y las vías complementarias."},
		}}, "Secretaría Técnica")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func readDraft(t *testing.T, s *app.Service, id app.RecordID) *app.DraftText {
	t.Helper()
	d, err := s.ReadDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// numbers is the draft's numbers in order ("" for headings).
func numbers(d *app.DraftText) []string {
	var out []string
	for _, p := range d.Paragraphs {
		out = append(out, p.Number)
	}
	return out
}

func TestImportNumbersAndFreezesRev0(t *testing.T) {
	s, _ := newService(t, "")
	id := zeroDraft(t, s)
	d := readDraft(t, s, id)
	if got, want := numbers(d), []string{"", "1", "2", "3", "4", "", "5"}; !slices.Equal(got, want) {
		t.Fatalf("numbers %q, want %q", got, want)
	}
	if st := d.Paragraphs[3].Status; st != app.StatusBracketed {
		t.Errorf("a paragraph with brackets starts %q", st)
	}
	rev0, err := s.Revision(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev0.Paragraphs) != 7 || rev0.Paragraphs[1].Number != "1" || rev0.By != "Secretaría Técnica" {
		t.Fatalf("Rev.0: %+v", rev0)
	}
	// The records list leaves the drafting records out.
	res, err := s.List(app.Filter{}, 0)
	if err != nil || len(res.Records) != 0 {
		t.Fatalf("the records list shows %d drafting records (%v)", len(res.Records), err)
	}
	if _, err := s.ImportDraft(app.NewDraft{Title: "Vacío"}, "S"); app.KindOf(err) != app.Invalid {
		t.Errorf("a draft without paragraphs: %v", err)
	}
}

// TestAmendDecideRevise: amendments of each action, side by side, decided;
// the revision renumbers, its memorandum names what changed and why, and
// every proposed word stays readable.
func TestAmendDecideRevise(t *testing.T) {
	s, _ := newService(t, "")
	id := zeroDraft(t, s)
	d := readDraft(t, s, id)
	p2, p3, p4 := d.Paragraphs[2], d.Paragraphs[3], d.Paragraphs[4]
	amend := func(para app.RecordID, a app.Amendment) app.RecordID {
		t.Helper()
		aid, err := s.Amend(para, a)
		if err != nil {
			t.Fatal(err)
		}
		return aid
	}
	mod1 := amend(p2.ID, app.Amendment{Action: app.ActionModify, Text: "Fortalecer y financiar los sistemas nacionales de asilo.", Org: "Brasil", Rationale: "Sin recursos no hay fortalecimiento."})
	mod2 := amend(p2.ID, app.Amendment{Action: app.ActionModify, Text: "Fortalecer los sistemas de asilo con apoyo regional.", Org: "Red de Refugiados"})
	add := amend(p2.ID, app.Amendment{Action: app.ActionAdd, Text: "Reconocer el papel de las organizaciones lideradas por personas refugiadas.", Author: "Ana Ruiz", Org: "RLO Network"})
	del := amend(p4.ID, app.Amendment{Action: app.ActionDelete, Org: "Chile"})
	if err := s.SupportAmendment(mod1, "Colombia"); err != nil {
		t.Fatal(err)
	}
	if err := s.Oppose(mod1, "Perú"); err != nil {
		t.Fatal(err)
	}
	if err := s.Oppose(mod1, "Colombia"); err != nil { // changes its mind
		t.Fatal(err)
	}
	if _, err := s.Amend(p2.ID, app.Amendment{Action: app.ActionModify, Org: "X"}); app.KindOf(err) != app.Invalid {
		t.Errorf("a modify without text: %v", err)
	}
	if err := s.Decide(mod1, app.Decision{Status: app.StatusAccepted}); err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(add, app.Decision{Status: app.StatusAccepted}); err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(del, app.Decision{Status: app.StatusAccepted}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(p3.ID, app.StatusAgreedAdRef); err != nil {
		t.Fatal(err)
	}
	d = readDraft(t, s, id)
	if got, want := numbers(d), []string{"", "1", "2", "2 bis", "3", "4", "", "5"}; !slices.Equal(got, want) {
		t.Fatalf("after the decisions: %q, want %q", got, want)
	}
	if d.Paragraphs[2].Body != "Fortalecer y financiar los sistemas nacionales de asilo." || d.Paragraphs[5].Status != app.StatusDeleted {
		t.Fatalf("the accepted amendments did not apply: %q, %q", d.Paragraphs[2].Body, d.Paragraphs[5].Status)
	}
	// Both amendments to paragraph 2 stand, each with its own text.
	var seen []string
	for _, a := range d.Paragraphs[2].Amendments {
		seen = append(seen, a.Body)
	}
	if len(seen) != 3 || !slices.Contains(seen, "Fortalecer los sistemas de asilo con apoyo regional.") {
		t.Fatalf("amendments to paragraph 2: %q", seen)
	}
	m1, _ := s.Get(mod1)
	if !slices.Equal(m1.Opposers, []string{"Colombia", "Perú"}) || len(m1.Supporters) != 0 || m1.Status != app.StatusAccepted {
		t.Fatalf("mod1: supporters %q opposers %q status %s", m1.Supporters, m1.Opposers, m1.Status)
	}
	if m2, _ := s.Get(mod2); m2.Status != app.StatusPending {
		t.Fatalf("accepting one amendment decided another: %s", m2.Status)
	}

	rev1, err := s.Revise(id, "Secretaría Técnica")
	if err != nil {
		t.Fatal(err)
	}
	if rev1.Number != 1 {
		t.Fatalf("first revision is Rev.%d", rev1.Number)
	}
	d = readDraft(t, s, id) // the deleted paragraph has left the text
	if got, want := numbers(d), []string{"", "1", "2", "3", "4", "", "5"}; !slices.Equal(got, want) {
		t.Fatalf("after Rev.1: %q, want %q", got, want)
	}
	var frozen []string
	for _, p := range rev1.Paragraphs {
		frozen = append(frozen, p.Number)
	}
	if want := []string{"", "1", "2", "3", "4", "", "5"}; !slices.Equal(frozen, want) {
		t.Fatalf("Rev.1 numbers %q, want %q", frozen, want)
	}
	memo := map[app.RecordID]app.MemoEntry{}
	for _, e := range rev1.Memo {
		memo[e.Paragraph] = e
	}
	if e := memo[p2.ID]; e.Change != app.ChangeModified || !slices.Equal(e.Amendments, []app.RecordID{mod1}) {
		t.Errorf("memo for 2: %+v", e)
	}
	if e := memo[p4.ID]; e.Change != app.ChangeDeleted || !slices.Equal(e.Amendments, []app.RecordID{del}) {
		t.Errorf("memo for 4: %+v", e)
	}
	if e := memo[p3.ID]; e.Change != app.ChangeStatus || e.Status != app.StatusAgreedAdRef {
		t.Errorf("memo for 3: %+v", e)
	}
	added := 0
	for _, e := range rev1.Memo {
		if e.Change == app.ChangeAdded {
			added++
			if e.Number != "3" {
				t.Errorf("the added paragraph is %q in Rev.1", e.Number)
			}
		}
	}
	if added != 1 {
		t.Errorf("%d added paragraphs in the memo: %+v", added, rev1.Memo)
	}
	// Rev.0 still reads as it was.
	rev0, err := s.Revision(id, 0)
	if err != nil || rev0.Paragraphs[2].Text != "Fortalecer los sistemas nacionales de asilo." {
		t.Fatalf("Rev.0 changed: %v %+v", err, rev0)
	}
}

// TestDraftsConverge: three replicas amend, support, oppose, decide, set
// statuses and revise concurrently, exchanging operations in random
// orders; all end identical, and no proposed text is lost.
func TestDraftsConverge(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { draftsConverge(t, seed) })
	}
}

func draftsConverge(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 19))
	rs := replicas(t, 3)
	id := zeroDraft(t, rs[0])
	pullAll(t, rs)
	proposed := map[string]bool{}
	n := 0
	for range 50 {
		who := rng.IntN(len(rs))
		s := rs[who]
		d, err := s.ReadDraft(id)
		if err != nil {
			t.Fatal(err)
		}
		paras := slices.DeleteFunc(slices.Clone(d.Paragraphs), func(p *app.DraftParagraph) bool { return p.Heading() })
		p := paras[rng.IntN(len(paras))]
		switch k := rng.IntN(10); {
		case k < 4:
			n++
			text := fmt.Sprintf("Texto %d de la réplica %d: protección y soluciones.", n, who)
			action := []app.Action{app.ActionModify, app.ActionAdd}[rng.IntN(2)]
			if _, err := s.Amend(p.ID, app.Amendment{Action: action, Text: text, Org: fmt.Sprint("Delegación ", who)}); err != nil {
				t.Fatal(err)
			}
			proposed[text] = true
		case k < 6 && len(p.Amendments) > 0:
			a := p.Amendments[rng.IntN(len(p.Amendments))]
			person := fmt.Sprint("Delegación ", rng.IntN(4))
			if rng.IntN(2) == 0 {
				err = s.SupportAmendment(a.ID, person)
			} else {
				err = s.Oppose(a.ID, person)
			}
			if err != nil {
				t.Fatal(err)
			}
		case k < 8 && len(p.Amendments) > 0:
			a := p.Amendments[rng.IntN(len(p.Amendments))]
			st := []app.Status{app.StatusAccepted, app.StatusNotRetained, app.StatusWithdrawn}[rng.IntN(3)]
			// Accepting what this laptop sees decided already is refused.
			if err := s.Decide(a.ID, app.Decision{Status: st}); err != nil && (app.KindOf(err) != app.Invalid || a.Status == app.StatusPending) {
				t.Fatal(err)
			}
		case k < 9:
			if err := s.SetStatus(p.ID, app.ParagraphStatuses[rng.IntN(4)]); err != nil {
				t.Fatal(err)
			}
		default: // refused while a paragraph holds competing versions
			if _, err := s.Revise(id, fmt.Sprint("Secretaría ", who)); err != nil && app.KindOf(err) != app.Invalid {
				t.Fatal(err)
			}
		}
		if rng.IntN(3) == 0 { // a random pair meets
			a, b := rng.IntN(len(rs)), rng.IntN(len(rs))
			if a != b {
				pull(t, rs[a], rs[b])
			}
		}
	}
	pullAll(t, rs)
	want := draftState(t, rs[0])
	for i, s := range rs[1:] {
		if got := draftState(t, s); !equalStates(got, want) {
			t.Fatalf("replica %d differs from replica 0", i+1)
		}
	}
	kept := map[string]bool{}
	res, err := rs[0].List(app.Filter{Kinds: []string{string(app.KindAmendment)}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		a, _ := rs[0].Get(r.ID)
		kept[a.Body] = true
	}
	for text := range proposed {
		if !kept[text] {
			t.Errorf("proposed text lost: %q", text)
		}
	}
	if d := readDraft(t, rs[0], id); len(d.Paragraphs) < 7 {
		t.Fatalf("paragraphs lost: %d", len(d.Paragraphs))
	}
}

// draftState is every drafting record of s, encoded, by id.
func draftState(t *testing.T, s *app.Service) map[app.RecordID][]byte {
	var kinds []string
	for _, k := range app.DraftingKinds {
		kinds = append(kinds, string(k))
	}
	res, err := s.List(app.Filter{Kinds: kinds}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[app.RecordID][]byte{}
	for _, r := range res.Records {
		full, err := s.Get(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[r.ID], _ = app.EncodeRecord(full)
	}
	return out
}

func equalStates(a, b map[app.RecordID][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for id, x := range a {
		if !bytes.Equal(x, b[id]) {
			return false
		}
	}
	return true
}

// TestTakenIntoTheDraft: a rapporteur marks a proposal as taken into a
// paragraph and an input into an amendment; the secretariat lists what no
// paragraph reflects yet.
func TestTakenIntoTheDraft(t *testing.T) {
	s, _ := newService(t, "")
	id := zeroDraft(t, s)
	prop := proposal(t, s, "Financiamiento de los sistemas de asilo", "Cuerpo.", "Ana", "Brasil", app.StatusSubmitted)
	input := proposal(t, s, "Registro de nacimientos", "Cuerpo.", "Luis", "RLO", app.StatusSubmitted)
	other := proposal(t, s, "Vías complementarias", "Cuerpo.", "Eva", "Academia", app.StatusSubmitted)
	d := readDraft(t, s, id)
	p2 := d.Paragraphs[2]
	am, err := s.Amend(p2.ID, app.Amendment{Action: app.ActionModify, Text: "Otro texto.", Org: "Chile"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.TakeInto(p2.ID, prop); err != nil {
		t.Fatal(err)
	}
	if err := s.TakeInto(am, input); err != nil {
		t.Fatal(err)
	}
	if err := s.TakeInto(id, other); app.KindOf(err) != app.Invalid {
		t.Errorf("taking into a draft rather than a paragraph: %v", err)
	}
	if err := s.TakeInto(p2.ID, am); app.KindOf(err) != app.Invalid {
		t.Errorf("taking an amendment in as a source: %v", err)
	}
	where := app.Reflected(readDraft(t, s, id))
	if len(where[prop]) != 1 || where[prop][0].ID != p2.ID || len(where[input]) != 1 || where[input][0].Amendments[0].ID != am {
		t.Fatalf("where the inputs went: %v", where)
	}
	left, err := s.Unreflected(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].ID != other {
		t.Fatalf("unreflected: %v", left)
	}
}

// TestAcceptingFollowsBrackets: accepting text without the brackets makes
// a bracketed paragraph open; headings are not amended; support is taken
// back.
func TestAcceptingFollowsBrackets(t *testing.T) {
	s, _ := newService(t, "")
	id := zeroDraft(t, s)
	d := readDraft(t, s, id)
	p3, heading := d.Paragraphs[3], d.Paragraphs[0]
	if p3.Status != app.StatusBracketed {
		t.Fatalf("paragraph 3 is %s", p3.Status)
	}
	a, err := s.Amend(p3.ID, app.Amendment{Action: app.ActionModify, Text: "Promover procedimientos de determinación de la condición de refugiado.", Org: "Perú"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SupportAmendment(a, "Chile"); err != nil {
		t.Fatal(err)
	}
	if err := s.UnsupportAmendment(a, "Chile"); err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(a, app.Decision{Status: app.StatusAccepted}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, p3.ID); got.Status != app.StatusOpen {
		t.Errorf("accepted text without brackets leaves the paragraph %s", got.Status)
	}
	if got := get(t, s, a); len(got.Supporters) != 0 {
		t.Errorf("support not taken back: %v", got.Supporters)
	}
	if _, err := s.Amend(heading.ID, app.Amendment{Action: app.ActionModify, Text: "Otro título", Org: "X"}); app.KindOf(err) != app.Invalid {
		t.Errorf("amending a heading: %v", err)
	}
	if _, err := s.Amend(heading.ID, app.Amendment{Action: app.ActionAdd, Text: "Un párrafo nuevo al comienzo del capítulo.", Org: "X"}); err != nil {
		t.Errorf("adding after a heading: %v", err)
	}
}

// TestDecideOnce: an amendment is accepted once (a second accept would add
// its paragraph twice or put back a text replaced since); two laptops
// accepting the same addition offline make one paragraph; a move names a
// paragraph of the same draft.
func TestDecideOnce(t *testing.T) {
	rs := replicas(t, 2)
	id := zeroDraft(t, rs[0])
	d := readDraft(t, rs[0], id)
	add, err := rs[0].Amend(d.Paragraphs[1].ID, app.Amendment{Action: app.ActionAdd, Text: "Un párrafo nuevo.", Org: "Chile"})
	if err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	for _, s := range rs { // both accept it, offline
		if err := s.Decide(add, app.Decision{Status: app.StatusAccepted}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rs[0].Decide(add, app.Decision{Status: app.StatusAccepted}); app.KindOf(err) != app.Invalid {
		t.Errorf("accepting twice: %v", err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		if got := numbers(readDraft(t, s, id)); !slices.Equal(got, []string{"", "1", "1 bis", "2", "3", "4", "", "5"}) {
			t.Fatalf("after both accepted the addition: %q", got)
		}
	}
	if _, err := rs[0].Amend(d.Paragraphs[2].ID, app.Amendment{Action: app.ActionMove, After: id, Org: "Chile"}); app.KindOf(err) != app.Invalid {
		t.Errorf("a move after the draft itself: %v", err)
	}
}

// TestReviseRefusesConflicts: two laptops accept different amendments to
// one paragraph offline; the paragraph holds both versions, and the
// secretariat is asked to settle it before a revision freezes one.
func TestReviseRefusesConflicts(t *testing.T) {
	rs := replicas(t, 2)
	id := zeroDraft(t, rs[0])
	p := readDraft(t, rs[0], id).Paragraphs[2]
	var ams []app.RecordID
	for _, text := range []string{"Fortalecer y financiar los sistemas nacionales de asilo.", "Fortalecer los sistemas nacionales de asilo y de protección."} {
		a, err := rs[0].Amend(p.ID, app.Amendment{Action: app.ActionModify, Text: text, Org: "Chile"})
		if err != nil {
			t.Fatal(err)
		}
		ams = append(ams, a)
	}
	pullAll(t, rs)
	for i, s := range rs {
		if err := s.Decide(ams[i], app.Decision{Status: app.StatusAccepted}); err != nil {
			t.Fatal(err)
		}
	}
	pullAll(t, rs)
	_, err := rs[0].Revise(id, "Secretaría")
	if app.KindOf(err) != app.Invalid || !strings.Contains(err.Error(), "competing versions") {
		t.Fatalf("revising a draft in conflict: %v", err)
	}
	if err := rs[0].Resolve(p.ID, "Fortalecer y financiar los sistemas nacionales de asilo y de protección."); err != nil {
		t.Fatal(err)
	}
	if _, err := rs[0].Revise(id, "Secretaría"); err != nil {
		t.Fatalf("after resolving: %v", err)
	}
}
