package draft

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Short ways to write the paragraphs of a test draft.
func num(id string, base int) Para { return Para{ID: id, Base: base} }
func added(id string) Para         { return Para{ID: id} }
func alt(id, of string) Para       { return Para{ID: id, AltOf: of} }
func head(id string) Para          { return Para{ID: id, Heading: true} }
func pp(p Para) Para               { p.Part = Preambular; return p }
func deleted(p Para) Para          { p.Deleted = true; return p }

// showLabel writes a label as the tests expect it: its text, and whether
// it is deleted.
func showLabel(l Label) string {
	if l.Deleted {
		return l.String() + " (deleted)"
	}
	return l.String()
}

func labelsOf(ls []Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = showLabel(l)
	}
	return out
}

func TestNumber(t *testing.T) {
	cases := []struct {
		name  string
		style Style
		paras []Para
		want  []string
	}{
		{"a zero draft keeps its numbers", Plain,
			[]Para{num("a", 1), num("b", 2), num("c", 3)},
			[]string{"1", "2", "3"}},
		{"added paragraphs are bis, ter, quater of the one before", Plain,
			[]Para{num("a", 1), num("b", 2), added("x"), added("y"), added("z"), num("c", 3), added("w")},
			[]string{"1", "2", "2 bis", "2 ter", "2 quater", "3", "3 bis"}},
		{"added before the first paragraph hang off 0", Plain,
			[]Para{added("x"), added("y"), num("a", 1), num("b", 2)},
			[]string{"0 bis", "0 ter", "1", "2"}},
		{"headings are not numbered and do not interrupt the sequence", Plain,
			[]Para{head("h1"), num("a", 1), head("h2"), added("x"), num("b", 2)},
			[]string{"", "1", "", "1 bis", "2"}},
		{"alternatives are alt, alt 2 of their original", Plain,
			[]Para{num("a", 1), num("b", 2), alt("x", "b"), alt("y", "b"), num("c", 3)},
			[]string{"1", "2", "2 alt", "2 alt 2", "3"}},
		{"an alternative does not count as the paragraph before an added one", Plain,
			[]Para{num("a", 1), alt("x", "a"), added("y")},
			[]string{"1", "1 alt", "1 bis"}},
		{"an alternative to an added paragraph", Plain,
			[]Para{num("a", 1), added("x"), alt("y", "x")},
			[]string{"1", "1 bis", "1 bis alt"}},
		{"an alternative to an alternative is another one to the original", Plain,
			[]Para{num("a", 1), alt("x", "a"), alt("y", "x")},
			[]string{"1", "1 alt", "1 alt 2"}},
		{"an alternative standing before its original", Plain,
			[]Para{num("a", 1), alt("x", "b"), num("b", 2)},
			[]string{"1", "2 alt", "2"}},
		{"an alternative to a missing paragraph is numbered as added", Plain,
			[]Para{num("a", 1), alt("x", "gone"), num("b", 2)},
			[]string{"1", "1 bis", "2"}},
		{"alternatives that loop are numbered as added", Plain,
			[]Para{num("a", 1), alt("x", "y"), alt("y", "x"), alt("z", "z")},
			[]string{"1", "1 bis", "1 ter", "1 quater"}},
		{"an alternative to a heading is numbered as added", Plain,
			[]Para{head("h"), num("a", 1), alt("x", "h")},
			[]string{"", "1", "1 bis"}},
		{"deleted paragraphs keep their number", Plain,
			[]Para{num("a", 1), deleted(num("b", 2)), added("x"), num("c", 3)},
			[]string{"1", "2 (deleted)", "2 bis", "3"}},
		{"a deleted added paragraph keeps its suffix", Plain,
			[]Para{num("a", 1), deleted(added("x")), added("y"), deleted(alt("z", "a"))},
			[]string{"1", "1 bis (deleted)", "1 ter", "1 alt (deleted)"}},
		{"a moved paragraph keeps its number", Plain,
			[]Para{num("a", 1), num("c", 3), added("x"), num("b", 2), added("y")},
			[]string{"1", "3", "3 bis", "2", "2 bis"}},
		{"paragraphs added after the same number twice stay distinct", Plain,
			[]Para{num("a", 2), added("x"), num("b", 2), added("y")},
			[]string{"2", "2 bis", "2", "2 ter"}},
		{"PP/OP: the parts are numbered separately", PPOP,
			[]Para{pp(num("p1", 1)), pp(num("p2", 2)), pp(added("px")), num("o1", 1), added("ox"), num("o2", 2)},
			[]string{"PP1", "PP2", "PP2 bis", "OP1", "OP1 bis", "OP2"}},
		{"PP/OP: the first operative paragraph added hangs off OP0", PPOP,
			[]Para{pp(num("p1", 1)), added("ox"), num("o1", 1)},
			[]string{"PP1", "OP0 bis", "OP1"}},
		{"PP/OP: an alternative is labelled in its original's part", PPOP,
			[]Para{pp(num("p1", 1)), alt("x", "p1"), num("o1", 1)},
			[]string{"PP1", "PP1 alt", "OP1"}},
		{"PP/OP: headings in between", PPOP,
			[]Para{head("h"), pp(num("p1", 1)), head("h2"), num("o1", 1), pp(added("px"))},
			[]string{"", "PP1", "", "OP1", "PP1 bis"}},
		{"plain style ignores parts", Plain,
			[]Para{pp(num("p1", 1)), num("o1", 2), pp(added("px"))},
			[]string{"1", "2", "2 bis"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := slices.Clone(c.paras)
			got := labelsOf(Number(c.paras, c.style))
			if !slices.Equal(got, c.want) {
				t.Errorf("Number = %q, want %q", got, c.want)
			}
			if !slices.Equal(in, c.paras) {
				t.Errorf("Number changed its input")
			}
		})
	}
}

// TestNumberSeries is the whole series of suffixes and its fallback.
func TestNumberSeries(t *testing.T) {
	paras := []Para{num("a", 4)}
	for i := range 21 {
		paras = append(paras, added(fmt.Sprint("x", i)))
	}
	want := "4|4 bis|4 ter|4 quater|4 quinquies|4 sexies|4 septies|4 octies|4 novies|4 decies|" +
		"4 undecies|4 duodecies|4 terdecies|4 quaterdecies|4 quindecies|4 sexdecies|4 septdecies|" +
		"4 octodecies|4 novodecies|4 vicies|4 (21)|4 (22)"
	if got := strings.Join(labelsOf(Number(paras, Plain)), "|"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// showPara writes a paragraph of a revised draft as the tests expect it.
func showPara(p Para) string {
	s := p.ID
	switch {
	case p.Heading:
		s += " heading"
	case p.AltOf != "":
		s += " alt of " + p.AltOf
	default:
		s += fmt.Sprint("=", p.Base)
	}
	if p.Part == Preambular {
		s += " PP"
	}
	return s
}

func TestRenumber(t *testing.T) {
	cases := []struct {
		name  string
		style Style
		paras []Para
		want  []string
	}{
		{"added paragraphs take their place in the sequence", Plain,
			[]Para{num("a", 1), num("b", 2), added("x"), added("y"), num("c", 3)},
			[]string{"a=1", "b=2", "x=3", "y=4", "c=5"}},
		{"deleted paragraphs leave and close the gap", Plain,
			[]Para{num("a", 1), deleted(num("b", 2)), num("c", 3), deleted(added("x"))},
			[]string{"a=1", "c=2"}},
		{"added before the first paragraph", Plain,
			[]Para{added("x"), num("a", 1)},
			[]string{"x=1", "a=2"}},
		{"headings stay unnumbered", Plain,
			[]Para{head("h"), num("a", 1), head("h2"), added("x"), deleted(head("h3"))},
			[]string{"h heading", "a=1", "h2 heading", "x=2"}},
		{"a moved paragraph is numbered where it now stands", Plain,
			[]Para{num("a", 1), num("c", 3), num("b", 2)},
			[]string{"a=1", "c=2", "b=3"}},
		{"an alternative stays one while its original stands", Plain,
			[]Para{deleted(num("a", 1)), num("b", 2), alt("x", "b"), alt("y", "x")},
			[]string{"b=1", "x alt of b", "y alt of b"}},
		{"a deleted alternative leaves", Plain,
			[]Para{num("a", 1), deleted(alt("x", "a")), num("b", 2)},
			[]string{"a=1", "b=2"}},
		{"the first alternative takes the place of a deleted original", Plain,
			[]Para{num("a", 1), deleted(num("b", 2)), deleted(alt("w", "b")), alt("x", "b"), alt("y", "b"), num("c", 3)},
			[]string{"a=1", "x=2", "y alt of x", "c=3"}},
		{"an alternative to a missing paragraph is numbered", Plain,
			[]Para{num("a", 1), alt("x", "gone")},
			[]string{"a=1", "x=2"}},
		{"PP/OP: each part from 1", PPOP,
			[]Para{pp(num("p1", 1)), pp(added("px")), pp(num("p2", 2)), num("o1", 1), deleted(num("o2", 2)), added("ox")},
			[]string{"p1=1 PP", "px=2 PP", "p2=3 PP", "o1=1", "ox=2"}},
		{"PP/OP: alternatives take their original's part", PPOP,
			[]Para{pp(deleted(num("p1", 1))), alt("x", "p1"), pp(num("p2", 2)), alt("y", "p2"), num("o1", 1)},
			[]string{"x=1 PP", "p2=2 PP", "y alt of p2 PP", "o1=1"}},
		{"plain style: one sequence whatever the parts", Plain,
			[]Para{pp(num("p1", 1)), num("o1", 1)},
			[]string{"p1=1 PP", "o1=2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := slices.Clone(c.paras)
			rev := Renumber(c.paras, c.style)
			got := make([]string, len(rev))
			for i, p := range rev {
				got[i] = showPara(p)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Renumber = %q, want %q", got, c.want)
			}
			if !slices.Equal(in, c.paras) {
				t.Errorf("Renumber changed its input")
			}
		})
	}
}

// TestRenumberLabels is a revision as delegations see it: the labels
// before and after, and the IDs they belong to.
func TestRenumberLabels(t *testing.T) {
	draft := []Para{
		head("h"), num("a", 1), added("x"), deleted(num("b", 2)), num("c", 3), alt("y", "c"), added("z"),
	}
	before := labelsOf(Number(draft, Plain))
	wantBefore := []string{"", "1", "1 bis", "2 (deleted)", "3", "3 alt", "3 bis"}
	if !slices.Equal(before, wantBefore) {
		t.Fatalf("before the revision: %q, want %q", before, wantBefore)
	}
	rev := Renumber(draft, Plain)
	after := map[string]string{}
	for i, l := range Number(rev, Plain) {
		after[rev[i].ID] = showLabel(l)
	}
	want := map[string]string{"h": "", "a": "1", "x": "2", "c": "3", "y": "3 alt", "z": "4"}
	if fmt.Sprint(after) != fmt.Sprint(want) {
		t.Errorf("after the revision: %v, want %v", after, want)
	}
}
