package app

import (
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// ParagraphSep separates the paragraphs of a text: a blank line. Texts are
// merged paragraph by paragraph.
const ParagraphSep = "\n\n"

// Paragraphs splits s into paragraphs; joining them with ParagraphSep gives
// s back exactly.
func Paragraphs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ParagraphSep)
}

// Merge3 merges two edits of a text, ours and theirs, that both started from
// base and did not see each other, paragraph by paragraph:
//   - a paragraph changed, added or deleted on one side only takes that
//     side's change;
//   - paragraphs added at the same place on both sides are all kept, ours
//     first;
//   - the same change on both sides is made once;
//   - paragraphs that both sides changed differently (or that one side
//     changed and the other deleted) are a conflict.
//
// Without a conflict a == b is the merged text. With one, a is the merge
// that keeps our version of each conflicting passage and b the merge that
// keeps theirs: both hold every change that did not conflict, so that no
// paragraph anyone wrote is lost. The result depends only on the three
// texts (the diff has no time limit), so every replica computes the same.
//
// The diffing is github.com/sergi/go-diff's (Myers' algorithm) over
// paragraphs, each paragraph standing for one rune.
func Merge3(base, ours, theirs string) (a, b string, conflict bool) {
	switch {
	case ours == theirs, theirs == base:
		return ours, ours, false
	case ours == base:
		return theirs, theirs, false
	}
	bp, op, tp := Paragraphs(base), Paragraphs(ours), Paragraphs(theirs)
	runes := map[string]rune{}
	encode := func(ps []string) []rune {
		out := make([]rune, len(ps))
		for i, p := range ps {
			r, ok := runes[p]
			if !ok {
				r = rune(0xF0000 + len(runes)) // a private-use plane: one rune per distinct paragraph
				runes[p] = r
			}
			out[i] = r
		}
		return out
	}
	br, or, tr := encode(bp), encode(op), encode(tp)
	mine, yours := hunks(br, or, op), hunks(br, tr, tp)

	// Walk both lists of hunks in base order, grouping hunks whose base
	// ranges overlap into clusters; a cluster with hunks of one side only,
	// or the same hunks on both, applies cleanly.
	var outA, outB []string
	at := 0 // next base paragraph not yet copied
	i, j := 0, 0
	for i < len(mine) || j < len(yours) {
		var cl []hunk
		var side []int // 0 ours, 1 theirs
		take := func(h hunk, s int) { cl = append(cl, h); side = append(side, s) }
		// Start with the hunk that comes first; at the same place, ours.
		if j >= len(yours) || (i < len(mine) && !yours[j].before(mine[i])) {
			take(mine[i], 0)
			i++
		} else {
			take(yours[j], 1)
			j++
		}
		lo, hi := cl[0].from, cl[0].to
		for grew := true; grew; {
			grew = false
			if i < len(mine) && mine[i].overlaps(lo, hi) {
				take(mine[i], 0)
				hi = max(hi, mine[i].to)
				i++
				grew = true
			}
			if j < len(yours) && yours[j].overlaps(lo, hi) {
				take(yours[j], 1)
				hi = max(hi, yours[j].to)
				j++
				grew = true
			}
		}
		outA = append(outA, bp[at:lo]...)
		outB = append(outB, bp[at:lo]...)
		at = hi
		var hs [2][]hunk
		for k, h := range cl {
			hs[side[k]] = append(hs[side[k]], h)
		}
		switch {
		case len(hs[1]) == 0:
			outA = apply(outA, bp, lo, hi, hs[0])
			outB = apply(outB, bp, lo, hi, hs[0])
		case len(hs[0]) == 0:
			outA = apply(outA, bp, lo, hi, hs[1])
			outB = apply(outB, bp, lo, hi, hs[1])
		case slices.EqualFunc(hs[0], hs[1], hunk.equal):
			outA = apply(outA, bp, lo, hi, hs[0])
			outB = apply(outB, bp, lo, hi, hs[0])
		case lo == hi:
			// Insertions at the same place: keep them all, ours first.
			for _, h := range append(hs[0], hs[1]...) {
				outA = append(outA, h.with...)
				outB = append(outB, h.with...)
			}
		default:
			conflict = true
			outA = apply(outA, bp, lo, hi, hs[0])
			outB = apply(outB, bp, lo, hi, hs[1])
		}
	}
	outA = append(outA, bp[at:]...)
	outB = append(outB, bp[at:]...)
	a, b = strings.Join(outA, ParagraphSep), strings.Join(outB, ParagraphSep)
	if a == b {
		conflict = false
	}
	return a, b, conflict
}

// hunk replaces base paragraphs [from, to) with with; from == to is an
// insertion before paragraph from.
type hunk struct {
	from, to int
	with     []string
}

func (h hunk) equal(g hunk) bool {
	return h.from == g.from && h.to == g.to && slices.Equal(h.with, g.with)
}

// before reports whether h comes before g in base order.
func (h hunk) before(g hunk) bool {
	if h.from != g.from {
		return h.from < g.from
	}
	return h.to == h.from && g.to != g.from // an insertion before a change at the same place
}

// overlaps reports whether h touches the base range [lo, hi): two changes
// of the same paragraphs, or an insertion strictly inside a changed range,
// or two insertions at the same place.
func (h hunk) overlaps(lo, hi int) bool {
	switch {
	case lo == hi && h.from == h.to:
		return h.from == lo
	case lo == hi:
		return h.from < lo && lo < h.to
	case h.from == h.to:
		return lo < h.from && h.from < hi
	}
	return h.from < hi && lo < h.to
}

// hunks lists, in base order, the changes that turn base into other (both
// as runes, one per paragraph); paras are other's paragraphs.
func hunks(base, other []rune, paras []string) []hunk {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // no time limit: every replica must find the same diff
	var out []hunk
	bi, oi := 0, 0
	var cur *hunk
	flush := func() {
		switch {
		case cur == nil:
			return
		case cur.to-cur.from > 1 && len(cur.with) == cur.to-cur.from:
			// Paragraphs rewritten one for one: a change of each, so that
			// the other side's change of a neighbour does not conflict.
			for k := range cur.with {
				out = append(out, hunk{from: cur.from + k, to: cur.from + k + 1, with: cur.with[k : k+1]})
			}
		default:
			out = append(out, *cur)
		}
		cur = nil
	}
	for _, d := range dmp.DiffMainRunes(base, other, false) {
		n := len([]rune(d.Text))
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			flush()
			bi += n
			oi += n
		case diffmatchpatch.DiffDelete:
			if cur == nil {
				cur = &hunk{from: bi, to: bi}
			}
			bi += n
			cur.to = bi
		case diffmatchpatch.DiffInsert:
			if cur == nil {
				cur = &hunk{from: bi, to: bi}
			}
			cur.with = append(cur.with, paras[oi:oi+n]...)
			oi += n
		}
	}
	flush()
	return out
}

// apply appends base[lo:hi] with the hunks hs (sorted, not overlapping each
// other, all within [lo, hi]) applied.
func apply(out, base []string, lo, hi int, hs []hunk) []string {
	at := lo
	for _, h := range hs {
		out = append(out, base[at:h.from]...)
		out = append(out, h.with...)
		at = h.to
	}
	return append(out, base[at:hi]...)
}
