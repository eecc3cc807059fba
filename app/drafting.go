package app

// The plan's own text (docs/DRAFTING.md): a draft document, its paragraphs
// and section headings, the amendments delegations propose to them, and
// the revisions the secretariat issues. They are records like every other,
// so they are signed, synced, folded and kept in history the same way; the
// drafting rules themselves (numbers, brackets, marked changes) are in
// app/draft.

import (
	"fmt"
	"slices"
	"strings"
)

// The drafting kinds. A paragraph replies to its draft, an amendment to
// the paragraph it changes (or follows, for a new one), a revision to its
// draft.
const (
	KindDraft     Kind = "draft"     // a document: declaration, plan of action, other
	KindParagraph Kind = "paragraph" // a paragraph or section heading of a draft
	KindAmendment Kind = "amendment" // a proposed change to a paragraph
	KindRevision  Kind = "revision"  // Rev.n: the draft as it was, frozen
)

// DraftingKinds lists the drafting kinds. They are not in Kinds: the
// records list, its filters and the exports of records leave them out.
var DraftingKinds = []Kind{KindDraft, KindParagraph, KindAmendment, KindRevision}

// Paragraph statuses.
const (
	StatusOpen        Status = "open"
	StatusBracketed   Status = "bracketed" // undecided language stays [in brackets]
	StatusAgreedAdRef Status = "agreed-ad-ref"
	StatusAgreed      Status = "agreed"
	StatusDeleted     Status = "deleted"
)

// Amendment statuses (StatusMerged and StatusWithdrawn are shared with
// proposals).
const (
	StatusPending          Status = "pending"
	StatusAccepted         Status = "accepted"
	StatusAcceptedModified Status = "accepted-as-modified"
	StatusNotRetained      Status = "not-retained"
)

// ParagraphStatuses and AmendmentStatuses list their kinds' statuses in
// display order.
var (
	ParagraphStatuses = []Status{StatusOpen, StatusBracketed, StatusAgreedAdRef, StatusAgreed, StatusDeleted}
	AmendmentStatuses = []Status{StatusPending, StatusAccepted, StatusAcceptedModified, StatusMerged, StatusNotRetained, StatusWithdrawn}
)

// Action is what an amendment does to its paragraph.
type Action string

// The amendment actions (ITU marks them MOD, SUP, ADD; MOVE).
const (
	ActionModify Action = "modify" // new text for the paragraph
	ActionDelete Action = "delete" // delete the paragraph
	ActionMove   Action = "move"   // move the paragraph after another (After)
	ActionAdd    Action = "add"    // a new paragraph after this one
)

// Actions lists the amendment actions.
var Actions = []Action{ActionModify, ActionDelete, ActionMove, ActionAdd}

// Part is the part of a draft a paragraph is in, for PP/OP numbering.
type Part string

// The parts of a resolution-style draft.
const (
	PartPreambular Part = "preambular"
	PartOperative  Part = "operative"
)

// Numbering is how a draft numbers its paragraphs.
type Numbering string

// The numbering styles.
const (
	NumberPlain Numbering = "plain" // 1, 2, 2 bis, 3 alt
	NumberPPOP  Numbering = "pp-op" // PP1, OP1, OP2 bis
)

// DocKind is what a draft is.
type DocKind string

// The kinds of draft document.
const (
	DocDeclaration DocKind = "declaration"
	DocPlan        DocKind = "plan-of-action"
	DocOther       DocKind = "other"
)

// MaxLevel is the deepest section heading (1 a chapter, 2 a sub-section...).
const MaxLevel = 3

// maxPosition bounds a position key: a key grows by about one character
// per insertion at the same place, and nobody inserts 200 there.
const maxPosition = 200

// NeedsDrafting reports whether the encoded operation enc is one that
// builds without drafts cannot read: a drafting record's creation, a
// change that sets a drafting field, or one that sets a status they do not
// know (Statuses is theirs: a paragraph agreed, an amendment accepted). An
// operation that cannot be decoded is not this function's to judge (false).
func NeedsDrafting(enc []byte) bool {
	o, err := decodeOp(enc)
	if err != nil {
		return false
	}
	p := o.Patch
	return IsDrafting(o.Kind) || (p != nil && (hasDraftingFields(p) || (p.Status != nil && !slices.Contains(Statuses, *p.Status))))
}

// IsDrafting reports whether k is a drafting kind.
func IsDrafting(k Kind) bool { return slices.Contains(DraftingKinds, k) }

// checkDrafting checks the drafting fields p sets for a record of kind k
// ("" when not known: an update from a peer).
func checkDrafting(k Kind, p *Patch, utf8Valid func(string) bool) error {
	if p.Action != nil && !slices.Contains(Actions, *p.Action) {
		return invalid("action", fmt.Sprintf("unknown action %q", *p.Action), strs(Actions)...)
	}
	if p.Part != nil && *p.Part != "" && *p.Part != PartPreambular && *p.Part != PartOperative {
		return invalid("part", fmt.Sprintf("unknown part %q", *p.Part), string(PartPreambular), string(PartOperative))
	}
	if p.Numbering != nil && *p.Numbering != NumberPlain && *p.Numbering != NumberPPOP {
		return invalid("numbering", fmt.Sprintf("unknown numbering %q", *p.Numbering), string(NumberPlain), string(NumberPPOP))
	}
	if p.DocKind != nil && !slices.Contains([]DocKind{DocDeclaration, DocPlan, DocOther}, *p.DocKind) {
		return invalid("doc-kind", fmt.Sprintf("unknown kind of draft %q", *p.DocKind), string(DocDeclaration), string(DocPlan), string(DocOther))
	}
	if p.Position != nil && !ValidPosition(*p.Position) {
		return invalid("position", fmt.Sprintf("%q is not a position key", *p.Position))
	}
	if p.Level != nil && *p.Level > MaxLevel {
		return invalid("level", fmt.Sprintf("a heading's level is 1 to %d", MaxLevel))
	}
	for _, id := range []*RecordID{p.After, p.AltOf} {
		if id != nil && *id != "" && !ValidID(string(*id)) {
			return invalid("id", fmt.Sprintf("%q is not a record id", *id))
		}
	}
	if p.Rationale != nil && (len(*p.Rationale) > MaxBody || !utf8Valid(*p.Rationale)) {
		return invalid("rationale", "must be valid text of at most 1 MiB")
	}
	for _, names := range [][]string{p.AddOppose, p.DelOppose} {
		for _, n := range names {
			if strings.TrimSpace(n) == "" || len(n) > MaxTitle || !utf8Valid(n) {
				return invalid("name", fmt.Sprintf("an opposer must be a name of at most %d bytes", MaxTitle))
			}
		}
	}
	if k != "" && hasDraftingFields(p) && !IsDrafting(k) {
		return invalid("kind", fmt.Sprintf("a %s has no drafting fields (action, position, part, level...)", k))
	}
	return nil
}

// hasDraftingFields reports whether p sets a field only drafting records have.
func hasDraftingFields(p *Patch) bool {
	return p.Position != nil || p.Action != nil || p.After != nil || p.Rationale != nil || p.Part != nil ||
		p.AltOf != nil || p.Numbering != nil || p.DocKind != nil || p.Base != nil || p.Rev != nil ||
		p.Level != nil || len(p.AddOppose)+len(p.DelOppose) > 0
}

// validateDrafting checks a drafting record's state as a whole.
func validateDrafting(r *Record) error {
	switch r.Kind {
	case KindDraft:
		if strings.TrimSpace(r.Title) == "" {
			return invalid("title", "a draft needs a title")
		}
	case KindParagraph:
		if r.ReplyTo == "" || r.Position == "" {
			return invalid("draft", "a paragraph belongs to a draft, at a position")
		}
		if r.Level > 0 && strings.TrimSpace(r.Title) == "" {
			return invalid("title", "a section heading needs its text")
		}
	case KindAmendment:
		if r.ReplyTo == "" || r.Action == "" {
			return invalid("paragraph", "an amendment names its paragraph and its action")
		}
		if (r.Action == ActionMove) && r.After == "" {
			return invalid("after", "a move names the paragraph to move after")
		}
	case KindRevision:
		if r.ReplyTo == "" || strings.TrimSpace(r.Title) == "" {
			return invalid("revision", "a revision names its draft and its number")
		}
	}
	return nil
}

// ValidPosition reports whether s is a position key: base-36 digits, not
// ending in 0 (so that no two keys mean the same place), at most 200 long.
func ValidPosition(s string) bool {
	if s == "" || len(s) > maxPosition || s[len(s)-1] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(positionDigits, s[i]) < 0 {
			return false
		}
	}
	return true
}
