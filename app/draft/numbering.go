package draft

// Style is how a draft numbers its paragraphs, chosen per draft.
type Style int

// The numbering styles.
const (
	// Plain numbers every paragraph in one sequence: 1, 2, 2 bis, 3.
	Plain Style = iota
	// PPOP numbers preambular and operative paragraphs in two sequences,
	// as resolutions are numbered: PP1, PP2, OP1, OP1 bis.
	PPOP
)

func (s Style) String() string {
	if s == PPOP {
		return "pp-op"
	}
	return "plain"
}

// Part says whether a paragraph belongs to the preamble or to the operative
// part. Only the PPOP style reads it. The zero value is Operative because
// most paragraphs of a plan of action are operative, so a draft switched to
// PPOP without marking its parts numbers them all OP.
type Part int

// The parts of a draft.
const (
	Operative Part = iota
	Preambular
)

func (p Part) String() string {
	if p == Preambular {
		return "preambular"
	}
	return "operative"
}

// Para is what numbering needs to know of one paragraph of a draft.
type Para struct {
	// ID is the paragraph's stable identity. Numbering never changes it:
	// amendments, links and history refer to paragraphs by ID, never by
	// their display number.
	ID string
	// Base is the number the paragraph got at the last revision (or at
	// import, which is revision 0), or 0 for a paragraph added since.
	Base int
	// Part is the paragraph's part, for the PPOP style.
	Part Part
	// AltOf is the ID of the paragraph this one is an alternative to, or
	// empty. An alternative is labelled after its original, whatever its
	// Base and Part.
	AltOf string
	// Heading marks a section heading, which is never numbered.
	Heading bool
	// Deleted marks a paragraph deleted since the last revision. It keeps
	// its number until the next revision, so that what delegations cite
	// stays put.
	Deleted bool
}

// Number returns the display number of each paragraph of a draft, given
// in document order; labels[i] is that of paras[i]. The rules follow UN
// drafting practice:
//
//   - a paragraph with a Base keeps it: "3";
//   - paragraphs added since the last revision take the number of the
//     numbered paragraph before them and a Latin suffix in order: "3 bis",
//     "3 ter", "3 quater" (see Label.String for the whole series);
//   - paragraphs added before the first numbered one hang off 0: "0 bis",
//     "0 ter". Every added paragraph is then named the same way, after what
//     precedes it, and 0 cannot be mistaken for a paragraph of the text;
//   - an alternative to a paragraph is "3 alt", the next one "3 alt 2";
//     an alternative to an alternative is another alternative to the same
//     original, and one whose original is not in the draft (or is a
//     heading) is numbered as an added paragraph where it stands;
//   - headings are not numbered and do not interrupt the sequence, which
//     runs through the whole draft as in UN outcome documents;
//   - deleted paragraphs keep their label, marked Deleted, and still count
//     for the added paragraphs after them, so deleting a paragraph changes
//     no other label.
//
// In the PPOP style preambular and operative paragraphs are numbered
// separately, each after the last paragraph of its own part.
//
// Added paragraphs are named by their order after their number, not by
// when they were added: adding one between "3" and "3 bis" makes it
// "3 bis" and the former "3 bis" becomes "3 ter". Numbers given at a
// revision never move.
func Number(paras []Para, style Style) []Label {
	labels := make([]Label, len(paras))
	roots := altRoots(paras)
	var seqs [2]sequence
	for i, p := range paras {
		if p.Heading || roots[i] >= 0 {
			continue
		}
		labels[i] = seqs[seqOf(p.Part, style)].next(p.Base)
		labels[i].Prefix = prefixOf(p.Part, style)
	}
	alts := map[int]int{} // alternatives labelled so far, by original
	for i, p := range paras {
		if r := roots[i]; r >= 0 {
			alts[r]++
			labels[i] = labels[r]
			labels[i].Alt = alts[r]
		}
		labels[i].Deleted = p.Deleted
	}
	return labels
}

// Renumber is what issuing a revision does to the numbering: it returns
// the paragraphs of the revised draft, in the same order and with the
// same IDs, numbered afresh. Deleted paragraphs are left out; the others
// get consecutive Base numbers from 1 (per part in the PPOP style), and
// headings and alternatives get none. Numbering the result gives plain
// numbers with no bis, ter or deleted paragraph.
//
// Alternatives are not decided by renumbering, so one whose original is
// still in the draft stays an alternative to it: "5 alt" may become "4 alt".
// Promoting it to a paragraph of its own would put two competing versions
// of one paragraph in the revised text as if both stood; the secretariat
// settles an alternative by deleting it or its original, or by clearing
// AltOf to keep both. When the original is deleted, its first remaining
// alternative takes its place: it is numbered where it stands, and any
// further alternatives become alternatives to it. An alternative whose
// original cannot be found is numbered where it stands, as Number shows
// it. Alternatives take the part of their original.
//
// The result is new; paras is not changed.
func Renumber(paras []Para, style Style) []Para {
	roots := altRoots(paras)
	stays := make([]int, len(paras)) // the original each remaining alternative stays an alternative to, or -1
	standIn := map[int]int{}         // a deleted original → the alternative taking its place
	for i, p := range paras {
		stays[i] = -1
		r := roots[i]
		switch {
		case r < 0 || p.Deleted:
		case !paras[r].Deleted:
			stays[i] = r
		default:
			if k, ok := standIn[r]; ok {
				stays[i] = k
			} else {
				standIn[r] = i
			}
		}
	}
	out := make([]Para, 0, len(paras))
	var next [2]int
	for i, p := range paras {
		if p.Deleted {
			continue
		}
		q := Para{ID: p.ID, Part: p.Part, Heading: p.Heading}
		if r := roots[i]; r >= 0 {
			q.Part = paras[r].Part
		}
		switch {
		case p.Heading:
		case stays[i] >= 0:
			q.AltOf = paras[stays[i]].ID
		default:
			s := seqOf(q.Part, style)
			next[s]++
			q.Base = next[s]
		}
		out = append(out, q)
	}
	return out
}

// sequence numbers the paragraphs of one part in document order.
type sequence struct {
	last  int         // the number added paragraphs now hang off
	added map[int]int // paragraphs added after each number so far
}

func (s *sequence) next(base int) Label {
	if base > 0 {
		s.last = base
		return Label{Number: base}
	}
	// Counted per number rather than since the last numbered paragraph,
	// so that a moved paragraph (which keeps its number) cannot give two
	// added paragraphs the same label.
	if s.added == nil {
		s.added = map[int]int{}
	}
	s.added[s.last]++
	return Label{Number: s.last, Added: s.added[s.last]}
}

// seqOf returns the sequence a paragraph of part p is numbered in.
func seqOf(p Part, style Style) int {
	if style == PPOP && p == Preambular {
		return 1
	}
	return 0
}

func prefixOf(p Part, style Style) string {
	switch {
	case style != PPOP:
		return ""
	case p == Preambular:
		return "PP"
	}
	return "OP"
}

// altRoots returns, for each paragraph that is an alternative, the index
// of the original it is an alternative to, following alternatives to
// alternatives back to it; and -1 for every other paragraph, including an
// alternative whose original is missing, is a heading or loops back.
func altRoots(paras []Para) []int {
	index := make(map[string]int, len(paras))
	for i, p := range paras {
		if _, seen := index[p.ID]; !seen {
			index[p.ID] = i
		}
	}
	roots := make([]int, len(paras))
	for i, p := range paras {
		roots[i] = -1
		if p.AltOf == "" || p.Heading {
			continue
		}
		j, ok := index[p.AltOf]
		for steps := 0; ok && paras[j].AltOf != "" && steps < len(paras); steps++ {
			j, ok = index[paras[j].AltOf]
		}
		if ok && paras[j].AltOf == "" && !paras[j].Heading {
			roots[i] = j
		}
	}
	return roots
}
