package draft

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// vocabulary is what random paragraphs are made of: words of the four
// languages of the consultation (precomposed and decomposed accents), the
// punctuation and brackets of a negotiated text, and an invalid byte.
var vocabulary = strings.Fields(`
	los Estados deberán podrán garantizar el acceso a la protección internacional personas refugiadas
	desplazadas apátridas niñas niños adolescentes género soluciones duraderas integración Haití
	os deverão poderão garantir proteção cooperação responsabilidade compartilhada vias complementares
	l'accès à réfugiés systèmes nationaux d'asile renforcer promouvoir solidarité
	States shall should may ensure access protection asylum regional cooperation
	prote\u0301ccio\u0301n 2024 40 \xff`)

var separators = []string{" ", " ", " ", " ", ", ", ". ", "; ", " ; ", "  ", "\n", "\n\n", " [", "] ", "/", " (", ") ", "-"}

// randomText is a paragraph of up to n words.
func randomText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range rng.IntN(n + 1) {
		b.WriteString(vocabulary[rng.IntN(len(vocabulary))])
		b.WriteString(separators[rng.IntN(len(separators))])
	}
	return b.String()
}

// amend edits text as an amendment would: a few words replaced, inserted
// or deleted, cutting it at its own word boundaries.
func amend(rng *rand.Rand, text string) string {
	var pieces []string
	for s := text; s != ""; {
		n := wordLen(s)
		pieces, s = append(pieces, s[:n]), s[n:]
	}
	for range 1 + rng.IntN(5) {
		at := rng.IntN(len(pieces) + 1)
		switch words := randomText(rng, 3); {
		case at == len(pieces) || rng.IntN(3) == 0:
			pieces = append(pieces[:at], append([]string{words}, pieces[at:]...)...)
		case rng.IntN(2) == 0:
			pieces[at] = words
		default:
			pieces = append(pieces[:at], pieces[at+1:]...)
		}
	}
	return strings.Join(pieces, "")
}

// TestDiffProperties diffs random paragraphs and amended versions of them:
// both texts come back byte for byte from the pieces, no piece is empty or
// follows one of its kind, and no piece begins or ends inside a word.
func TestDiffProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 4))
	for range 3000 {
		before := randomText(rng, 40)
		var after string
		switch rng.IntN(4) {
		case 0:
			after = randomText(rng, 40)
		case 1:
			after = before
		default:
			after = amend(rng, before)
		}
		checkDiff(t, before, after)
		checkDiff(t, after, before)
	}
}

// paragraph150 is a paragraph of the length of the longest ones of a plan
// of action: 150 words.
const paragraph150 = `Los Estados de América Latina y el Caribe se comprometen a fortalecer los sistemas nacionales ` +
	`de asilo y de determinación de la condición de apatridia, garantizando el acceso efectivo al ` +
	`territorio y a procedimientos justos y eficientes, con enfoque de edad, género y diversidad, en ` +
	`particular para niñas, niños y adolescentes no acompañados o separados, mujeres en riesgo y ` +
	`personas con discapacidad. A tal efecto, promoverán la capacitación de las autoridades de ` +
	`frontera, la adopción de mecanismos de registro interoperables y el uso de procedimientos ` +
	`simplificados cuando las circunstancias lo justifiquen, sin menoscabo del debido proceso. ` +
	`Asimismo, los Estados procurarán ampliar las vías complementarias de admisión, incluidos los ` +
	`visados humanitarios y la reunificación familiar, y fortalecerán la cooperación regional y la ` +
	`responsabilidad compartida con los países de acogida, con el apoyo de la comunidad ` +
	`internacional, la sociedad civil, el sector privado y las propias personas refugiadas, cuya ` +
	`participación se garantizará.`

// BenchmarkDiff is the diff an amendment form recomputes on each
// keystroke: a 150-word paragraph with a few edits, and with one letter
// typed into a word.
func BenchmarkDiff(b *testing.B) {
	amended := strings.NewReplacer(
		"se comprometen a fortalecer", "se comprometen a [fortalecer/consolidar]",
		"en particular para", "para",
		"procurarán ampliar", "ampliarán progresivamente",
		"el sector privado", "el sector privado, la academia",
	).Replace(paragraph150)
	typing := strings.Replace(paragraph150, "eficientes", "eficientess", 1)
	if n := len(strings.Fields(paragraph150)); n != 150 {
		b.Fatalf("the paragraph has %d words, want 150", n)
	}
	for _, bc := range []struct{ name, after string }{{"edits", amended}, {"keystroke", typing}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Diff(paragraph150, bc.after)
			}
		})
	}
}
