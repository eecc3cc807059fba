// Package draft holds the rules of a negotiated text that do not depend on
// where the text is kept: how the paragraphs of a Declaration and Plan of
// Action are numbered, how undecided language is marked in square
// brackets, and how a proposed amendment is shown as marked changes. It is
// pure logic, with no GUI, database or network; the records of drafts,
// amendments and revisions that use it live in package app.
//
// Numbering follows UN drafting practice. Each paragraph has a stable ID
// that never changes, and a Base number given at the last revision;
// paragraphs added since are "bis", "ter" … of the one before them,
// alternatives are "alt", and deleted paragraphs keep their number until
// the next revision renumbers the draft:
//
//	labels := draft.Number(paras, draft.Plain) // "1", "1 bis", "2", "2 alt"
//	revised := draft.Renumber(paras, draft.Plain) // Rev.n: 1, 2, 3, 4 (and "4 alt")
//
// A zero draft gets its numbers from Renumber as it is imported, which is
// revision 0.
//
// Bracketed language is read with Spans, which reports brackets that do
// not pair up in words a delegate can act on, and settled with Agree
// (keep the language), Drop (remove it) or Choose (keep one of
// "[shall/should]").
//
// Diff marks the changes between two texts of a paragraph word by word,
// for an amendment being typed and for the comparison of two revisions.
package draft
