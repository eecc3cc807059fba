package app

import (
	"strings"
	"testing"
)

// paras joins paragraphs the way texts hold them.
func paras(ps ...string) string { return strings.Join(ps, ParagraphSep) }

// TestMerge3 is the three-way paragraph merge on Spanish, Portuguese and
// French texts with their accents.
func TestMerge3(t *testing.T) {
	es := []string{
		"Garantizar el acceso a la protección internacional.",
		"Fortalecer los sistemas nacionales de asilo con enfoque de género.",
		"Promover la integración local y las soluciones duraderas.",
	}
	pt := []string{
		"Garantir o acesso à proteção internacional das pessoas refugiadas.",
		"Fortalecer a cooperação regional e a responsabilidade compartilhada.",
		"Ampliar as vias complementares de admissão.",
	}
	fr := []string{
		"Garantir l'accès à la protection internationale.",
		"Renforcer les systèmes nationaux d'asile, y compris en Haïti.",
		"Promouvoir l'intégration locale et les solutions durables.",
	}
	cases := []struct {
		name               string
		base, ours, theirs string
		wantA, wantB       string
		wantConflict       bool
	}{
		{
			name:   "es: different paragraphs both apply",
			base:   paras(es...),
			ours:   paras(es[0]+" Sin discriminación.", es[1], es[2]),
			theirs: paras(es[0], es[1], es[2]+" Con participación de las comunidades."),
			wantA:  paras(es[0]+" Sin discriminación.", es[1], es[2]+" Con participación de las comunidades."),
		},
		{
			name:   "es: neighbouring paragraphs both apply",
			base:   paras(es...),
			ours:   paras(es[0], "Fortalecer los sistemas nacionales de asilo y de apatridia.", es[2]),
			theirs: paras(es[0], es[1], "Promover la integración socioeconómica."),
			wantA:  paras(es[0], "Fortalecer los sistemas nacionales de asilo y de apatridia.", "Promover la integración socioeconómica."),
		},
		{
			name:         "pt: the same paragraph changed on both sides is a conflict",
			base:         paras(pt...),
			ours:         paras(pt[0], "Fortalecer a cooperação regional, a solidariedade e a responsabilidade compartilhada.", pt[2]),
			theirs:       paras(pt[0], "Fortalecer a cooperação sul-sul e a responsabilidade compartilhada.", pt[2]+" Inclusive para apátridas."),
			wantA:        paras(pt[0], "Fortalecer a cooperação regional, a solidariedade e a responsabilidade compartilhada.", pt[2]+" Inclusive para apátridas."),
			wantB:        paras(pt[0], "Fortalecer a cooperação sul-sul e a responsabilidade compartilhada.", pt[2]+" Inclusive para apátridas."),
			wantConflict: true,
		},
		{
			name:         "fr: changed on one side, deleted on the other, is a conflict",
			base:         paras(fr...),
			ours:         paras(fr[0], fr[2]),
			theirs:       paras(fr[0], "Renforcer les systèmes nationaux d'asile, y compris en Haïti et en Guyane française.", fr[2]),
			wantA:        paras(fr[0], fr[2]),
			wantB:        paras(fr[0], "Renforcer les systèmes nationaux d'asile, y compris en Haïti et en Guyane française.", fr[2]),
			wantConflict: true,
		},
		{
			name:   "fr: additions at the same place are both kept, ours first",
			base:   paras(fr...),
			ours:   paras(fr[0], "Éliminer l'apatridie d'ici 2034.", fr[1], fr[2]),
			theirs: paras(fr[0], "Protéger les enfants non accompagnés.", fr[1], fr[2]),
			wantA:  paras(fr[0], "Éliminer l'apatridie d'ici 2034.", "Protéger les enfants non accompagnés.", fr[1], fr[2]),
		},
		{
			name:   "es: the same change on both sides is made once",
			base:   paras(es...),
			ours:   paras(es[0], es[1], "Promover la integración local."),
			theirs: paras(es[0], es[1], "Promover la integración local."),
			wantA:  paras(es[0], es[1], "Promover la integración local."),
		},
		{
			name:   "pt: a deletion and an edit elsewhere",
			base:   paras(pt...),
			ours:   paras(pt[1], pt[2]),
			theirs: paras(pt[0], pt[1], "Ampliar as vias complementares de admissão e de reunificação familiar."),
			wantA:  paras(pt[1], "Ampliar as vias complementares de admissão e de reunificação familiar."),
		},
		{
			name:   "es: an addition before a paragraph the other side changed",
			base:   paras(es...),
			ours:   paras(es[0], "Nuevo párrafo sobre movilidad humana.", es[1], es[2]),
			theirs: paras(es[0], "Fortalecer los sistemas de asilo.", es[2]),
			wantA:  paras(es[0], "Nuevo párrafo sobre movilidad humana.", "Fortalecer los sistemas de asilo.", es[2]),
		},
		{
			name:   "one side unchanged takes the other exactly",
			base:   paras(fr...),
			ours:   paras(fr...),
			theirs: "Texte entièrement réécrit.\n\n\nAvec des lignes vides en trop.",
			wantA:  "Texte entièrement réécrit.\n\n\nAvec des lignes vides en trop.",
		},
		{
			name:   "from an empty text, two different texts are both kept",
			base:   "",
			ours:   "Propuesta de Lima.",
			theirs: "Proposta de Brasília.",
			wantA:  paras("Propuesta de Lima.", "Proposta de Brasília."),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.wantB == "" {
				c.wantB = c.wantA
			}
			a, b, conflict := Merge3(c.base, c.ours, c.theirs)
			if a != c.wantA || b != c.wantB || conflict != c.wantConflict {
				t.Errorf("Merge3 =\n a: %q\n b: %q\n conflict %v\nwant\n a: %q\n b: %q\n conflict %v", a, b, conflict, c.wantA, c.wantB, c.wantConflict)
			}
		})
	}
}

// TestMerge3Laws: merging with an unchanged side gives the other side, and
// merging is the same whichever side holds a change that does not conflict.
func TestMerge3Laws(t *testing.T) {
	texts := []string{"", "uno", paras("uno", "dos"), paras("uno", "dos", "tres"), paras("ação", "über", "ñandú"), paras("uno", "", "tres")}
	for _, base := range texts {
		for _, x := range texts {
			if a, b, c := Merge3(base, base, x); a != x || b != x || c {
				t.Errorf("Merge3(%q, base, %q) = %q, %q, %v", base, x, a, b, c)
			}
			if a, b, c := Merge3(base, x, base); a != x || b != x || c {
				t.Errorf("Merge3(%q, %q, base) = %q, %q, %v", base, x, a, b, c)
			}
			if a, b, c := Merge3(base, x, x); a != x || b != x || c {
				t.Errorf("Merge3(%q, %q, %q) = %q, %q, %v", base, x, x, a, b, c)
			}
		}
	}
}

func TestDiff(t *testing.T) {
	before := paras("Garantizar el acceso.", "Fortalecer el asilo.", "Promover soluciones.")
	after := paras("Garantizar el acceso.", "Fortalecer el asilo y la protección complementaria.", "Promover soluciones.", "Nuevo: apatridia.")
	var got []string
	for _, l := range Diff(before, after) {
		if l.Kind != DiffKept && l.Text != "" {
			got = append(got, map[DiffKind]string{DiffRemoved: "-", DiffAdded: "+"}[l.Kind]+l.Text)
		}
	}
	want := []string{"-Fortalecer el asilo.", "+Fortalecer el asilo y la protección complementaria.", "+Nuevo: apatridia."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("diff %q, want %q", got, want)
	}
	if d := Diff("", ""); len(d) != 0 {
		t.Fatalf("empty diff: %v", d)
	}
}
