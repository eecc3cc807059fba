package draftimport

// Reading plain text. The rules are few so that an author can predict them:
//
//   - Paragraphs are separated by blank lines, and the lines of one
//     paragraph are joined — when the text is wrapped by hand, that is.
//     Word processors' "Save as text" writes one paragraph per line, with
//     no blank lines or with blank lines only where the document had empty
//     paragraphs; so when no blank line separates text, or when a line is
//     longer than 100 characters (an author who wraps lines wraps them all
//     shorter), each line is a paragraph, and there a line that starts with
//     a lower-case letter continues the one before (a line break typed
//     inside a paragraph), unless it opens with a label such as "a) ".
//   - A line that opens with a paragraph label ("1. ", "12) ", "PP3 ",
//     "OP 4.") or a bullet ("- ", "* ", "• ", and '" ', which is what
//     LibreOffice writes for a list's bullets in Windows-1252) starts a new
//     paragraph even without a blank line before it.
//   - A line is a heading, standing alone whatever surrounds it, when it
//     starts with a chapter word and a number — "Capítulo", "Chapter",
//     "Chapitre", "Parte", "Part", "Partie", "Título", "Title", "Titre"
//     (level 1), or "Sección", "Section", "Seção", "Secção" (level 2) —
//     or with a Roman numeral and a dot or parenthesis ("IV. Soluciones",
//     level 1), or when it is written in capitals (two letters at least and
//     no lower-case letter; level 1). In every case the line has at most 15
//     words and does not end with a full stop, semicolon, comma or colon.
//   - The title is the file's first line when that line is in capitals and
//     is followed by a blank line; it is not a section.
//
// A line ending with a colon ("Declaran:") is a paragraph: in a declaration
// it is the operative clause's opening words, not a heading.

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	reChapter = regexp.MustCompile(`^(?i:cap[ií]tulo|chapter|chapitre|parte|part|partie|t[ií]tulo|title|titre)\s+(?:\d{1,3}|[IVXLC]{1,7}|[A-Z])\b`)
	reSection = regexp.MustCompile(`^(?i:secci[oó]n|section|se[cç][cç]?[aã]o)\s+(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,7}|[A-Z])\b`)
	reRomanHd = regexp.MustCompile(`^([IVXLC]{1,7})[.)]\s+\S`)
	// A bullet. LibreOffice's "Save as text" in Windows-1252 writes a list's
	// bullets as a straight quote and a space; a quotation has no space
	// after its opening quote mark.
	reBullet = regexp.MustCompile(`^[-*•–"]\s+`)
)

func readText(file, src string, warns []Warning) (*Outline, error) {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	lines := strings.Split(src, "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}

	// Blank lines at the ends were dropped above: every file ends with a
	// newline, and only a blank line between lines of text counts.
	blank := func(l string) bool { return strings.TrimSpace(l) == "" }
	long := func(l string) bool { return utf8.RuneCountInString(strings.TrimSpace(l)) > maxWrappedLine }
	lineParagraphs := !slices.ContainsFunc(lines, blank) || slices.ContainsFunc(lines, long)

	title := ""
	if len(lines) > 1 && strings.TrimSpace(lines[1]) == "" && isCapsLine(strings.TrimSpace(lines[0])) {
		title, lines = strings.TrimSpace(lines[0]), lines[1:]
	}

	var raw []rawBlock
	var para []string
	flush := func() {
		if len(para) > 0 {
			raw = append(raw, rawBlock{text: strings.Join(para, " ")})
			para = para[:0]
		}
	}
	for _, l := range lines {
		line := strings.TrimSpace(l)
		if line == "" {
			flush()
			continue
		}
		if level := textHeading(line); level > 0 {
			flush()
			raw = append(raw, rawBlock{heading: true, level: level, text: line})
			continue
		}
		if startsParagraph(line) || (lineParagraphs && !continuesParagraph(line)) {
			flush()
		}
		if reBullet.MatchString(line) {
			line = reBullet.ReplaceAllString(line, "")
		}
		para = append(para, line)
	}
	flush()
	return finish(file, FormatText, title, raw, warns)
}

// textHeading returns the level of a heading line, or 0. Every kind of
// heading is short and does not end like a sentence or a clause, which keeps
// "C) Garantizar…" (C is a Roman numeral too) a paragraph.
func textHeading(line string) int {
	if len(strings.Fields(line)) > 15 || strings.ContainsAny(line[len(line)-1:], ".;,:") || rePPOP.MatchString(line) {
		return 0
	}
	switch {
	case reChapter.MatchString(line):
		return 1
	case reSection.MatchString(line):
		return 2
	case reRomanHd.MatchString(line) && isRoman(reRomanHd.FindStringSubmatch(line)[1]):
		return 1
	case isCapsLine(line):
		return 1
	}
	return 0
}

// isCapsLine reports whether a line is written in capitals, the way plain
// text marks a heading and a title: no lower-case letter, two letters at
// least (so that a lone "A" or a label is not one), at most 15 words, and
// no full stop, semicolon, comma or colon at the end.
func isCapsLine(line string) bool {
	if line == "" || len(strings.Fields(line)) > 15 || strings.ContainsAny(line[len(line)-1:], ".;,:") {
		return false
	}
	letters := 0
	for _, r := range line {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// maxWrappedLine is the longest line, in characters, of a text wrapped by
// hand (editors wrap at 72 to 80).
const maxWrappedLine = 100

var reSubLabel = regexp.MustCompile(`^[a-z]{1,4}[.)]\s`)

// continuesParagraph reports whether a line, in a file with a paragraph per
// line, is the rest of the paragraph before it: it starts with a lower-case
// letter and not with a sub-item label ("a) ", "iv. ").
func continuesParagraph(line string) bool {
	r, _ := utf8.DecodeRuneInString(line)
	return unicode.IsLower(r) && !reSubLabel.MatchString(line)
}

func startsParagraph(line string) bool {
	return rePPOP.MatchString(line) || reNum.MatchString(line) || reBullet.MatchString(line)
}
