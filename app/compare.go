package app

// Comparing two revisions paragraph by paragraph, with insertions and
// deletions marked word by word (app/draft.Diff).

import (
	"fmt"

	"github.com/cartagena-c40/consulta/app/draft"
)

// ParagraphDiff is one paragraph compared between two revisions.
type ParagraphDiff struct {
	ID       RecordID
	From, To string // its numbers in the older and the newer revision ("" where absent)
	Level    int    // a heading's level, 0 for a paragraph
	Change   string // ChangeAdded, ChangeDeleted, ChangeModified, ChangeMoved, ChangeStatus or "" (the same)
	Marked   []draft.Change
}

// CompareRevisions compares Rev.m and Rev.n of draft id.
func (s *Service) CompareRevisions(id RecordID, m, n int) ([]ParagraphDiff, error) {
	a, err := s.Revision(id, m)
	if err != nil {
		return nil, withOp("compare", err)
	}
	b, err := s.Revision(id, n)
	if err != nil {
		return nil, withOp("compare", err)
	}
	return Compare(a, b), nil
}

// Compare compares revision a with revision b: b's paragraphs in b's
// order, each paragraph of a that b no longer holds after the one it
// followed in a.
func Compare(a, b *RevisionText) []ParagraphDiff {
	moved := commonOrder(a, b)
	gone := map[RecordID][]RevParagraph{} // a's paragraphs not in b, by the one of b they follow
	var last RecordID
	for _, p := range a.Paragraphs {
		if _, ok := b.Find(p.ID); ok {
			last = p.ID
			continue
		}
		gone[last] = append(gone[last], p)
	}
	var out []ParagraphDiff
	deleted := func(after RecordID) {
		for _, p := range gone[after] {
			out = append(out, ParagraphDiff{ID: p.ID, From: p.Number, Level: p.Level, Change: ChangeDeleted,
				Marked: draft.Diff(p.Text, "")})
		}
	}
	deleted("")
	for _, p := range b.Paragraphs {
		was, ok := a.Find(p.ID)
		d := ParagraphDiff{ID: p.ID, From: was.Number, To: p.Number, Level: p.Level, Marked: draft.Diff(was.Text, p.Text)}
		switch {
		case !ok:
			d.Change = ChangeAdded
		case was.Text != p.Text:
			d.Change = ChangeModified
		case moved[p.ID]:
			d.Change = ChangeMoved
		case was.Status != p.Status:
			d.Change = ChangeStatus
		}
		out = append(out, d)
		deleted(p.ID)
	}
	return out
}

// Label is how a revision is named: "Rev.2", or "zero draft" for Rev.0.
func (t *RevisionText) Label() string {
	if t.Number == 0 {
		return "zero draft"
	}
	return fmt.Sprintf("Rev.%d", t.Number)
}
