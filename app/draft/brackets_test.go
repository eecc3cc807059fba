package draft

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSpans(t *testing.T) {
	cases := []struct {
		name string
		text string
		want []string // each span's passage and depth, in order
	}{
		{"empty", "", nil},
		{"agreed text", "Los Estados garantizarán el acceso al asilo.", nil},
		{"es: alternatives", "Los Estados [deberán/podrán] garantizar el acceso.", []string{"1 [deberán/podrán]"}},
		{"two", "[Reafirmando] la Declaración de Cartagena [de 1984].", []string{"1 [Reafirmando]", "1 [de 1984]"}},
		{"adjacent", "[a][b]", []string{"1 [a]", "1 [b]"}},
		{"empty brackets", "a [] b", []string{"1 []"}},
		{"nested", "[[a] b]", []string{"1 [[a] b]", "2 [a]"}},
		{"deeply nested", "[x [y [z]] w]", []string{"1 [x [y [z]] w]", "2 [y [z]]", "3 [z]"}},
		{"pt: nested with accents", "Os Estados [deverão] garantir a [proteção [integral]] das pessoas refugiadas.",
			[]string{"1 [deverão]", "1 [proteção [integral]]", "2 [integral]"}},
		{"fr: apostrophes and accents", "[L'accès à la protection] des réfugiés [et apatrides] ; [[Haïti]]",
			[]string{"1 [L'accès à la protection]", "1 [et apatrides]", "1 [[Haïti]]", "2 [Haïti]"}},
		{"decomposed accents", "la prote\u0301ccio\u0301n [efectiva]", []string{"1 [efectiva]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spans, err := Spans(c.text)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			runes := []rune(c.text)
			for _, s := range spans {
				got = append(got, fmt.Sprint(s.Depth, " ", c.text[s.Start:s.End]))
				if r := string(runes[s.RuneStart:s.RuneEnd]); r != c.text[s.Start:s.End] {
					t.Errorf("rune offsets give %q, byte offsets %q", r, c.text[s.Start:s.End])
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Spans = %q, want %q", got, c.want)
			}
			if HasBrackets(c.text) != (len(c.want) > 0) {
				t.Errorf("HasBrackets = %v", !(len(c.want) > 0))
			}
		})
	}
}

// TestSpansRuneOffsets is what the UI highlights: rune offsets after
// accented letters, which the byte offsets overshoot.
func TestSpansRuneOffsets(t *testing.T) {
	spans, err := Spans("Protección [efectiva]")
	if err != nil {
		t.Fatal(err)
	}
	if s := spans[0]; s.Start != 12 || s.End != 22 || s.RuneStart != 11 || s.RuneEnd != 21 {
		t.Errorf("span = %+v, want bytes 12–22 and runes 11–21", s)
	}
}

func TestSpansUnbalanced(t *testing.T) {
	long := "Los Estados garantizarán el acceso efectivo al territorio y a los procedimientos\nde asilo"
	cases := []struct {
		name     string
		text     string
		unclosed bool
		rune     int
		offset   int
		excerpt  string
	}{
		{"never closed", "Los Estados [deberán garantizar", true, 12, 12, "Los Estados [deberán garantizar"},
		{"never opened", "garantizar] el acceso", false, 10, 10, "garantizar] el acceso"},
		{"nested, outer never closed", "[[a] b", true, 0, 0, "[[a] b"},
		{"one closed too many", "[a]] b", false, 3, 3, "[a]] b"},
		{"a stray closing bracket comes first", "a] [b", false, 1, 1, "a] [b"},
		{"es: byte and rune offsets differ", "Protección] a", false, 10, 11, "Protección] a"},
		{"pt", "a proteção [das pessoas", true, 11, 13, "a proteção [das pessoas"},
		{"fr", "l'accès] à la protection", false, 7, 8, "l'accès] à la protection"},
		{"excerpt of a long paragraph", long[:45] + "[" + long[45:], true, 44, 45,
			"… el acceso efectivo [al territorio y a lo…"},
		{"line breaks in the excerpt", "de asilo\n[y refugio", true, 9, 9, "de asilo [y refugio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spans, err := Spans(c.text)
			var be *BracketError
			if !errors.As(err, &be) {
				t.Fatalf("Spans = %v, %v; want a *BracketError", spans, err)
			}
			want := BracketError{Offset: c.offset, Rune: c.rune, Unclosed: c.unclosed, Excerpt: c.excerpt}
			if *be != want {
				t.Errorf("error = %+v\nwant    %+v", *be, want)
			}
			if !strings.Contains(be.Error(), fmt.Sprintf("character %d", c.rune+1)) {
				t.Errorf("message %q does not give the character", be.Error())
			}
			if !HasBrackets(c.text) {
				t.Errorf("HasBrackets = false")
			}
		})
	}
}

func TestSettle(t *testing.T) {
	agree := func(text string, s Span) (string, error) { return Agree(text, s) }
	drop := func(text string, s Span) (string, error) { return Drop(text, s) }
	choose := func(i int) func(string, Span) (string, error) {
		return func(text string, s Span) (string, error) { return Choose(text, s, i) }
	}
	cases := []struct {
		name   string
		settle func(string, Span) (string, error)
		text   string
		span   int // index in Spans(text)
		want   string
	}{
		{"agree", agree, "Los Estados [deberán] garantizar", 0, "Los Estados deberán garantizar"},
		{"agree the outer of nested", agree, "[[a] b] c", 0, "[a] b c"},
		{"agree the inner of nested", agree, "[[a] b] c", 1, "[a b] c"},
		{"agree keeps slashes", agree, "[y/o]", 0, "y/o"},
		{"drop between words", drop, "garantizar [plenamente] el acceso", 0, "garantizar el acceso"},
		{"drop before a full stop", drop, "el acceso [efectivo].", 0, "el acceso."},
		{"drop at the end", drop, "el acceso [efectivo]", 0, "el acceso"},
		{"drop at the start", drop, "[Además,] los Estados", 0, "los Estados"},
		{"drop in parentheses", drop, "las personas ([en particular] niñas)", 0, "las personas (niñas)"},
		{"drop inside a word", drop, "refugiado[s] y", 0, "refugiado y"},
		{"drop nested", drop, "a [b [c]] d", 1, "a [b] d"},
		{"drop nested first", drop, "[[c] d]", 1, "[d]"},
		{"fr: drop before a spaced semicolon", drop, "la protection des réfugiés [et apatrides] ;", 0, "la protection des réfugiés ;"},
		{"pt: drop", drop, "a [proteção] integral", 0, "a integral"},
		{"choose the first", choose(0), "Los Estados [deberán/podrán] garantizar", 0, "Los Estados deberán garantizar"},
		{"choose the second", choose(1), "Los Estados [deberán/podrán] garantizar", 0, "Los Estados podrán garantizar"},
		{"choose among three", choose(2), "They [shall/should/may] ensure", 0, "They may ensure"},
		{"choose an empty option", choose(0), "los Estados [/deberán] garantizar", 0, "los Estados garantizar"},
		{"choose keeps nested brackets", choose(0), "[[a/b]/c] d", 0, "[a/b] d"},
		{"choose in a nested passage", choose(1), "[x [a/b]] d", 1, "[x b] d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spans, err := Spans(c.text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.settle(c.text, spans[c.span])
			if err != nil || got != c.want {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestSettleErrors(t *testing.T) {
	text := "Los Estados [deberán/podrán] garantizar"
	spans, _ := Spans(text)
	s := spans[0]
	if _, err := Choose(text, s, 2); err == nil || !strings.Contains(err.Error(), "offers 2 options") {
		t.Errorf("Choose(option 3 of 2) = %v", err)
	}
	if _, err := Choose(text, s, -1); err == nil {
		t.Errorf("Choose(option -1) = nil error")
	}
	changed := "Los Estados deberán [garantizar]"
	if _, err := Agree(changed, s); !errors.Is(err, ErrStaleSpan) {
		t.Errorf("Agree on a changed text = %v, want ErrStaleSpan", err)
	}
	if _, err := Drop(text, Span{Start: 0, End: len(text)}); !errors.Is(err, ErrStaleSpan) {
		t.Errorf("Drop of no passage = %v, want ErrStaleSpan", err)
	}
	var be *BracketError
	if _, err := Agree(text+"]", s); !errors.As(err, &be) {
		t.Errorf("Agree on unbalanced text = %v, want a *BracketError", err)
	}
}

func TestOptions(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"[shall/should]", []string{"shall", "should"}},
		{"[deberán]", []string{"deberán"}},
		{"[]", []string{""}},
		{"[a/]", []string{"a", ""}},
		{"[[a/b]/c]", []string{"[a/b]", "c"}},
		{"[proteção/assistência/soluções duradouras]", []string{"proteção", "assistência", "soluções duradouras"}},
	}
	for _, c := range cases {
		spans, err := Spans(c.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := Options(c.text, spans[0]); !slices.Equal(got, c.want) {
			t.Errorf("Options(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestAgreeAll(t *testing.T) {
	cases := []struct{ text, want string }{
		{"", ""},
		{"sin corchetes", "sin corchetes"},
		{"[[a] b] [c/d] é", "a b c/d é"},
		{"[L'accès] à la [protection]", "L'accès à la protection"},
	}
	for _, c := range cases {
		if got, err := AgreeAll(c.text); err != nil || got != c.want {
			t.Errorf("AgreeAll(%q) = %q, %v; want %q", c.text, got, err, c.want)
		}
	}
	if got, err := AgreeAll("[a] b]"); err == nil {
		t.Errorf("AgreeAll(unbalanced) = %q, nil error", got)
	}
}
