package app

// Deciding amendments: the secretariat accepts an amendment (as proposed
// or as modified), merges it with another, does not retain it, or its
// proponent withdraws it. Accepting one changes the paragraph by an
// operation of its own; the amendment, and every other amendment to the
// paragraph, stay as they were proposed.

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/cartagena-c40/consulta/app/draft"
)

// Decision is what is decided of an amendment.
type Decision struct {
	Status Status
	// Text is the paragraph's text as accepted, for accepted-as-modified
	// (and for an accepted modify or add, when it differs from the
	// proposal, which the decision then records as accepted-as-modified).
	Text string
	// Into is the amendment this one was merged with, for merged.
	Into RecordID
}

// Decide records decision d on amendment id and, when it accepts it,
// applies it to the draft, in one durable write.
func (s *Service) Decide(id RecordID, d Decision) error {
	const op = "decide"
	a, err := s.Get(id)
	if err != nil {
		return withOp(op, err)
	}
	if a.Kind != KindAmendment {
		return &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is a %s, not an amendment", id, a.Kind)}
	}
	if !slices.Contains(AmendmentStatuses, d.Status) {
		return invalid("status", fmt.Sprintf("%q is not a decision on an amendment", d.Status), strs(AmendmentStatuses)...)
	}
	accepted := d.Status == StatusAccepted || d.Status == StatusAcceptedModified
	if accepted && a.Status != StatusPending {
		// Applying it again would add its paragraph twice, or put back a
		// text another accepted amendment has replaced since.
		return &Error{Op: op, Kind: Invalid, Field: "status", Msg: fmt.Sprintf("the amendment is %s already; only a pending amendment is accepted (set it back to pending first)", a.Status)}
	}
	if accepted && strings.TrimSpace(d.Text) != "" && d.Text != a.Body {
		d.Status = StatusAcceptedModified
	}
	if d.Status == StatusAcceptedModified && strings.TrimSpace(d.Text) == "" {
		return invalid("text", "say the text as accepted")
	}
	patch := Patch{Status: &d.Status}
	if d.Status == StatusMerged {
		if d.Into == "" {
			return invalid("into", "say which amendment it was merged with")
		}
		patch.AddMerged = []RecordID{d.Into}
	}
	var change *paragraphChange
	if accepted {
		if change, err = s.acceptance(a, d.Text); err != nil {
			return withOp(op, err)
		}
	}
	return withOp(op, s.decide(id, &patch, change))
}

// paragraphChange is what accepting an amendment does to the draft: a
// patch of an existing paragraph, or a new paragraph.
type paragraphChange struct {
	para  RecordID // the paragraph changed; empty for a new one
	patch Patch
	newID RecordID // a new paragraph's id
}

// acceptance works out what accepting amendment a does, with text as
// accepted when given.
func (s *Service) acceptance(a *Record, text string) (*paragraphChange, error) {
	if strings.TrimSpace(text) == "" {
		text = a.Body
	}
	switch a.Action {
	case ActionModify:
		c := &paragraphChange{para: a.ReplyTo, patch: Patch{Body: &text}}
		p, err := s.Get(a.ReplyTo)
		if err != nil {
			return nil, err
		}
		// Brackets follow the text: accepted language without them is no
		// longer bracketed, and new brackets bracket it.
		if st := bracketStatus(p.Status, text); st != p.Status {
			c.patch.Status = &st
		}
		return c, nil
	case ActionDelete:
		st := StatusDeleted
		return &paragraphChange{para: a.ReplyTo, patch: Patch{Status: &st}}, nil
	case ActionMove:
		key, err := s.positionAfter(a.After, a.ReplyTo)
		if err != nil {
			return nil, err
		}
		return &paragraphChange{para: a.ReplyTo, patch: Patch{Position: &key}}, nil
	case ActionAdd:
		key, err := s.positionAfter(a.ReplyTo, "")
		if err != nil {
			return nil, err
		}
		p, err := s.Get(a.ReplyTo)
		if err != nil {
			return nil, err
		}
		patch := Patch{ReplyTo: &p.ReplyTo, Position: &key, Body: &text, Lang: &a.Lang, AddSources: []RecordID{a.ID}}
		if p.Part != "" {
			patch.Part = &p.Part
		}
		// The new paragraph's id comes from the amendment's: two laptops
		// that accept it offline create one paragraph, the first create
		// winning as for any record.
		return &paragraphChange{patch: patch, newID: derivedID(a.ID, "paragraph")}, nil
	}
	return nil, invalid("action", fmt.Sprintf("unknown action %q", a.Action))
}

// derivedID is a record id made from id and what: the same on every
// laptop, at id's time.
func derivedID(id RecordID, what string) RecordID {
	u, err := ulid.ParseStrict(string(id))
	if err != nil {
		return RecordID(NewID(time.Now()))
	}
	h := sha256.Sum256([]byte(string(id) + "/" + what))
	var entropy [10]byte
	copy(entropy[:], h[:])
	return RecordID(ulid.ULID(append(append([]byte{}, u[:6]...), entropy[:]...)).String())
}

// bracketStatus is the status of a paragraph of status st once its text
// is text: bracketed while it holds brackets, open once they are gone.
func bracketStatus(st Status, text string) Status {
	switch {
	case draft.HasBrackets(text) && (st == StatusOpen || st == StatusBracketed):
		return StatusBracketed
	case !draft.HasBrackets(text) && st == StatusBracketed:
		return StatusOpen
	}
	return st
}

// positionAfter is a position just after paragraph id and before the one
// that follows it, skipping moving (a paragraph moved after its own
// successor must land after it, not before).
func (s *Service) positionAfter(id, moving RecordID) (string, error) {
	p, err := s.Get(id)
	if err != nil {
		return "", err
	}
	sibs, err := s.children(p.ReplyTo, KindParagraph)
	if err != nil {
		return "", err
	}
	SortParagraphs(sibs)
	i := slices.IndexFunc(sibs, func(r *Record) bool { return r.ID == id })
	next := ""
	for _, r := range sibs[i+1:] {
		if r.ID != moving && r.Position != p.Position {
			next = r.Position
			break
		}
	}
	return Between(p.Position, next)
}

// decide writes the amendment's new status and the paragraph's change.
func (s *Service) decide(id RecordID, patch *Patch, change *paragraphChange) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready("decide"); err != nil {
		return err
	}
	defer s.rewind(s.seq, &err)
	o, err := s.updateOpLocked(id, patch)
	if err != nil {
		return err
	}
	ops := []*Op{o}
	if change != nil {
		c, err := s.changeOpLocked(change)
		if err != nil {
			return err
		}
		ops = append(ops, c)
	}
	return s.commitLocked(ops...)
}

// changeOpLocked is the operation that makes change.
func (s *Service) changeOpLocked(c *paragraphChange) (*Op, error) {
	if err := s.tax.ValidatePatch(KindParagraph, &c.patch); err != nil {
		return nil, err
	}
	if c.para != "" {
		return s.updateOpLocked(c.para, &c.patch)
	}
	if _, err := s.store.Record(c.newID); err == nil {
		return nil, &Error{Kind: Exist, Msg: "the paragraph this amendment adds is in the draft already"}
	}
	o := s.newOpLocked(OpCreate, c.newID)
	o.Kind, o.Patch = KindParagraph, &c.patch
	if err := s.tax.ValidateRecord(Fold([]*Op{o})); err != nil {
		return nil, err
	}
	return o, nil
}
