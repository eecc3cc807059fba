package app

// Position keys order a draft's paragraphs. A key is a base-36 fraction
// (0.k1k2k3… in digits 0-9a-z) written without its "0."; a paragraph put
// between two others takes a key between theirs, so an insertion never
// changes another paragraph's key, and two laptops inserting offline never
// renumber each other (fractional indexing, as collaborative editors order
// lists). Two laptops inserting at the same place compute the same key;
// the record ids break the tie (SortParagraphs).
//
// Written here rather than taken from a library: the Go ports of
// fractional indexing are not to be had from the module proxy here, and
// the midpoint of two digit strings is a few lines.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

const positionDigits = "0123456789abcdefghijklmnopqrstuvwxyz"

// Between returns a key after a and before b. An empty a means the start,
// an empty b the end. It fails when a is not before b or either is not a
// key.
func Between(a, b string) (string, error) {
	if (a != "" && !ValidPosition(a)) || (b != "" && !ValidPosition(b)) {
		return "", fmt.Errorf("position: %q or %q is not a key", a, b)
	}
	if b != "" && a >= b {
		return "", fmt.Errorf("position: %q is not before %q", a, b)
	}
	k := midpoint(a, b)
	if len(k) > maxPosition {
		return "", fmt.Errorf("position: too many paragraphs inserted at one place")
	}
	return k, nil
}

// midpoint is a key strictly between a and b (b empty: 1), a < b, neither
// ending in 0.
func midpoint(a, b string) string {
	if b != "" { // skip the digits they share
		n := 0
		for n < len(b) && digitAt(a, n) == digitOf(b[n]) {
			n++
		}
		if n > 0 {
			rest := ""
			if n < len(a) {
				rest = a[n:]
			}
			return b[:n] + midpoint(rest, b[n:])
		}
	}
	da, db := digitAt(a, 0), len(positionDigits)
	if b != "" {
		db = digitOf(b[0])
	}
	if db-da > 1 { // room for a digit between
		return string(positionDigits[(da+db)/2])
	}
	if len(b) > 1 { // b's first digit alone is before b and after a
		return b[:1]
	}
	rest := ""
	if len(a) > 1 {
		rest = a[1:]
	}
	return string(positionDigits[da]) + midpoint(rest, "")
}

// digitAt is the value of s's n-th digit, 0 past its end.
func digitAt(s string, n int) int {
	if n >= len(s) {
		return 0
	}
	return digitOf(s[n])
}

func digitOf(c byte) int { return strings.IndexByte(positionDigits, c) }

// Spread returns n keys in order, spaced evenly between the start and the
// end: the positions of an imported draft's paragraphs, with room around
// each for what is inserted later.
func Spread(n int) []string {
	keys := make([]string, 0, n)
	width := 1
	for pow := len(positionDigits); pow < n+1; pow *= len(positionDigits) {
		width++
	}
	total := 1
	for range width {
		total *= len(positionDigits)
	}
	for i := 1; i <= n; i++ {
		v := i * total / (n + 1)
		b := make([]byte, width)
		for j := width - 1; j >= 0; j-- {
			b[j] = positionDigits[v%len(positionDigits)]
			v /= len(positionDigits)
		}
		keys = append(keys, strings.TrimRight(string(b), "0"))
	}
	return keys
}

// SortParagraphs orders paragraphs by position, then by id: two laptops
// that inserted at the same place both see the older insertion first.
func SortParagraphs(ps []*Record) {
	slices.SortFunc(ps, func(a, b *Record) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
}
