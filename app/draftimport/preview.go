package draftimport

import (
	"fmt"
	"strconv"
	"strings"
)

// LongParagraphWords is the length past which a paragraph is most likely
// several paragraphs run together (a file whose paragraphs were not
// separated the way the reader expects).
const LongParagraphWords = 2000

// ShortParagraphWords is the length at or under which a paragraph may be a
// heading typed in bold rather than in a heading style.
const ShortParagraphWords = 3

// previewParagraphs is how many paragraphs Summary.FirstWords quotes, and
// previewWords how many words of each.
const (
	previewParagraphs = 3
	previewWords      = 12
)

// Summary is what an import found, for the delegate to check before
// anything is written.
type Summary struct {
	Format     Format
	Title      string
	Sections   int // headings, at any level
	Chapters   int // level-1 headings
	Paragraphs int
	Preambular int // paragraphs marked preambular
	Operative  int // paragraphs marked operative
	Words      int // in paragraphs
	// FirstWords quotes the opening words of the first few paragraphs.
	FirstWords []string
	// Warnings are the reader's (what it left out or guessed) followed by
	// those about the outline's shape.
	Warnings []Warning
}

// Preview summarises o.
func Preview(o *Outline) Summary {
	s := Summary{Format: o.Format, Title: o.Title}
	s.Warnings = append(s.Warnings, o.Warnings...)
	long, short, before, labelled, empty := 0, 0, 0, 0, 0
	seenHeading := false
	for i, b := range o.Blocks {
		if b.Heading {
			s.Sections++
			if b.Level == 1 {
				s.Chapters++
			}
			seenHeading = true
			// A heading with neither a paragraph nor a deeper heading
			// before the next heading of its level or higher is empty.
			if i+1 == len(o.Blocks) || (o.Blocks[i+1].Heading && o.Blocks[i+1].Level <= b.Level) {
				empty++
			}
			continue
		}
		s.Paragraphs++
		n := len(strings.Fields(b.Text))
		s.Words += n
		switch {
		case n > LongParagraphWords:
			long++
		case n <= ShortParagraphWords:
			short++
		}
		if !seenHeading {
			before++
		}
		switch b.Part {
		case PartPreambular:
			s.Preambular++
		case PartOperative:
			s.Operative++
		}
		if strings.HasPrefix(b.Number, "PP") || strings.HasPrefix(b.Number, "OP") || strings.HasPrefix(b.Number, "PO") {
			labelled++
		}
		if len(s.FirstWords) < previewParagraphs {
			s.FirstWords = append(s.FirstWords, firstWords(b.Text, previewWords))
		}
	}

	warn := func(code string, n int, msg string) {
		s.Warnings = append(s.Warnings, Warning{Code: code, Count: n, Message: msg})
	}
	if s.Title == "" {
		warn(WarnNoTitle, 0, "no title found: give the draft one before saving it")
	}
	switch {
	case s.Sections == 0:
		warn(WarnNoHeadings, s.Paragraphs, "no headings found: all "+plural(s.Paragraphs, "paragraph goes", "paragraphs go")+" in one section")
	case before > 0:
		warn(WarnBeforeHeading, before, plural(before, "paragraph comes", "paragraphs come")+" before the first heading: they open the draft, outside any section")
	}
	if empty > 0 {
		warn(WarnEmptySections, empty, plural(empty, "section has", "sections have")+" no paragraphs")
	}
	if long > 0 {
		warn(WarnLongParagraphs, long, plural(long, "paragraph is", "paragraphs are")+" over "+formatCount(LongParagraphWords)+
			" words: several paragraphs may have run together")
	}
	if short > 0 {
		warn(WarnShortParagraphs, short, plural(short, "paragraph has", "paragraphs have")+" "+strconv.Itoa(ShortParagraphWords)+
			" words or fewer: if they are headings, give them a heading style (or, in text, a line of their own in capitals) and import again")
	}
	if labelled > 0 && labelled < s.Paragraphs {
		warn(WarnPartial, s.Paragraphs-labelled, plural(s.Paragraphs-labelled, "paragraph has", "paragraphs have")+
			" no PP or OP label while "+formatCount(labelled)+" do")
	}
	return s
}

// String is the summary as the command line prints it.
func (s Summary) String() string {
	var b strings.Builder
	title := s.Title
	if title == "" {
		title = "(none)"
	}
	fmt.Fprintf(&b, "Read as:     %s\n", formatName(s.Format))
	fmt.Fprintf(&b, "Title:       %s\n", title)
	fmt.Fprintf(&b, "Sections:    %s (%s)\n", formatCount(s.Sections), plural(s.Chapters, "chapter", "chapters"))
	fmt.Fprintf(&b, "Paragraphs:  %s (%s)\n", formatCount(s.Paragraphs), plural(s.Words, "word", "words"))
	if s.Preambular+s.Operative > 0 {
		fmt.Fprintf(&b, "Parts:       %s preambular, %s operative\n", formatCount(s.Preambular), formatCount(s.Operative))
	}
	for i, w := range s.FirstWords {
		fmt.Fprintf(&b, "  ¶%d  %s\n", i+1, w)
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(&b, "Warning: %s\n", w.Message)
	}
	return b.String()
}

func formatName(f Format) string {
	switch f {
	case FormatDOCX:
		return "Word document (.docx)"
	case FormatMarkdown:
		return "Markdown"
	case FormatText:
		return "plain text"
	}
	return string(f)
}

// firstWords returns the first n words of text, with an ellipsis when there
// were more.
func firstWords(text string, n int) string {
	words := strings.Fields(text)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + " …"
}

// plural writes a count with its noun: "1 table was", "3 tables were".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return formatCount(n) + " " + many
}

// formatCount writes n with thousands separators, as in "2,000".
func formatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

func formatFloat(f float64, prec int) string { return strconv.FormatFloat(f, 'f', prec, 64) }
