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
	br, or, tr := paragraphRunes(runes, bp), paragraphRunes(runes, op), paragraphRunes(runes, tp)
	walk := hunkWalk{mine: hunks(br, or, op), yours: hunks(br, tr, tp)}
	m := merging{base: bp}
	for !walk.done() {
		lo, hi, hs := walk.next()
		m.cluster(lo, hi, hs)
	}
	m.copyBase(len(bp))
	a, b = strings.Join(m.outA, ParagraphSep), strings.Join(m.outB, ParagraphSep)
	if a == b {
		m.conflict = false
	}
	return a, b, m.conflict
}

// paragraphRunes stands each paragraph of ps for one rune, the same for
// the same paragraph (runes holds those given so far), so that the diff
// compares paragraphs.
func paragraphRunes(runes map[string]rune, ps []string) []rune {
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

// hunkWalk walks both sides' lists of hunks in base order, grouping hunks
// whose base ranges overlap into clusters.
type hunkWalk struct {
	mine, yours []hunk
	i, j        int // the next hunk of each
}

func (w *hunkWalk) done() bool { return w.i >= len(w.mine) && w.j >= len(w.yours) }

// next returns the next cluster: the base range [lo, hi) it covers, and
// its hunks of each side (0 ours, 1 theirs), in base order. It starts
// with the hunk that comes first (at the same place, ours) and takes
// every hunk that overlaps the range as it grows.
func (w *hunkWalk) next() (lo, hi int, hs [2][]hunk) {
	var first hunk
	if w.j >= len(w.yours) || (w.i < len(w.mine) && !w.yours[w.j].before(w.mine[w.i])) {
		first = w.mine[w.i]
		hs[0] = append(hs[0], first)
		w.i++
	} else {
		first = w.yours[w.j]
		hs[1] = append(hs[1], first)
		w.j++
	}
	lo, hi = first.from, first.to
	for grew := true; grew; {
		grew = false
		if w.i < len(w.mine) && w.mine[w.i].overlaps(lo, hi) {
			hs[0] = append(hs[0], w.mine[w.i])
			hi = max(hi, w.mine[w.i].to)
			w.i++
			grew = true
		}
		if w.j < len(w.yours) && w.yours[w.j].overlaps(lo, hi) {
			hs[1] = append(hs[1], w.yours[w.j])
			hi = max(hi, w.yours[w.j].to)
			w.j++
			grew = true
		}
	}
	return lo, hi, hs
}

// merging is a three-way merge under way: the merge keeping our side of
// each conflict (outA), the one keeping theirs (outB), and the base
// paragraphs copied so far.
type merging struct {
	base       []string
	outA, outB []string
	at         int // the next base paragraph not yet copied
	conflict   bool
}

// copyBase copies the base paragraphs up to to into both merges.
func (m *merging) copyBase(to int) {
	m.outA = append(m.outA, m.base[m.at:to]...)
	m.outB = append(m.outB, m.base[m.at:to]...)
	m.at = to
}

// cluster merges a cluster of hunks over base [lo, hi). One with hunks of
// one side only, or the same hunks on both, applies cleanly; insertions at
// the same place on both sides are all kept, ours first; anything else is
// a conflict.
func (m *merging) cluster(lo, hi int, hs [2][]hunk) {
	m.copyBase(lo)
	m.at = hi
	both := func(hs []hunk) {
		m.outA = apply(m.outA, m.base, lo, hi, hs)
		m.outB = apply(m.outB, m.base, lo, hi, hs)
	}
	switch {
	case len(hs[1]) == 0:
		both(hs[0])
	case len(hs[0]) == 0:
		both(hs[1])
	case slices.EqualFunc(hs[0], hs[1], hunk.equal):
		both(hs[0])
	case lo == hi:
		for _, h := range append(hs[0], hs[1]...) {
			m.outA = append(m.outA, h.with...)
			m.outB = append(m.outB, h.with...)
		}
	default:
		m.conflict = true
		m.outA = apply(m.outA, m.base, lo, hi, hs[0])
		m.outB = apply(m.outB, m.base, lo, hi, hs[1])
	}
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
