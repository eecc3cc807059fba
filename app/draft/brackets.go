package draft

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Square brackets in a paragraph mark language not yet agreed, the way
// every negotiated text marks it: "[shall/should] ensure", "[[a] b]".
// They are reserved for that; a draft has no other use for them.

// Span is one bracketed passage of a paragraph, from its opening bracket
// to its closing one, both included. Offsets are given in bytes, for
// slicing the text in Go, and in runes, which is what the UI highlights
// by; they differ as soon as the text has an accent before the span.
type Span struct {
	Start, End         int // text[Start:End] is the passage with its brackets
	RuneStart, RuneEnd int // the same, counted in runes
	Depth              int // 1 for a passage in no other, 2 for one inside it…
}

// Inner returns the passage inside the span's brackets.
func (s Span) Inner(text string) string { return text[s.Start+1 : s.End-1] }

// BracketError says where a paragraph's brackets do not pair up.
type BracketError struct {
	Offset   int    // the bracket's byte offset
	Rune     int    // its rune offset; people are told Rune+1, counting from 1
	Unclosed bool   // an opening bracket never closed, rather than a closing bracket never opened
	Excerpt  string // the text around the bracket, to find it by
}

func (e *BracketError) Error() string {
	if e.Unclosed {
		return fmt.Sprintf("the square bracket opened at character %d is never closed: “%s”", e.Rune+1, e.Excerpt)
	}
	return fmt.Sprintf("the square bracket closed at character %d was never opened: “%s”", e.Rune+1, e.Excerpt)
}

// ErrStaleSpan is returned when a span given to Agree, Drop or Choose is
// not a bracketed passage of the text, typically because the text changed
// since its spans were read.
var ErrStaleSpan = errors.New("that bracketed passage is no longer in the text; it may have been changed meanwhile")

// HasBrackets reports whether text has any square bracket, paired or not:
// whether the paragraph still holds language not agreed.
func HasBrackets(text string) bool { return strings.ContainsAny(text, "[]") }

// Spans returns the bracketed passages of text in the order they open, an
// enclosing passage before those inside it. A bracket that does not pair
// up is a *BracketError: the first closing bracket with no opening one,
// or else the first opening bracket left unclosed.
func Spans(text string) ([]Span, error) {
	var spans []Span
	var open []int // indexes in spans of the passages still open
	for i, r := 0, 0; i < len(text); r++ {
		c, size := utf8.DecodeRuneInString(text[i:])
		switch c {
		case '[':
			open = append(open, len(spans))
			spans = append(spans, Span{Start: i, RuneStart: r, Depth: len(open)})
		case ']':
			if len(open) == 0 {
				return nil, bracketError(text, i, r, false)
			}
			s := &spans[open[len(open)-1]]
			s.End, s.RuneEnd = i+1, r+1
			open = open[:len(open)-1]
		}
		i += size
	}
	if len(open) > 0 {
		s := spans[open[0]]
		return nil, bracketError(text, s.Start, s.RuneStart, true)
	}
	return spans, nil
}

// excerptRunes is how much text on each side of a bad bracket its error
// quotes: enough to find the place in a paragraph.
const excerptRunes = 20

func bracketError(text string, offset, r int, unclosed bool) *BracketError {
	from, to := offset, offset+1 // the bracket itself is one byte
	for n := 0; n < excerptRunes && from > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:from])
		from -= size
	}
	for n := 0; n < excerptRunes && to < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[to:])
		to += size
	}
	excerpt := strings.Map(func(c rune) rune {
		if unicode.IsSpace(c) { // a line break would split the message
			return ' '
		}
		return c
	}, text[from:to])
	if from > 0 {
		excerpt = "…" + excerpt
	}
	if to < len(text) {
		excerpt += "…"
	}
	return &BracketError{Offset: offset, Rune: r, Unclosed: unclosed, Excerpt: excerpt}
}

// Agree removes the brackets of span s of text and keeps the passage: the
// secretariat agrees the language. Brackets inside it stay.
func Agree(text string, s Span) (string, error) {
	s, err := find(text, s)
	if err != nil {
		return "", err
	}
	return text[:s.Start] + s.Inner(text) + text[s.End:], nil
}

// Drop removes span s of text whole, brackets and passage: the language is
// dropped. A space left doubled, or before punctuation, goes with it.
func Drop(text string, s Span) (string, error) {
	s, err := find(text, s)
	if err != nil {
		return "", err
	}
	return joinDropped(text[:s.Start], text[s.End:]), nil
}

// Options returns the alternatives a bracketed passage offers, separated
// by slashes outside any bracket nested in it: "[shall/should]" offers
// "shall" and "should". A passage with no slash offers itself. A slash is
// also the way to write "and/or"; the options are what the UI offers to
// choose from, and Agree keeps the passage as written.
func Options(text string, s Span) []string {
	inner := s.Inner(text)
	var opts []string
	depth, from := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '/':
			if depth == 0 {
				opts, from = append(opts, inner[from:i]), i+1
			}
		}
	}
	return append(opts, inner[from:])
}

// Choose keeps option i of span s (as Options numbers them) in place of
// the whole bracketed passage: "[shall/should]" agreed as "shall".
func Choose(text string, s Span, i int) (string, error) {
	s, err := find(text, s)
	if err != nil {
		return "", err
	}
	opts := Options(text, s)
	if i < 0 || i >= len(opts) {
		return "", fmt.Errorf("the bracketed passage offers %d options; there is no option %d", len(opts), i+1)
	}
	if opts[i] == "" {
		return joinDropped(text[:s.Start], text[s.End:]), nil
	}
	return text[:s.Start] + opts[i] + text[s.End:], nil
}

// AgreeAll removes every square bracket of text and keeps all the
// language: the whole paragraph is agreed as it reads. Brackets that do
// not pair up are a *BracketError and change nothing.
func AgreeAll(text string) (string, error) {
	if _, err := Spans(text); err != nil {
		return "", err
	}
	return strings.NewReplacer("[", "", "]", "").Replace(text), nil
}

// find returns the span of text that starts and ends where s does, so
// that a span read before the text changed cannot cut it in the wrong
// place.
func find(text string, s Span) (Span, error) {
	spans, err := Spans(text)
	if err != nil {
		return Span{}, err
	}
	for _, t := range spans {
		if t.Start == s.Start && t.End == s.End {
			return t, nil
		}
	}
	return Span{}, ErrStaleSpan
}

// joinDropped joins the text on either side of a dropped passage, so that
// "a [b] c" becomes "a c", "a [b]." becomes "a.", "[a] b" becomes "b" and
// "[a [b]]" becomes "[a]".
func joinDropped(left, right string) string {
	switch {
	case strings.HasSuffix(left, " ") && (right == "" || strings.ContainsAny(right[:1], " .,;:!?)]")):
		left = left[:len(left)-1]
	case (left == "" || strings.ContainsAny(left[len(left)-1:], "([")) && strings.HasPrefix(right, " "):
		right = right[1:]
	}
	return left + right
}
