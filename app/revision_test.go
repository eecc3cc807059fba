package app

import (
	"slices"
	"testing"
)

// TestMovedIsWhatMoved: moving one paragraph marks that one, not its
// neighbours; swapping two marks one of them.
func TestMovedIsWhatMoved(t *testing.T) {
	rev := func(ids ...string) *RevisionText {
		r := &RevisionText{}
		for _, id := range ids {
			r.Paragraphs = append(r.Paragraphs, RevParagraph{ID: RecordID(id)})
		}
		r.index()
		return r
	}
	for _, tc := range []struct {
		prev, next []string
		moved      []string
	}{
		{[]string{"A", "B", "C", "D", "E"}, []string{"A", "C", "B", "D", "E"}, []string{"C"}},
		{[]string{"A", "B", "C", "D", "E"}, []string{"A", "C", "D", "E", "B"}, []string{"B"}},
		{[]string{"A", "B", "C"}, []string{"A", "B", "C"}, nil},
		{[]string{"A", "B", "C"}, []string{"A", "X", "C"}, nil}, // B deleted, X added: nothing moved
		{[]string{"A", "B", "C", "D"}, []string{"D", "A", "B", "C"}, []string{"D"}},
	} {
		got := commonOrder(rev(tc.prev...), rev(tc.next...))
		var ids []string
		for id := range got {
			ids = append(ids, string(id))
		}
		slices.Sort(ids)
		if !slices.Equal(ids, tc.moved) {
			t.Errorf("%v → %v: moved %v, want %v", tc.prev, tc.next, ids, tc.moved)
		}
	}
}
