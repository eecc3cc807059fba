package draftimport

// Outline is a zero draft as read from a file, before it becomes a draft
// record: a title and its blocks in reading order.
type Outline struct {
	// Title is the document's title: a DOCX paragraph in the Title style
	// (else the title in the document's properties), a Markdown document's
	// only top-level heading when it opens the text, or a plain-text file's
	// opening line in capitals. Empty when none was found.
	Title string
	// Blocks are the section headings and paragraphs in reading order.
	Blocks []Block
	// Format is the format the file was read as.
	Format Format
	// Warnings say what the reader left out or guessed (a table read cell
	// by cell, tracked changes, text boxes, a file read as Windows-1252), so
	// that Preview can tell the delegate before anything is written.
	Warnings []Warning
}

// Block is one section heading or one paragraph.
type Block struct {
	// Heading is true for a section heading, false for a paragraph.
	Heading bool
	// Level is a heading's depth, 1 for a chapter, 2 for a sub-section and
	// so on, renumbered so that the levels a draft uses are 1, 2, 3 without
	// gaps. It is 0 for a paragraph.
	Level int
	// Text is the block's text, NFC-normalised, on one line, without the
	// number the author typed in front of it.
	Text string
	// Number is that typed number as written, without its punctuation
	// ("12", "3.2", "PP3", "OP2 bis", "IV"), or empty. It is kept so that a
	// draft can show the author's own numbering next to Consulta's.
	Number string
	// Part is PartPreambular or PartOperative when the draft says so (a PP
	// or OP label, or a heading such as "Preámbulo" above the paragraph),
	// and empty when unknown. Headings have no part.
	Part string
}

// The parts of a declaration or resolution a paragraph can belong to.
const (
	PartPreambular = "preambular"
	PartOperative  = "operative"
)

// Format is a file format the package reads.
type Format string

// The formats Read accepts.
const (
	FormatDOCX     Format = "docx"
	FormatMarkdown Format = "markdown"
	FormatText     Format = "text"
)

// Warning is something a delegate should know about an import before
// accepting it. Code is stable, for a user interface that words warnings in
// its own language; Count is the number the message is about, if any;
// Message is the English sentence the command line prints.
type Warning struct {
	Code    string
	Count   int
	Message string
}

// The warning codes. The reader's own (read-*) come first, then those
// Preview adds from the outline's shape.
const (
	WarnTableCells      = "read-table-cells"     // tables were read cell by cell
	WarnTableHeader     = "read-table-header"    // table header rows were left out
	WarnTrackedChanges  = "read-tracked-changes" // insertions kept, deletions left out
	WarnTextBoxes       = "read-text-boxes"      // text boxes and shapes with text left out
	WarnFootnotes       = "read-footnotes"       // footnotes and endnotes were left out
	WarnContents        = "read-contents"        // a table of contents was left out
	WarnSubtitle        = "read-subtitle"        // the subtitle was left out
	WarnListNumbers     = "read-list-numbers"    // paragraphs numbered by the word processor
	WarnHTML            = "read-html"            // raw HTML in Markdown was left out
	WarnWindows1252     = "read-windows-1252"    // the text file was not UTF-8
	WarnExtraTitle      = "read-extra-title"     // a second Title paragraph became a heading
	WarnNoTitle         = "no-title"             // no title was found
	WarnNoHeadings      = "no-headings"          // everything goes in one section
	WarnBeforeHeading   = "before-first-heading" // paragraphs before the first heading
	WarnEmptySections   = "empty-sections"       // headings with nothing under them
	WarnLongParagraphs  = "long-paragraphs"      // paragraphs over LongParagraphWords
	WarnShortParagraphs = "short-paragraphs"     // paragraphs that may be unstyled headings
	WarnPartial         = "partial-pp-op"        // some paragraphs have a PP/OP label, not all
)
