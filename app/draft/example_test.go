package draft_test

import (
	"fmt"

	"github.com/cartagena-c40/consulta/app/draft"
)

// A round of amendments on a zero draft, and the revision that ends it.
func ExampleNumber() {
	paras := []draft.Para{
		{ID: "h1", Heading: true},
		{ID: "a", Base: 1},
		{ID: "x"}, // added after 1
		{ID: "b", Base: 2, Deleted: true},
		{ID: "c", Base: 3},
		{ID: "y", AltOf: "c"},
	}
	for i, l := range draft.Number(paras, draft.Plain) {
		fmt.Printf("%s %q deleted=%v\n", paras[i].ID, l, l.Deleted)
	}
	fmt.Println("Rev.1:")
	rev := draft.Renumber(paras, draft.Plain)
	for i, l := range draft.Number(rev, draft.Plain) {
		fmt.Printf("%s %q\n", rev[i].ID, l)
	}
	// Output:
	// h1 "" deleted=false
	// a "1" deleted=false
	// x "1 bis" deleted=false
	// b "2" deleted=true
	// c "3" deleted=false
	// y "3 alt" deleted=false
	// Rev.1:
	// h1 ""
	// a "1"
	// x "2"
	// c "3"
	// y "3 alt"
}

func ExampleSpans() {
	text := "Los Estados [deberán/podrán] garantizar el acceso [efectivo]."
	spans, _ := draft.Spans(text)
	for _, s := range spans {
		fmt.Printf("%s at runes %d–%d, options %q\n", text[s.Start:s.End], s.RuneStart, s.RuneEnd, draft.Options(text, s))
	}
	text, _ = draft.Choose(text, spans[0], 1)
	spans, _ = draft.Spans(text)
	text, _ = draft.Drop(text, spans[0])
	fmt.Println(text)
	_, err := draft.Spans("Los Estados [deberán garantizar")
	fmt.Println(err)
	// Output:
	// [deberán/podrán] at runes 12–28, options ["deberán" "podrán"]
	// [efectivo] at runes 50–60, options ["efectivo"]
	// Los Estados podrán garantizar el acceso.
	// the square bracket opened at character 13 is never closed: “Los Estados [deberán garantizar”
}

func ExampleDiff() {
	for _, c := range draft.Diff("Los Estados deberán garantizar el acceso.", "Los Estados podrán garantizar plenamente el acceso.") {
		fmt.Printf("%v %q\n", c.Kind, c.Text)
	}
	// Output:
	// equal "Los Estados "
	// delete "deberán"
	// insert "podrán"
	// equal " garantizar "
	// insert "plenamente "
	// equal "el acceso."
}
