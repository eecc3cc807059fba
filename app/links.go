package app

// Where proposals and stakeholder inputs went: a paragraph or an amendment
// lists, as its sources, the proposals and inputs taken into it, so a
// rapporteur sees where each input went and the secretariat sees which
// inputs no paragraph or amendment reflects yet.

import (
	"fmt"
	"slices"
)

// TakeInto marks proposals or inputs srcs as taken into target, a
// paragraph or an amendment.
func (s *Service) TakeInto(target RecordID, srcs ...RecordID) error {
	const op = "take"
	t, err := s.Get(target)
	if err != nil {
		return withOp(op, err)
	}
	if t.Kind != KindParagraph && t.Kind != KindAmendment {
		return &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%s is a %s; proposals and inputs are taken into a paragraph or an amendment", target, t.Kind)}
	}
	if len(srcs) == 0 {
		return &Error{Op: op, Kind: Invalid, Field: "source", Msg: "name the proposals or inputs taken into it"}
	}
	for _, id := range srcs {
		r, err := s.Get(id)
		if err != nil {
			return withOp(op, err)
		}
		if !Mergeable(r.Kind) {
			return &Error{Op: op, Kind: Invalid, Field: "source", Msg: fmt.Sprintf("%s is a %s; only proposals and inputs are taken into the draft", id, r.Kind)}
		}
	}
	return s.Update(target, Patch{AddSources: srcs})
}

// Reflected maps each proposal or input taken into draft t to where: a
// paragraph (with no amendments), or the paragraph an amendment taking it
// in is to (with that amendment).
func Reflected(t *DraftText) map[RecordID][]*DraftParagraph {
	out := map[RecordID][]*DraftParagraph{}
	for _, p := range t.Paragraphs {
		for _, src := range p.Sources {
			out[src] = append(out[src], &DraftParagraph{Record: p.Record, Number: p.Number})
		}
		for _, a := range p.Amendments {
			for _, src := range a.Sources {
				out[src] = append(out[src], &DraftParagraph{Record: p.Record, Number: p.Number, Amendments: []*Record{a}})
			}
		}
	}
	return out
}

// Unreflected lists the proposals and inputs (not withdrawn, not merged
// into a consolidated proposal) that no paragraph or amendment of draft id
// takes in, newest first.
func (s *Service) Unreflected(id RecordID) ([]*Record, error) {
	t, err := s.ReadDraft(id)
	if err != nil {
		return nil, err
	}
	taken := Reflected(t)
	res, err := s.List(Filter{Kinds: []string{string(KindProposal), string(KindInput)}}, 0)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(res.Records, func(r *Record) bool {
		return len(taken[r.ID]) > 0 || r.Status == StatusWithdrawn || r.Status == StatusMerged
	}), nil
}
