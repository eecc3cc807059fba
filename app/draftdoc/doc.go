// Package draftdoc writes the documents the secretariat circulates during
// a negotiation of a draft (docs/DRAFTING.md, "Documents"):
//
//   - the compilation text: each paragraph in order with every amendment
//     proposed to it, its proposed text marked against the text it amends
//     (insertions underlined, deletions struck through), who proposed,
//     supported and opposed it, its status and rationale, and the new
//     paragraphs proposed where they would go (2 bis); DOCX, PDF, Markdown;
//   - Rev.n, clean: the draft as a revision froze it, numbered, with its
//     [brackets] and a title block; DOCX, PDF, Markdown;
//   - Rev.n against Rev.m: the same draft with its changes as real Word
//     revisions (w:ins and w:del with author and date) in DOCX, which Word
//     and LibreOffice list and let a reader accept or reject, and as
//     underline and strike-through in PDF and Markdown;
//   - the status table: each paragraph's status and its amendments counted
//     by status, with the memorandum of every revision; XLSX, CSV, and a
//     section of the compilation.
//
// Collect gathers what a document shows into a Doc; render walks it once
// for every format through the writer interface, so the formats hold the
// same things. Files are written whole or not at all (export.WriteFile).
package draftdoc
