package app

// The drafting use cases: import a zero draft, read a draft with its
// numbers and amendments, propose and support amendments, set statuses.
// Revisions are in revision.go.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app/draft"
)

// DraftBlock is a heading or a paragraph of a draft to import.
type DraftBlock struct {
	Level int    // 0 for a paragraph; 1, 2... for a section heading
	Text  string // the heading or the paragraph
	Part  Part   // preambular or operative, where the source says
	Lang  Lang   // the paragraph's language, when not the draft's
}

// NewDraft is a draft to import: what it is and its blocks in order.
type NewDraft struct {
	Title     string
	DocKind   DocKind
	Numbering Numbering
	Lang      Lang
	Blocks    []DraftBlock
}

// ImportDraft creates a draft and its paragraphs in one durable write, all
// or none, then freezes it as Rev.0, the zero draft, signed by person. Its
// paragraphs are numbered 1, 2, 3...; one with [brackets] starts
// bracketed. Should the second write fail (a full disk), the draft stands
// and the next revision issued is Rev.0.
func (s *Service) ImportDraft(d NewDraft, person string) (RecordID, error) {
	if strings.TrimSpace(person) == "" {
		return "", &Error{Op: "import", Kind: Invalid, Field: "name", Msg: "say who imports the draft: set your name first"}
	}
	id, err := s.createDraft(d)
	if err != nil {
		return "", err
	}
	if _, err := s.Revise(id, person); err != nil {
		return id, withOp("import", err)
	}
	return id, nil
}

// createDraft writes the draft and its paragraphs.
func (s *Service) createDraft(d NewDraft) (RecordID, error) {
	if len(d.Blocks) == 0 {
		return "", &Error{Op: "import", Kind: Invalid, Msg: "the draft has no paragraphs"}
	}
	if d.DocKind == "" {
		d.DocKind = DocPlan
	}
	if d.Numbering == "" {
		d.Numbering = NumberPlain
	}
	if d.Lang == "" {
		d.Lang = "es"
	}
	id := RecordID(NewID(s.Now()))
	title := strings.TrimSpace(d.Title)
	recs := []Draft{{ID: id, Kind: KindDraft, Patch: Patch{Title: &title, DocKind: &d.DocKind, Numbering: &d.Numbering, Lang: &d.Lang}}}
	keys := Spread(len(d.Blocks))
	bases := importBases(d.Blocks, styleOf(d.Numbering))
	for i, b := range d.Blocks {
		lang := d.Lang
		if b.Lang != "" {
			lang = b.Lang
		}
		p := Patch{ReplyTo: &id, Position: &keys[i], Lang: &lang}
		text := strings.TrimSpace(b.Text)
		if b.Level > 0 {
			level := uint64(b.Level)
			p.Title, p.Level = &text, &level
		} else {
			p.Body = &text
			if draft.HasBrackets(text) {
				st := StatusBracketed
				p.Status = &st
			}
			if bases[i] > 0 {
				p.Base = &bases[i]
			}
		}
		if b.Part != "" {
			part := b.Part
			p.Part = &part
		}
		recs = append(recs, Draft{ID: RecordID(NewID(s.Now())), Kind: KindParagraph, Patch: p})
	}
	if _, err := s.CreateMany(recs); err != nil {
		return "", withOp("import", err)
	}
	return id, nil
}

// importBases numbers a zero draft's paragraphs as its revision 0 does.
func importBases(blocks []DraftBlock, style draft.Style) []uint64 {
	paras := make([]draft.Para, len(blocks))
	for i, b := range blocks {
		paras[i] = draft.Para{ID: fmt.Sprint(i), Heading: b.Level > 0, Part: partOf(b.Part)}
	}
	out := make([]uint64, len(blocks))
	for i, p := range draft.Renumber(paras, style) {
		out[i] = uint64(max(0, p.Base))
	}
	return out
}

func styleOf(n Numbering) draft.Style {
	if n == NumberPPOP {
		return draft.PPOP
	}
	return draft.Plain
}

func partOf(p Part) draft.Part {
	if p == PartPreambular {
		return draft.Preambular
	}
	return draft.Operative
}

// DraftText is a draft as it stands: its paragraphs and headings in order,
// each with its number and the amendments proposed to it.
type DraftText struct {
	Draft      *Record
	Paragraphs []*DraftParagraph
}

// DraftParagraph is a paragraph or heading of a draft.
type DraftParagraph struct {
	*Record
	Number     string    // as shown: "3", "3 bis", "OP2 alt"; empty for a heading
	Amendments []*Record // proposed to it, oldest first
}

// Heading reports whether p is a section heading.
func (p *DraftParagraph) Heading() bool { return p.Level > 0 }

// DraftDocs lists the workspace's drafts, newest first.
func (s *Service) DraftDocs() ([]*Record, error) {
	res, err := s.List(Filter{Kinds: []string{string(KindDraft)}}, 0)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// ReadDraft reads draft id as it stands now.
func (s *Service) ReadDraft(id RecordID) (*DraftText, error) {
	const op = "draft"
	d, err := s.Get(id)
	if err != nil {
		return nil, withOp(op, err)
	}
	if d.Kind != KindDraft {
		return nil, &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is a %s, not a draft", id, d.Kind)}
	}
	paras, err := s.children(id, KindParagraph)
	if err != nil {
		return nil, withOp(op, err)
	}
	// A paragraph deleted at a revision is withdrawn then: it has left
	// the text, and stays in history.
	paras = slices.DeleteFunc(paras, func(p *Record) bool { return p.Status == StatusWithdrawn })
	SortParagraphs(paras)
	t := &DraftText{Draft: d}
	labels := draft.Number(toParas(paras), styleOf(d.Numbering))
	ids := make([]string, len(paras))
	for i, p := range paras {
		t.Paragraphs = append(t.Paragraphs, &DraftParagraph{Record: p, Number: labels[i].String()})
		ids[i] = string(p.ID)
	}
	if err := s.attachAmendments(t, ids); err != nil {
		return nil, withOp(op, err)
	}
	return t, nil
}

// attachAmendments reads the amendments to t's paragraphs.
func (s *Service) attachAmendments(t *DraftText, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := s.replies(KindAmendment, ids...)
	if err != nil {
		return err
	}
	at := map[RecordID]*DraftParagraph{}
	for _, p := range t.Paragraphs {
		at[p.ID] = p
	}
	all, err := s.store.Records(found)
	if err != nil {
		return err
	}
	for _, a := range all {
		if p := at[a.ReplyTo]; p != nil {
			p.Amendments = append(p.Amendments, a)
		}
	}
	for _, p := range t.Paragraphs {
		slices.SortFunc(p.Amendments, func(a, b *Record) int { return strings.Compare(string(a.ID), string(b.ID)) })
	}
	return nil
}

// children reads the records of kind k that reply to id, whole.
func (s *Service) children(id RecordID, k Kind) ([]*Record, error) {
	found, err := s.replies(k, string(id))
	if err != nil {
		return nil, err
	}
	return s.store.Records(found)
}

// replies lists the ids of the records of kind k that reply to any of
// ids: a store query without the facet counts a list computes.
func (s *Service) replies(k Kind, ids ...string) ([]RecordID, error) {
	if err := s.readyRead("draft"); err != nil {
		return nil, err
	}
	q, err := s.Query(Filter{Kinds: []string{string(k)}, RepliesTo: ids})
	if err != nil {
		return nil, err
	}
	res, err := s.store.Query(q)
	if err != nil {
		return nil, err
	}
	out := make([]RecordID, len(res.Records))
	for i, r := range res.Records {
		out[i] = r.ID
	}
	return out, nil
}

// toParas is what numbering needs of paragraphs in order.
func toParas(ps []*Record) []draft.Para {
	out := make([]draft.Para, len(ps))
	for i, p := range ps {
		out[i] = draft.Para{ID: string(p.ID), Base: int(p.Base), Part: partOf(p.Part), AltOf: string(p.AltOf),
			Heading: p.Level > 0, Deleted: p.Status == StatusDeleted || p.Status == StatusWithdrawn}
	}
	return out
}

// Amendment is what a delegation proposes for a paragraph.
type Amendment struct {
	Action      Action
	Text        string          // the proposed text (modify, add)
	After       RecordID        // move: the paragraph to move after
	Author, Org string          // who proposes it, for which organization or delegation
	Stakeholder StakeholderCode // their stakeholder group
	Rationale   string
	Sources     []RecordID // proposals and inputs it comes from
}

// Amend proposes an amendment to paragraph id (for ActionAdd, a new
// paragraph after it) and returns the amendment's id.
func (s *Service) Amend(id RecordID, a Amendment) (RecordID, error) {
	const op = "amend"
	p, err := s.Get(id)
	if err != nil {
		return "", withOp(op, err)
	}
	if p.Kind != KindParagraph {
		return "", &Error{Op: op, Kind: Invalid, Field: "paragraph", Msg: fmt.Sprintf("%s is a %s, not a paragraph", id, p.Kind)}
	}
	if p.Level > 0 && a.Action != ActionAdd {
		return "", &Error{Op: op, Kind: Invalid, Field: "paragraph", Msg: "a section heading is not amended; propose a paragraph after it (add)"}
	}
	if err := checkAmendment(a); err != nil {
		return "", withOp(op, err)
	}
	if a.Action == ActionMove {
		after, err := s.Get(a.After)
		if err != nil || after.Kind != KindParagraph || after.ReplyTo != p.ReplyTo || after.ID == p.ID {
			return "", &Error{Op: op, Kind: Invalid, Field: "after", Msg: "a paragraph moves after another paragraph or heading of the same draft"}
		}
	}
	title := amendmentTitle(a)
	patch := Patch{ReplyTo: &id, Action: &a.Action, Title: &title, Lang: &p.Lang, AddSources: a.Sources,
		Body: given(a.Text), Author: given(a.Author), Org: given(a.Org), Rationale: given(a.Rationale),
		After: given(a.After), Stakeholder: given(a.Stakeholder)}
	return s.Create(KindAmendment, patch)
}

// given is v as a patch field: nil (left unset) when empty.
func given[T ~string](v T) *T {
	if v == "" {
		return nil
	}
	return &v
}

func checkAmendment(a Amendment) error {
	switch {
	case !slices.Contains(Actions, a.Action):
		return invalid("action", fmt.Sprintf("unknown action %q", a.Action), strs(Actions)...)
	case (a.Action == ActionModify || a.Action == ActionAdd) && strings.TrimSpace(a.Text) == "":
		return invalid("text", "say what the paragraph should read")
	case a.Action == ActionMove && a.After == "":
		return invalid("after", "say which paragraph to move it after")
	case strings.TrimSpace(a.Author) == "" && strings.TrimSpace(a.Org) == "":
		return invalid("author", "say who proposes it: a name or a delegation")
	}
	return nil
}

// amendmentTitle names an amendment in lists: its action and proponent.
func amendmentTitle(a Amendment) string {
	who := strings.TrimSpace(a.Org)
	if who == "" {
		who = strings.TrimSpace(a.Author)
	}
	return fmt.Sprintf("%s (%s)", a.Action, who)
}

// Oppose records that person opposes amendment id (and no longer supports
// it); Unoppose takes it back.
func (s *Service) Oppose(id RecordID, person string) error {
	return s.stance(id, person, Patch{AddOppose: []string{person}, DelSupport: []string{person}})
}

// Unoppose takes back person's opposition to amendment id.
func (s *Service) Unoppose(id RecordID, person string) error {
	return s.stance(id, person, Patch{DelOppose: []string{person}})
}

// SupportAmendment records that person supports amendment id (and no
// longer opposes it).
func (s *Service) SupportAmendment(id RecordID, person string) error {
	return s.stance(id, person, Patch{AddSupport: []string{person}, DelOppose: []string{person}})
}

// UnsupportAmendment takes back person's support of amendment id.
func (s *Service) UnsupportAmendment(id RecordID, person string) error {
	return s.stance(id, person, Patch{DelSupport: []string{person}})
}

func (s *Service) stance(id RecordID, person string, p Patch) error {
	person = strings.TrimSpace(person)
	if person == "" {
		return &Error{Op: "support", Kind: Invalid, Field: "name", Msg: "say who: set your name first"}
	}
	r, err := s.Get(id)
	if err != nil {
		return withOp("support", err)
	}
	if r.Kind != KindAmendment {
		return &Error{Op: "support", Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is a %s; support or oppose an amendment", id, r.Kind)}
	}
	return s.Update(id, p)
}

// SetStatus sets the status of a paragraph or an amendment.
func (s *Service) SetStatus(id RecordID, st Status) error {
	return s.Update(id, Patch{Status: &st})
}
