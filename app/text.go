package app

import (
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

// asciiFold maps an ASCII letter or digit to its lower case, anything else
// to 0 (a word break): one load instead of three comparisons per byte.
var asciiFold = func() (t [0x80]byte) {
	for c := range byte(0x80) {
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			t[c] = c
		case 'A' <= c && c <= 'Z':
			t[c] = c + ('a' - 'A')
		}
	}
	return t
}()

// MinWordLen is the shortest word the search index keeps, in runes.
const MinWordLen = 2

// Words splits s into search words: runs of letters and digits, folded for
// case and accents, so that "Migración", "MIGRACION" and "migracion" give
// the same word. Words shorter than MinWordLen are dropped. Repeated words
// are returned once, in order of first appearance.
func Words(s string) []string {
	var out []string
	EachWord(s, nil, func(w []byte) {
		for _, o := range out {
			if o == string(w) {
				return
			}
		}
		out = append(out, string(w))
	})
	return out
}

// EachWord calls fn with each search word of s, repeats included, folded as
// Words folds them. The slice passed to fn is only valid during the call.
// buf is scratch space, returned for reuse; it may be nil.
func EachWord(s string, buf []byte, fn func([]byte)) []byte {
	return EachWordHash(s, buf, func(w []byte, _ uint64) { fn(w) })
}

// EachWordHash is EachWord that also passes each word's 64-bit FNV-1a hash,
// computed on the way, for indexes that look words up by hash.
func EachWordHash(s string, buf []byte, fn func(w []byte, hash uint64)) []byte {
	const offset, prime = 14695981039346656037, 1099511628211
	w := buf[:0]
	n := 0 // runes in w
	h := uint64(offset)
	flush := func() {
		if n >= MinWordLen {
			fn(w, h)
		}
		w = w[:0]
		n = 0
		h = offset
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			if c = asciiFold[c]; c == 0 {
				flush()
				continue
			}
			w = append(w, c)
			h = (h ^ uint64(c)) * prime
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			start := len(w)
			w = utf8.AppendRune(w, foldRune(r))
			for _, c := range w[start:] {
				h = (h ^ uint64(c)) * prime
			}
			n++
		case unicode.Is(unicode.Mn, r):
			// a combining accent: dropped, the word goes on
		default:
			flush()
		}
	}
	flush()
	return w
}
