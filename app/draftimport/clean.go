package draftimport

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// rawBlock is a heading or paragraph as a format's reader found it, before
// finish cleans its text, takes off its typed number and renumbers levels.
type rawBlock struct {
	heading bool
	level   int // any scale: finish renumbers by rank
	text    string
}

// finish turns the blocks a reader found into an Outline, the same way for
// every format. It fails when nothing is left to import.
func finish(file string, f Format, title string, raw []rawBlock, warns []Warning) (*Outline, error) {
	o := &Outline{Title: cleanText(title), Format: f, Warnings: warns}
	for _, r := range raw {
		text := cleanText(r.text)
		if text == "" {
			continue
		}
		b := Block{Heading: r.heading, Level: r.level, Text: text}
		if r.heading {
			b.Number, b.Text = headingLabel(text)
		} else {
			b.Number, b.Part, b.Text = paragraphLabel(text)
		}
		o.Blocks = append(o.Blocks, b)
	}
	renumberLevels(o.Blocks)
	partsFromHeadings(o.Blocks)

	paragraphs, headings := 0, 0
	for _, b := range o.Blocks {
		if b.Heading {
			headings++
		} else {
			paragraphs++
		}
	}
	switch {
	case paragraphs == 0 && headings == 0 && o.Title == "":
		return nil, fail(file, Empty, nil, "the document has no text in it")
	case paragraphs == 0:
		return nil, fail(file, NoParagraphs, nil, "it has %s but no paragraphs to import "+
			"(if its paragraphs are in a heading style, give them a body-text style and import again)",
			plural(headings+boolInt(o.Title != ""), "heading", "headings"))
	}
	return o, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cleanText puts a block's text on one line in NFC: runs of spaces, tabs
// and line breaks become one space, invisible characters (soft hyphens,
// zero-width spaces, stray byte order marks, control characters) go. A
// no-break space stays: French puts one before ; : ! and ?.
func cleanText(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' ||
			r == 0x85 || r == 0x2028 || r == 0x2029:
			space = true
			continue
		case r == 0xAD || r == 0x200B || r == 0xFEFF || unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// The numbers an author types in front of a paragraph. A bare number needs
// its punctuation ("1. ", "12) ", "(3) ", "4.- ", "3.2. ") so that a
// paragraph opening with a figure ("1.000 personas", "2024 fue") keeps it;
// a PP/OP label (PO is the Spanish "párrafo operativo") does not.
var (
	rePPOP = regexp.MustCompile(`^(PP|OP|PO)\s?\.?\s?(\d{1,3})(\s?(?:bis|ter|quater|quinquies|alt))?\s?[.):]?(?:\s+|$)`)
	reNum  = regexp.MustCompile(`^(?:\((\d{1,3})\)|(\d{1,3}(?:\.\d{1,3})*)(\s?(?:bis|ter|quater|quinquies|alt))?(?:\.-|\.–|[.)]))(?:\s+|$)`)
	// Headings: "1. ", "2.3 ", "2.3. ", "IV. ", "B) ".
	reHeadNum = regexp.MustCompile(`^(?:(\d{1,3}(?:\.\d{1,3})+)\.?|(\d{1,3})[.)]|([IVXLC]{1,7})[.)]|([A-Z])[.)])\s+`)
)

// paragraphLabel takes a typed number off a paragraph's text and returns it
// with the part it marks.
func paragraphLabel(text string) (number, part, rest string) {
	if m := rePPOP.FindStringSubmatch(text); m != nil {
		if rest = strings.TrimSpace(text[len(m[0]):]); rest == "" {
			return "", "", text
		}
		part = PartOperative
		if m[1] == "PP" {
			part = PartPreambular
		}
		return m[1] + m[2] + m[3], part, rest
	}
	if m := reNum.FindStringSubmatch(text); m != nil {
		if rest = strings.TrimSpace(text[len(m[0]):]); rest == "" {
			return "", "", text
		}
		return m[1] + m[2] + m[3], "", rest
	}
	return "", "", text
}

// isLabelOnly reports whether text is nothing but a paragraph label: the
// number column of a table.
func isLabelOnly(text string) bool {
	return text != "" && (rePPOP.FindString(text) == text || reNum.FindString(text) == text)
}

// headingLabel takes an outline number ("2.3", "IV", "B") off a heading.
func headingLabel(text string) (number, rest string) {
	m := reHeadNum.FindStringSubmatch(text)
	if m == nil {
		return "", text
	}
	if m[3] != "" && !isRoman(m[3]) {
		return "", text
	}
	rest = strings.TrimSpace(text[len(m[0]):])
	if rest == "" {
		return "", text
	}
	return m[1] + m[2] + m[3] + m[4], rest
}

var reRoman = regexp.MustCompile(`^C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$`)

func isRoman(s string) bool { return s != "" && reRoman.MatchString(s) }

// renumberLevels maps the heading levels a draft uses, in order of depth, to
// 1, 2, 3…: chapters are 1 whatever style they were typed in.
func renumberLevels(blocks []Block) {
	var used []int
	for _, b := range blocks {
		if b.Heading && !slices.Contains(used, b.Level) {
			used = append(used, b.Level)
		}
	}
	slices.Sort(used)
	for i := range blocks {
		if blocks[i].Heading {
			blocks[i].Level = slices.Index(used, blocks[i].Level) + 1
		}
	}
}

// Words that make a heading name the preambular or the operative part.
var (
	preambleWords  = []string{"preámbulo", "preambulo", "preamble", "préambule", "preâmbulo", "preambular", "préambulaire"}
	operativeWords = []string{"operative part", "operative paragraphs", "parte operativa", "parte dispositiva",
		"partie dispositive", "dispositif", "parte resolutiva", "párrafos operativos", "parágrafos operativos"}
)

func headingPart(text string) string {
	t := strings.ToLower(text)
	for _, w := range preambleWords {
		if strings.Contains(t, w) {
			return PartPreambular
		}
	}
	for _, w := range operativeWords {
		if strings.Contains(t, w) {
			return PartOperative
		}
	}
	return ""
}

// partsFromHeadings gives the paragraphs under a "Preámbulo" or "Operative
// part" heading, down to the next heading of the same or a higher level,
// that part, unless their own label says otherwise.
func partsFromHeadings(blocks []Block) {
	var stack []struct {
		level int
		part  string
	}
	for i := range blocks {
		b := &blocks[i]
		if b.Heading {
			for len(stack) > 0 && stack[len(stack)-1].level >= b.Level {
				stack = stack[:len(stack)-1]
			}
			if p := headingPart(b.Text); p != "" {
				stack = append(stack, struct {
					level int
					part  string
				}{b.Level, p})
			}
			continue
		}
		if b.Part == "" && len(stack) > 0 {
			b.Part = stack[len(stack)-1].part
		}
	}
}
