package app

// Revisions: Rev.n is the whole draft frozen as the secretariat issued it,
// with a memorandum of what changed since the revision before and which
// decided amendments changed it. The zero draft, as imported, is Rev.0.
// A revision is one record written once, its text a JSON snapshot in the
// body, so that reading Rev.2 as it was needs nothing but that record.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cartagena-c40/consulta/app/draft"
)

// RevisionText is a revision as it was issued.
type RevisionText struct {
	Number     int              `json:"-"`
	By         string           `json:"-"`
	Paragraphs []RevParagraph   `json:"paragraphs"`
	Memo       []MemoEntry      `json:"memo,omitempty"`
	Record     *Record          `json:"-"`
	byID       map[RecordID]int // index of Paragraphs
}

// RevParagraph is a paragraph or heading as a revision froze it.
type RevParagraph struct {
	ID     RecordID `json:"id"`
	Number string   `json:"number,omitempty"` // empty for a heading
	Level  int      `json:"level,omitempty"`
	Text   string   `json:"text"`
	Status Status   `json:"status,omitempty"`
}

// MemoEntry is one line of a revision's memorandum.
type MemoEntry struct {
	Paragraph  RecordID   `json:"paragraph"`
	Number     string     `json:"number"`        // in this revision, or in the one before when deleted
	Was        string     `json:"was,omitempty"` // its number in the revision before, when it changed
	Change     string     `json:"change"`        // added, deleted, modified, moved, status
	Status     Status     `json:"status,omitempty"`
	Amendments []RecordID `json:"amendments,omitempty"` // decided since the revision before
}

// Memo changes.
const (
	ChangeAdded    = "added"
	ChangeDeleted  = "deleted"
	ChangeModified = "modified"
	ChangeMoved    = "moved"
	ChangeStatus   = "status"
)

// Revisions lists draft id's revisions, Rev.0 first.
func (s *Service) Revisions(id RecordID) ([]*RevisionText, error) {
	recs, err := s.children(id, KindRevision)
	if err != nil {
		return nil, withOp("revisions", err)
	}
	out := make([]*RevisionText, 0, len(recs))
	for _, r := range recs {
		if r.Status == StatusWithdrawn {
			continue
		}
		t, err := decodeRevision(r)
		if err != nil {
			// Not one Revise wrote (a peer's, or an edit): it cannot be
			// read as a revision, and must not hide the others.
			continue
		}
		out = append(out, t)
	}
	// Two laptops that revised offline issue two revisions of one number;
	// both stay, in the order of their ids, the first read as that number.
	slices.SortFunc(out, func(a, b *RevisionText) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), cmp.Compare(a.Record.ID, b.Record.ID))
	})
	return out, nil
}

// Revision reads Rev.n of draft id.
func (s *Service) Revision(id RecordID, n int) (*RevisionText, error) {
	revs, err := s.Revisions(id)
	if err != nil {
		return nil, err
	}
	for _, r := range revs {
		if r.Number == n {
			return r, nil
		}
	}
	return nil, &Error{Op: "revision", Kind: NotFound, Msg: fmt.Sprintf("the draft has no Rev.%d (it has %d revisions after the zero draft)", n, max(0, len(revs)-1))}
}

func decodeRevision(r *Record) (*RevisionText, error) {
	t := &RevisionText{Number: int(r.Rev), By: r.Author, Record: r}
	if err := json.Unmarshal([]byte(r.Body), t); err != nil {
		return nil, &Error{Kind: Corrupt, Msg: fmt.Sprintf("revision %s cannot be read: %v", r.ID, err)}
	}
	t.index()
	return t, nil
}

func (t *RevisionText) index() {
	t.byID = make(map[RecordID]int, len(t.Paragraphs))
	for i, p := range t.Paragraphs {
		t.byID[p.ID] = i
	}
}

// Find returns the paragraph id as the revision froze it.
func (t *RevisionText) Find(id RecordID) (RevParagraph, bool) {
	i, ok := t.byID[id]
	if !ok {
		return RevParagraph{}, false
	}
	return t.Paragraphs[i], true
}

// Revise issues the next revision of draft id, signed by person: the draft
// renumbered (bis and ter become numbers, deleted paragraphs leave), frozen
// with its memorandum, and each paragraph's new number recorded, in one
// durable write.
func (s *Service) Revise(id RecordID, person string) (*RevisionText, error) {
	const op = "revise"
	if strings.TrimSpace(person) == "" {
		return nil, &Error{Op: op, Kind: Invalid, Field: "name", Msg: "say who issues the revision: set your name first"}
	}
	cur, err := s.ReadDraft(id)
	if err != nil {
		return nil, withOp(op, err)
	}
	if err := inConflict(cur); err != nil {
		return nil, withOp(op, err)
	}
	revs, err := s.Revisions(id)
	if err != nil {
		return nil, withOp(op, err)
	}
	var prev *RevisionText
	if len(revs) > 0 {
		prev = revs[len(revs)-1]
	}
	next, places := renumbered(cur)
	next.Number = len(revs)
	if prev != nil {
		next.Number = prev.Number + 1
		next.Memo = memorandum(prev, next, cur, s.decidedAt)
	}
	var gone []RecordID // deleted paragraphs leave the text with the revision
	for _, p := range cur.Paragraphs {
		if p.Status == StatusDeleted {
			gone = append(gone, p.ID)
		}
	}
	if err := s.issue(id, person, next, places, gone); err != nil {
		return nil, withOp(op, err)
	}
	return next, nil
}

// renumbered freezes cur as its next revision numbers it, and returns
// the change of each paragraph whose number, or the paragraph it is an
// alternative to, the revision changes (an alternative of a deleted
// paragraph takes its place, and the others follow it).
func renumbered(cur *DraftText) (*RevisionText, map[RecordID]Patch) {
	var recs []*Record
	for _, p := range cur.Paragraphs {
		recs = append(recs, p.Record)
	}
	style := styleOf(cur.Draft.Numbering)
	paras := draft.Renumber(toParas(recs), style)
	labels := draft.Number(paras, style)
	byID := map[RecordID]*Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	t := &RevisionText{}
	places := map[RecordID]Patch{}
	for i, p := range paras {
		r := byID[RecordID(p.ID)]
		rp := RevParagraph{ID: r.ID, Level: int(r.Level), Text: r.Body, Status: r.Status}
		if r.Level > 0 {
			rp.Text, rp.Status = r.Title, ""
		} else {
			rp.Number = labels[i].String()
			places[r.ID] = placeChange(r, p)
		}
		t.Paragraphs = append(t.Paragraphs, rp)
	}
	maps.DeleteFunc(places, func(_ RecordID, p Patch) bool { return p.IsEmpty() })
	t.index()
	return t, places
}

// placeChange is what record r must change to be where p says.
func placeChange(r *Record, p draft.Para) Patch {
	var c Patch
	if b := uint64(max(0, p.Base)); b != r.Base {
		c.Base = &b
	}
	if alt := RecordID(p.AltOf); alt != r.AltOf {
		c.AltOf = &alt
	}
	return c
}

// memorandum lists what changed from prev to next, and the amendments
// decided since prev behind each change.
func memorandum(prev, next *RevisionText, cur *DraftText, decidedAt func(*Record) HLC) []MemoEntry {
	decided := map[RecordID][]RecordID{} // by the paragraph each changed
	madeBy := map[RecordID]RecordID{}    // an added paragraph by the amendment that added it
	for _, p := range cur.Paragraphs {
		for _, src := range p.Sources {
			madeBy[src] = p.ID
		}
	}
	for _, p := range cur.Paragraphs {
		for _, a := range p.Amendments {
			if !isDecided(a.Status) || decidedAt(a) <= prev.Record.Created {
				continue
			}
			target := p.ID
			if q, ok := madeBy[a.ID]; ok && a.Action == ActionAdd {
				target = q
			}
			decided[target] = append(decided[target], a.ID)
		}
	}
	var memo []MemoEntry
	order := commonOrder(prev, next)
	for _, p := range next.Paragraphs {
		was, ok := prev.Find(p.ID)
		e := MemoEntry{Paragraph: p.ID, Number: p.Number, Status: p.Status, Amendments: decided[p.ID]}
		switch {
		case !ok:
			e.Change = ChangeAdded
		case was.Text != p.Text:
			e.Change, e.Was = ChangeModified, was.Number
		case order[p.ID]:
			e.Change, e.Was = ChangeMoved, was.Number
		case was.Status != p.Status:
			e.Change, e.Was = ChangeStatus, was.Number
		default:
			continue
		}
		if e.Was == e.Number {
			e.Was = ""
		}
		memo = append(memo, e)
	}
	for _, p := range prev.Paragraphs {
		if _, ok := next.Find(p.ID); !ok {
			memo = append(memo, MemoEntry{Paragraph: p.ID, Number: p.Number, Change: ChangeDeleted, Amendments: decided[p.ID]})
		}
	}
	return memo
}

// commonOrder marks the paragraphs both revisions hold that moved: those
// outside the longest run of them that kept its order (a longest
// increasing subsequence of their places in prev, taken in next's order),
// so that moving one paragraph marks that one, not its neighbours.
func commonOrder(prev, next *RevisionText) map[RecordID]bool {
	var ids []RecordID
	var at []int // each common paragraph's place in prev, in next's order
	for _, p := range next.Paragraphs {
		if i, ok := prev.byID[p.ID]; ok {
			ids, at = append(ids, p.ID), append(at, i)
		}
	}
	kept := longestIncreasing(at)
	moved := map[RecordID]bool{}
	for k, id := range ids {
		if !kept[k] {
			moved[id] = true
		}
	}
	return moved
}

// longestIncreasing marks the indexes of a longest strictly increasing
// subsequence of xs (patience sorting, O(n log n)).
func longestIncreasing(xs []int) []bool {
	tails := []int{}             // index in xs of the smallest tail of a run of each length
	back := make([]int, len(xs)) // the index before each in its run
	for i, x := range xs {
		k := sort.Search(len(tails), func(j int) bool { return xs[tails[j]] >= x })
		back[i] = -1
		if k > 0 {
			back[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	kept := make([]bool, len(xs))
	if len(tails) > 0 {
		for i := tails[len(tails)-1]; i >= 0; i = back[i] {
			kept[i] = true
		}
	}
	return kept
}

// decidedAt is when amendment a got its status: the last change that set
// one (support given since does not count); its last change if its
// history cannot be read.
func (s *Service) decidedAt(a *Record) HLC {
	ops, err := s.store.Ops(a.ID)
	if err != nil {
		return a.Updated
	}
	var at HLC
	for _, o := range ops {
		if o.Patch != nil && o.Patch.Status != nil {
			at = max(at, o.HLC)
		}
	}
	return at
}

// inConflict refuses to freeze a draft whose paragraphs hold competing
// versions: a revision would pick one without saying so.
func inConflict(t *DraftText) error {
	var nums []string
	for _, p := range t.Paragraphs {
		if len(p.Conflict) > 0 {
			nums = append(nums, p.Number)
		}
	}
	if len(nums) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Field: "conflict", Msg: fmt.Sprintf("paragraphs %s have competing versions from laptops that had not seen each other's change: settle them first (consulta conflicts, consulta resolve)", strings.Join(nums, ", "))}
}

func isDecided(st Status) bool {
	return st == StatusAccepted || st == StatusAcceptedModified || st == StatusMerged || st == StatusNotRetained
}

// issue writes revision t of draft id, the paragraphs' new numbers and
// the withdrawal of the paragraphs gone, in one durable write.
func (s *Service) issue(id RecordID, person string, t *RevisionText, places map[RecordID]Patch, gone []RecordID) (err error) {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready("revise"); err != nil {
		return err
	}
	defer s.rewind(s.seq, &err)
	title, text, n := fmt.Sprintf("Rev.%d", t.Number), string(body), uint64(t.Number)
	p := Patch{Title: &title, Body: &text, ReplyTo: &id, Author: &person}
	if n > 0 {
		p.Rev = &n
	}
	if err := s.tax.ValidatePatch(KindRevision, &p); err != nil {
		return err
	}
	create := s.newOpLocked(OpCreate, RecordID(NewID(s.Now())))
	create.Kind, create.Patch = KindRevision, &p
	ops := []*Op{create}
	for _, rp := range t.Paragraphs {
		c, ok := places[rp.ID]
		if !ok {
			continue
		}
		o, err := s.updateOpLocked(rp.ID, &c)
		if err != nil {
			return err
		}
		ops = append(ops, o)
	}
	for _, g := range gone {
		prior, err := s.store.Ops(g)
		if err != nil {
			return err
		}
		ops = append(ops, s.opOnLocked(OpWithdraw, g, prior, nil))
	}
	return s.commitLocked(ops...)
}

// ParagraphStage is a paragraph as one revision froze it, with what that
// revision's memorandum says of it.
type ParagraphStage struct {
	Revision string       // "zero draft", "Rev.1"
	Number   int          // the revision's number
	Para     RevParagraph // its number, text and status then; empty ID when absent
	Memo     *MemoEntry   // the memorandum's line on it, if any
}

// ParagraphHistory is paragraph id of draft d in every revision, oldest
// first, with the change each made and the amendments behind it.
func (s *Service) ParagraphHistory(d, id RecordID) ([]ParagraphStage, error) {
	revs, err := s.Revisions(d)
	if err != nil {
		return nil, err
	}
	var out []ParagraphStage
	for _, r := range revs {
		st := ParagraphStage{Revision: r.Label(), Number: r.Number}
		st.Para, _ = r.Find(id)
		for i := range r.Memo {
			if r.Memo[i].Paragraph == id {
				st.Memo = &r.Memo[i]
			}
		}
		if st.Para.ID != "" || st.Memo != nil {
			out = append(out, st)
		}
	}
	return out, nil
}
