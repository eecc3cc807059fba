package draft

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// ChangeKind says whether a piece of marked text was kept, inserted or
// deleted.
type ChangeKind int

// The kinds of change.
const (
	Equal ChangeKind = iota
	Insert
	Delete
)

func (k ChangeKind) String() string {
	switch k {
	case Insert:
		return "insert"
	case Delete:
		return "delete"
	}
	return "equal"
}

// Change is one piece of a text marked with its changes.
type Change struct {
	Kind ChangeKind
	Text string
}

// diffTimeout bounds the search for the shortest diff. A paragraph is
// diffed in well under a millisecond; the bound only matters for a
// pasted text of many pages, which then shows a longer but still exact
// diff rather than freezing the form it is typed in.
const diffTimeout = time.Second

// Diff marks the changes from before to after word by word, as an
// amendment is shown: a changed word is one deletion and one insertion,
// never a soup of letters, and changed words separated only by spaces
// are shown as one change. Concatenating the Equal and Delete pieces
// gives before, the Equal and Insert pieces after. No piece is empty,
// and a deletion comes before the insertion that replaces it.
//
// Words are runs of letters, marks and digits; each space run and each
// other character (punctuation, brackets) is a word of its own, so that
// "refugiados." to "refugiados;" changes only the full stop.
func Diff(before, after string) []Change {
	if before == after {
		if before == "" {
			return nil
		}
		return []Change{{Equal, before}}
	}
	// Sized for a word and its space every eight bytes or so, which spares
	// the map's growth in a typical paragraph.
	w := words{index: make(map[string]rune, (len(before)+len(after))/8)}
	a, b := w.encode(before), w.encode(after)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = diffTimeout
	// Over words, the semantic clean-up's rule (an equality no longer than
	// the changes on both sides of it joins them) counts words: it joins
	// "shall ensure" → "should promote" into one change and leaves
	// " de la " between two changed words alone.
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(a, b, false))
	out := make([]Change, 0, len(diffs))
	for _, d := range diffs {
		text := w.decode(d.Text)
		if text == "" {
			continue
		}
		k := kindOf(d.Type)
		if n := len(out); n > 0 && out[n-1].Kind == k {
			out[n-1].Text += text
			continue
		}
		out = append(out, Change{k, text})
	}
	return out
}

func kindOf(op diffmatchpatch.Operation) ChangeKind {
	switch op {
	case diffmatchpatch.DiffInsert:
		return Insert
	case diffmatchpatch.DiffDelete:
		return Delete
	}
	return Equal
}

// words stands each distinct word of the texts being diffed for one rune,
// the way the library's DiffLinesToRunes stands lines, so that its
// character diff compares words.
type words struct {
	index map[string]rune
	list  []string // list[i] is the word of the i-th rune handed out
}

// firstRune is the rune of the first word. Runes are handed out upwards
// from it, skipping the surrogate range (which a Go string cannot hold),
// so a text may have over a million distinct words.
const firstRune = 0x100

func (w *words) encode(s string) []rune {
	out := make([]rune, 0, len(s)/3)
	for s != "" {
		n := wordLen(s)
		r, ok := w.index[s[:n]]
		if !ok {
			r = rune(firstRune + len(w.list))
			if r >= 0xD800 {
				r += 0x800
			}
			w.index[s[:n]] = r
			w.list = append(w.list, s[:n])
		}
		out = append(out, r)
		s = s[n:]
	}
	return out
}

func (w *words) decode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xE000 {
			r -= 0x800
		}
		b.WriteString(w.list[r-firstRune])
	}
	return b.String()
}

// wordLen returns the length in bytes of the word s starts with.
func wordLen(s string) int {
	c, size := utf8.DecodeRuneInString(s)
	var same func(rune) bool
	switch {
	case inWord(c):
		same = inWord
	case unicode.IsSpace(c):
		same = unicode.IsSpace
	default:
		return size
	}
	for i, r := range s {
		if !same(r) {
			return i
		}
	}
	return len(s)
}

// inWord reports whether r belongs in a word: letters, digits and the
// combining accents of text typed in decomposed form.
func inWord(r rune) bool {
	if r < utf8.RuneSelf { // most runes of the four languages, tested first for speed
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
