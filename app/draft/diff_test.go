package draft

import (
	"slices"
	"strings"
	"testing"
)

// marked writes changes as the tests expect them: "=kept", "-deleted",
// "+inserted".
func marked(changes []Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, map[ChangeKind]string{Equal: "=", Delete: "-", Insert: "+"}[c.Kind]+c.Text)
	}
	return out
}

func TestDiff(t *testing.T) {
	cases := []struct {
		name          string
		before, after string
		want          []string
	}{
		{"nothing", "", "", nil},
		{"unchanged", "Los Estados", "Los Estados", []string{"=Los Estados"}},
		{"from nothing", "", "Los Estados", []string{"+Los Estados"}},
		{"to nothing", "Los Estados", "", []string{"-Los Estados"}},
		{"es: a changed word", "Los Estados deberán garantizar el acceso.", "Los Estados podrán garantizar el acceso.",
			[]string{"=Los Estados ", "-deberán", "+podrán", "= garantizar el acceso."}},
		{"es: a word changed by a few letters is still one word", "la protección efectiva", "la protecciones efectiva",
			[]string{"=la ", "-protección", "+protecciones", "= efectiva"}},
		{"es: an inserted word takes its space after it", "garantizar el acceso", "garantizar plenamente el acceso",
			[]string{"=garantizar ", "+plenamente ", "=el acceso"}},
		{"es: a deleted word", "el acceso efectivo al asilo", "el acceso al asilo",
			[]string{"=el acceso ", "-efectivo ", "=al asilo"}},
		{"es: a deleted last word", "el acceso efectivo", "el acceso",
			[]string{"=el acceso", "- efectivo"}},
		{"en: changed words separated by a space are one change", "They shall ensure access", "They should promote access",
			[]string{"=They ", "-shall ensure", "+should promote", "= access"}},
		{"en: a kept word between changes stays kept", "They shall ensure full access", "They should ensure equal access",
			[]string{"=They ", "-shall", "+should", "= ensure ", "-full", "+equal", "= access"}},
		{"es: only the punctuation", "las personas refugiadas.", "las personas refugiadas;",
			[]string{"=las personas refugiadas", "-.", "+;"}},
		{"pt: two changed words", "Os Estados deverão garantir a proteção", "Os Estados poderão assegurar a proteção",
			[]string{"=Os Estados ", "-deverão garantir", "+poderão assegurar", "= a proteção"}},
		{"fr: an inserted word after an apostrophe", "l'accès à la protection", "l'accès effectif à la protection",
			[]string{"=l'accès ", "+effectif ", "=à la protection"}},
		{"fr: an accent changed", "les réfugies", "les réfugiés",
			[]string{"=les ", "-réfugies", "+réfugiés"}},
		{"es: brackets put around a word", "Los Estados deberán garantizar", "Los Estados [deberán/podrán] garantizar",
			[]string{"=Los Estados ", "-deberán", "+[deberán/podrán]", "= garantizar"}},
		{"es: a sentence rewritten is one deletion and one insertion", "el acceso a la protección", "la integración de las personas",
			[]string{"-el acceso a la protección", "+la integración de las personas"}},
		{"a line break", "uno\ndos", "uno\n\ndos", []string{"=uno", "-\n", "+\n\n", "=dos"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := marked(Diff(c.before, c.after))
			if !slices.Equal(got, c.want) {
				t.Errorf("Diff = %q\nwant   %q", got, c.want)
			}
		})
	}
}

// sides returns the texts a diff was made from: Equal and Delete pieces,
// then Equal and Insert ones.
func sides(changes []Change) (before, after string) {
	var b, a strings.Builder
	for _, c := range changes {
		if c.Kind != Insert {
			b.WriteString(c.Text)
		}
		if c.Kind != Delete {
			a.WriteString(c.Text)
		}
	}
	return b.String(), a.String()
}

// wordEdges returns the byte offsets at which the words of s begin and
// end: the only places a change may begin or end.
func wordEdges(s string) map[int]bool {
	edges := map[int]bool{0: true}
	for i := 0; i < len(s); {
		i += wordLen(s[i:])
		edges[i] = true
	}
	return edges
}

// checkDiff checks the properties every diff must have.
func checkDiff(t *testing.T, before, after string) {
	t.Helper()
	changes := Diff(before, after)
	if b, a := sides(changes); b != before || a != after {
		t.Fatalf("Diff(%q, %q) = %q, gives back %q and %q", before, after, marked(changes), b, a)
	}
	var ob, oa int // offsets in before and after
	eb, ea := wordEdges(before), wordEdges(after)
	for i, c := range changes {
		if c.Text == "" || (i > 0 && changes[i-1].Kind == c.Kind) {
			t.Fatalf("Diff(%q, %q) = %q: an empty piece or two of a kind in a row", before, after, marked(changes))
		}
		if i > 0 && changes[i-1].Kind == Insert && c.Kind == Delete {
			t.Fatalf("Diff(%q, %q) = %q: an insertion before the deletion it replaces", before, after, marked(changes))
		}
		if c.Kind != Insert {
			ob += len(c.Text)
		}
		if c.Kind != Delete {
			oa += len(c.Text)
		}
		if !eb[ob] || !ea[oa] {
			t.Fatalf("Diff(%q, %q) = %q: piece %d cuts a word", before, after, marked(changes), i)
		}
	}
}
