package app

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTable maps the Latin-1 and Latin Extended-A letters to their lower-case
// base letter ("Á" to "a", "ç" to "c"). It is derived from Unicode's
// decompositions at start-up, so it is not a hand-typed list.
var foldTable [0x250]rune

func init() {
	for r := rune(0); r < rune(len(foldTable)); r++ {
		foldTable[r] = foldSlow(r)
	}
}

// foldSlow folds one rune: lower case, then the first rune of its canonical
// decomposition when the rest are combining marks.
func foldSlow(r rune) rune {
	r = unicode.ToLower(r)
	d := norm.NFD.String(string(r))
	base, n := utf8.DecodeRuneInString(d)
	for _, m := range d[n:] {
		if !unicode.Is(unicode.Mn, m) {
			return r
		}
	}
	return base
}

// foldRune folds r for search: case and accents are ignored.
func foldRune(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	if r < rune(len(foldTable)) {
		return foldTable[r]
	}
	return foldSlow(r)
}

// MinWordLen is the shortest word the search index keeps, in runes.
const MinWordLen = 2

// Words splits s into search words: runs of letters and digits, folded for
// case and accents, so that "Migración", "MIGRACION" and "migracion" give
// the same word. Words shorter than MinWordLen are dropped. Repeated words
// are returned once, in order of first appearance.
func Words(s string) []string {
	var out []string
	seen := map[string]struct{}{}
	var b strings.Builder
	n := 0
	flush := func() {
		if n >= MinWordLen {
			w := b.String()
			if _, ok := seen[w]; !ok {
				seen[w] = struct{}{}
				out = append(out, w)
			}
		}
		b.Reset()
		n = 0
	}
	for _, r := range s {
		if r < 0x80 {
			switch {
			case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			default:
				flush()
				continue
			}
			b.WriteByte(byte(r))
			n++
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(foldRune(r))
			n++
		} else if !unicode.Is(unicode.Mn, r) {
			flush()
		}
	}
	flush()
	return out
}
