package draft

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Label is a paragraph's display number, as delegations cite it: "3",
// "3 bis", "OP3 alt 2". The zero Label is a heading's: not numbered.
type Label struct {
	// Prefix is "PP" or "OP" in the PPOP style, empty in the plain one.
	Prefix string
	// Number is the paragraph's number or, for a paragraph added since the
	// last revision, that of the paragraph it follows (0 before the first).
	Number int
	// Added is 0 for a paragraph numbered at the last revision, and 1
	// (bis), 2 (ter)… for the paragraphs added after Number since.
	Added int
	// Alt is 0, or 1 ("alt"), 2 ("alt 2")… for an alternative to the
	// paragraph the rest of the label names.
	Alt int
	// Deleted reports a paragraph deleted since the last revision. It is
	// not part of the text of the label.
	Deleted bool
}

// addedNames are the suffixes of added paragraphs, from the second
// paragraph of a number (bis, "twice") to the twentieth (vicies): the
// series of legislative drafting in French, Spanish, Italian and
// Portuguese, where drafters meet it. Past it a label falls back to the
// ordinal in parentheses, "3 (21)", which reads without Latin and cannot
// be taken for another paragraph's number.
var addedNames = []string{
	"bis", "ter", "quater", "quinquies", "sexies", "septies", "octies",
	"novies", "decies", "undecies", "duodecies", "terdecies",
	"quaterdecies", "quindecies", "sexdecies", "septdecies", "octodecies",
	"novodecies", "vicies",
}

// Numbered reports whether the label has a number, which a heading's has
// not.
func (l Label) Numbered() bool { return l.Number > 0 || l.Added > 0 }

// String returns the label as it is printed: "3", "3 bis", "3 (21)",
// "3 alt", "3 alt 2", "PP2 ter alt"; empty for a heading. The suffixes of
// added paragraphs run bis, ter, quater, quinquies, sexies, septies,
// octies, novies, decies, undecies, duodecies, terdecies, quaterdecies,
// quindecies, sexdecies, septdecies, octodecies, novodecies, vicies.
func (l Label) String() string {
	if !l.Numbered() {
		return ""
	}
	var b strings.Builder
	b.WriteString(l.Prefix)
	b.WriteString(strconv.Itoa(l.Number))
	switch {
	case l.Added > len(addedNames):
		fmt.Fprintf(&b, " (%d)", l.Added+1)
	case l.Added > 0:
		b.WriteString(" " + addedNames[l.Added-1])
	}
	if l.Alt > 0 {
		b.WriteString(" alt")
		if l.Alt > 1 {
			b.WriteString(" " + strconv.Itoa(l.Alt))
		}
	}
	return b.String()
}

// ParseLabel reads a label as a delegate would type it: "3", "3 bis",
// "3bis", "op3 Ter", "PP2 alt 2", "3 quáter", "3 (21)". Letters may be in
// any case and spaces are optional. It is the inverse of Label.String, so
// a paragraph is found by comparing the String of its label with that of
// the parsed one.
func ParseLabel(s string) (Label, error) {
	bad := fmt.Errorf("%q is not a paragraph number (such as 3, 3 bis, 3 alt or OP3 ter)", s)
	words := labelWords(strings.ReplaceAll(strings.ToLower(s), "á", "a"))
	var l Label
	if len(words) > 0 && (words[0] == "pp" || words[0] == "op") {
		l.Prefix, words = strings.ToUpper(words[0]), words[1:]
	}
	n, err := strconv.Atoi(first(words))
	if err != nil || n < 0 {
		return Label{}, bad
	}
	l.Number, words = n, words[1:]
	if l.Added = addedOf(first(words)); l.Added > 0 {
		words = words[1:]
	}
	if first(words) == "alt" {
		l.Alt, words = 1, words[1:]
		if k, err := strconv.Atoi(first(words)); err == nil && k >= 1 {
			l.Alt, words = k, words[1:]
		}
	}
	if len(words) > 0 || !l.Numbered() {
		return Label{}, bad
	}
	return l, nil
}

// labelWords splits a label into runs of letters, runs of digits and
// parenthesised numbers, dropping spaces: "op3bis" is op, 3, bis.
func labelWords(s string) []string {
	var words []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		n := 1
		switch r, _ := utf8.DecodeRuneInString(s); {
		case r == '(':
			n = strings.IndexByte(s, ')') + 1
			if n == 0 {
				n = len(s)
			}
		case unicode.IsDigit(r):
			n = runLen(s, unicode.IsDigit)
		case unicode.IsLetter(r):
			n = runLen(s, unicode.IsLetter)
		}
		words, s = append(words, s[:n]), s[n:]
	}
	return words
}

// runLen returns the length in bytes of the prefix of s whose runes are in.
func runLen(s string, in func(rune) bool) int {
	for i, r := range s {
		if !in(r) {
			return i
		}
	}
	return len(s)
}

// addedOf returns the Added of a suffix word, or 0 if it is none.
func addedOf(w string) int {
	for i, name := range addedNames {
		if w == name {
			return i + 1
		}
	}
	if strings.HasPrefix(w, "(") && strings.HasSuffix(w, ")") {
		if k, err := strconv.Atoi(w[1 : len(w)-1]); err == nil && k-1 > len(addedNames) {
			return k - 1
		}
	}
	return 0
}

func first(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return words[0]
}
