package app

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Step is one operation of a record's history and the state it left the
// record in, as a replica holding exactly the operations up to it would
// show it.
type Step struct {
	Op     *Op
	Record *Record // nil for an operation ordered before the record's create
	// NotApplied says why the operation is kept but not applied ("needs
	// rapporteur", "not applied: role revoked"); empty when it applies.
	NotApplied string
}

// Steps returns record id's history, oldest first: each operation in the
// order they apply, with the record after it. Diff(steps[i-1].Record.Body,
// steps[i].Record.Body) is what an edit changed.
func (s *Service) Steps(id RecordID) ([]Step, error) {
	ops, err := s.store.Ops(id)
	if err != nil {
		return nil, withOp("history", err)
	}
	sorted := applyOrder(ops)
	why := map[OpID]string{}
	if r := s.fold(sorted); r != nil {
		for _, n := range r.NotApplied {
			why[n.Op] = n.Why
		}
	}
	out := make([]Step, 0, len(sorted))
	for i, o := range sorted {
		out = append(out, Step{Op: o, Record: s.fold(sorted[:i+1]), NotApplied: why[o.ID()]})
	}
	return out, nil
}

// DiffKind says whether a piece of a diff was removed, kept or added.
type DiffKind int

// The kinds of diff pieces.
const (
	DiffRemoved DiffKind = -1
	DiffKept    DiffKind = 0
	DiffAdded   DiffKind = 1
)

// DiffLine is one line of a diff.
type DiffLine struct {
	Kind DiffKind
	Text string
}

// Diff compares two versions of a text line by line (a paragraph is
// usually one line), with github.com/sergi/go-diff.
func Diff(before, after string) []DiffLine {
	// The last line ends like the others, so that adding after it does
	// not show it as changed.
	if before != "" && !strings.HasSuffix(before, "\n") {
		before += "\n"
	}
	if after != "" && !strings.HasSuffix(after, "\n") {
		after += "\n"
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	a, b, lines := dmp.DiffLinesToRunes(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(a, b, false), lines)
	var out []DiffLine
	for _, d := range diffs {
		k := DiffKept
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			k = DiffRemoved
		case diffmatchpatch.DiffInsert:
			k = DiffAdded
		}
		text := d.Text
		for len(text) > 0 {
			line := text
			if i := strings.IndexByte(text, '\n'); i >= 0 {
				line, text = text[:i], text[i+1:]
			} else {
				text = ""
			}
			out = append(out, DiffLine{Kind: k, Text: line})
		}
	}
	return out
}
