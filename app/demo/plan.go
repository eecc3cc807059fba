package demo

// A sample draft Plan of Action, for trying the Draft tab and the draft
// commands: a chapter per topic of the phrase banks, its paragraphs the
// commitments delegates ask for (mostly in Spanish, one a chapter in
// English, Portuguese or French), amendments from delegations,
// refugee-led organizations, civil society, academia and cities, some
// supported and opposed, some decided, and two revisions.

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cartagena-c40/consulta/app"
)

// proponent is who proposes an amendment.
type proponent struct {
	org   string
	group app.StakeholderCode
}

var proponents = []proponent{
	{"Brasil", "state"}, {"Colombia", "state"}, {"México", "state"}, {"Chile", "state"}, {"Ecuador", "state"},
	{"Costa Rica", "state"}, {"Argentina", "state"}, {"Perú", "state"}, {"Panamá", "state"}, {"Trinidad y Tobago", "state"},
	{"Red Regional de Organizaciones Lideradas por Personas Refugiadas", "refugee-led-organizations"},
	{"Servicio Jesuita a Refugiados", "faith-based-organizations"},
	{"Plataforma Regional de Sociedad Civil", "civil-society"},
	{"Red Académica de Derecho de los Refugiados", "academia"},
	{"Ciudades Solidarias (Alcaldía de Quito)", "local-governments"},
}

// planSlots fills the slots a commitment may hold, per language; a
// commitment with any other slot is left out of the plan.
var planSlots = [nLang]*strings.Replacer{
	strings.NewReplacer("{year}", "2034", "{pct}", "30 %", "{months}", "seis", "{k}", "doce", "{n}", "10 000",
		"{region}", "América Latina y el Caribe", "{pop}", "las personas refugiadas"),
	strings.NewReplacer("{year}", "2034", "{pct}", "30 %", "{months}", "seis", "{k}", "doze", "{n}", "10 000",
		"{region}", "América Latina e o Caribe", "{pop}", "as pessoas refugiadas"),
	strings.NewReplacer("{year}", "2034", "{pct}", "30%", "{months}", "six", "{k}", "twelve", "{n}", "10,000",
		"{region}", "Latin America and the Caribbean", "{pop}", "refugees"),
	strings.NewReplacer("{year}", "2034", "{pct}", "30 %", "{months}", "six", "{k}", "douze", "{n}", "10 000",
		"{region}", "l'Amérique latine et les Caraïbes", "{pop}", "les personnes réfugiées"),
}

// PlanParagraphs is about how many paragraphs the sample plan holds.
const PlanParagraphs = 40

// LoadPlan writes the sample draft through svc, signed by person, and
// returns its id. The same seed gives the same plan.
func LoadPlan(svc *app.Service, seed int64, person string) (app.RecordID, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 2024))
	id, err := svc.ImportDraft(planDraft(rng), person)
	if err != nil {
		return "", err
	}
	for round := 1; round <= 2; round++ {
		if err := amendRound(svc, id, rng, round); err != nil {
			return id, err
		}
		if _, err := svc.Revise(id, person); err != nil {
			return id, err
		}
	}
	return id, amendRound(svc, id, rng, 3) // pending, for the next round
}

// planDraft is the zero draft: a chapter a topic.
func planDraft(rng *rand.Rand) app.NewDraft {
	d := app.NewDraft{Title: "Plan de Acción de Chile 2024-2034 (borrador de demostración)", DocKind: app.DocPlan, Lang: "es"}
	perTopic := max(1, PlanParagraphs/len(topicTexts))
	for i, t := range topicTexts {
		d.Blocks = append(d.Blocks, app.DraftBlock{Level: 1, Text: fmt.Sprintf("Capítulo %d: %s", i+1, t.short[lES])})
		other := []int{lEN, lPT, lFR}[i%3]
		n := 0
		for k, ask := range t.asks {
			if n == perTopic+1 {
				break
			}
			lang := lES
			if k == 1 {
				lang = other
			}
			text, ok := fillPlan(ask[lang], lang)
			if !ok {
				continue
			}
			if rng.IntN(6) == 0 { // undecided language
				text = bracketWord(text)
			}
			d.Blocks = append(d.Blocks, app.DraftBlock{Text: text, Lang: langCodes[lang]})
			n++
		}
	}
	return d
}

func fillPlan(s string, lang int) (string, bool) {
	s = planSlots[lang].Replace(s)
	return s, !strings.Contains(s, "{")
}

// bracketWord puts three words of s, from the fourth, in brackets: the
// language a negotiation has not settled.
func bracketWord(s string) string {
	w := strings.Fields(s)
	if len(w) < 8 {
		return s
	}
	w[3], w[5] = "["+w[3], w[5]+"]"
	return strings.Join(w, " ")
}

// additions are the new paragraphs delegations propose.
var additions = []string{
	"Los Estados establecerán un mecanismo regional de seguimiento del Plan, con indicadores públicos y un informe cada tres años.",
	"Se reconoce el papel de las organizaciones lideradas por personas refugiadas en el diseño y la evaluación de las políticas que les conciernen.",
	"Los Estados promoverán la participación de los gobiernos locales en la recepción e integración de las personas desplazadas.",
	"Se alienta a las instituciones financieras internacionales a apoyar a las comunidades de acogida con financiamiento en condiciones favorables.",
}

// amendRound proposes amendments to some paragraphs, has others support
// and oppose them, and (before a revision) decides most of them.
func amendRound(svc *app.Service, id app.RecordID, rng *rand.Rand, round int) error {
	t, err := svc.ReadDraft(id)
	if err != nil {
		return err
	}
	var paras []*app.DraftParagraph
	for _, p := range t.Paragraphs {
		if !p.Heading() && p.Status != app.StatusDeleted {
			paras = append(paras, p)
		}
	}
	for range 6 + rng.IntN(4) {
		p := paras[rng.IntN(len(paras))]
		aid, a, err := proposeAmendment(svc, p, rng)
		if err != nil {
			return err
		}
		if err := stances(svc, aid, a.Org, rng); err != nil {
			return err
		}
		if st := decision(rng, a.Action); round < 3 && st != app.StatusPending {
			if err := svc.Decide(aid, app.Decision{Status: st}); err != nil {
				return err
			}
		}
	}
	if round < 3 { // some paragraphs agree
		for _, p := range paras[:3] {
			st := []app.Status{app.StatusAgreedAdRef, app.StatusAgreed}[round-1]
			if err := svc.SetStatus(p.ID, st); err != nil {
				return err
			}
		}
	}
	return nil
}

func proposeAmendment(svc *app.Service, p *app.DraftParagraph, rng *rand.Rand) (app.RecordID, app.Amendment, error) {
	who := proponents[rng.IntN(len(proponents))]
	a := app.Amendment{Org: who.org, Stakeholder: who.group, Author: "Delegación de " + who.org}
	switch k := rng.IntN(10); {
	case k < 6:
		a.Action = app.ActionModify
		a.Text = strings.TrimSuffix(p.Body, ".") + ", " + []string{
			"con enfoque de edad, género y diversidad.",
			"en coordinación con las autoridades locales.",
			"con la participación de las personas refugiadas.",
			"de acuerdo con el principio de responsabilidad compartida.",
		}[rng.IntN(4)]
		a.Rationale = "Hacer explícito cómo se aplica el compromiso."
	case k < 8:
		a.Action = app.ActionAdd
		a.Text = additions[rng.IntN(len(additions))]
		a.Rationale = "Un compromiso que el borrador no recoge."
	default:
		a.Action = app.ActionDelete
		a.Rationale = "Duplica otro párrafo del capítulo."
	}
	id, err := svc.Amend(p.ID, a)
	return id, a, err
}

func stances(svc *app.Service, id app.RecordID, own string, rng *rand.Rand) error {
	for range rng.IntN(4) {
		other := proponents[rng.IntN(len(proponents))].org
		if other == own {
			continue
		}
		var err error
		if rng.IntN(4) == 0 {
			err = svc.Oppose(id, other)
		} else {
			err = svc.SupportAmendment(id, other)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func decision(rng *rand.Rand, a app.Action) app.Status {
	switch k := rng.IntN(10); {
	case k < 4 && a != app.ActionDelete:
		return app.StatusAccepted
	case k < 6:
		return app.StatusNotRetained
	case k < 7:
		return app.StatusWithdrawn
	}
	return app.StatusPending
}

// LoadLargeDraft writes a draft of paras paragraphs (a heading every 25)
// with amends amendments spread over them from forty proponents, in
// batches: the draft the benchmarks measure (the 500 and 5,000).
func LoadLargeDraft(svc *app.Service, paras, amends int) (app.RecordID, error) {
	var blocks []app.DraftBlock
	for i := range paras {
		if i%25 == 0 {
			blocks = append(blocks, app.DraftBlock{Level: 1, Text: fmt.Sprintf("Capítulo %d", i/25+1)})
		}
		blocks = append(blocks, app.DraftBlock{Text: fmt.Sprintf("Los Estados [promoverán/fortalecerán] la protección internacional de las personas refugiadas, desplazadas y apátridas, el acceso al asilo y a soluciones duraderas (párrafo %d).", i+1)})
	}
	id, err := svc.ImportDraft(app.NewDraft{Title: "Plan de Acción (benchmark)", Blocks: blocks}, "Secretaría")
	if err != nil {
		return "", err
	}
	t, err := svc.ReadDraft(id)
	if err != nil {
		return id, err
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
			return id, err
		}
	}
	return id, nil
}
