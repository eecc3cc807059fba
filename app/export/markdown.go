package export

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

// markdown writes the document as CommonMark.
type markdown struct{ w *bufio.Writer }

func writeMarkdown(r *Report, out io.Writer) error {
	m := &markdown{w: bufio.NewWriter(out)}
	render(r, m)
	return m.w.Flush()
}

// mdEsc keeps text from being read as Markdown: emphasis, code, tables,
// HTML.
func mdEsc(s string) string {
	return strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "|", "\\|", "<", "&lt;").Replace(s)
}

// mdBlock escapes a text that starts a line: also headings, quotes, lists.
func mdBlock(s string) string {
	s = mdEsc(s)
	if listItem.MatchString(s) {
		s = "\\" + s
	}
	return s
}

var listItem = regexp.MustCompile(`^(#|>|[-+=] |[0-9]+[.)] )`)

func (m *markdown) title(text string) { m.w.WriteString("# " + mdEsc(text) + "\n\n") }
func (m *markdown) line(label, value string) {
	m.w.WriteString("**" + mdEsc(label) + ":** " + mdEsc(value) + "  \n")
}
func (m *markdown) contents(title string, es []tocEntry) {
	m.w.WriteString("\n## " + mdEsc(title) + "\n\n")
	for _, e := range es {
		m.w.WriteString(strings.Repeat("  ", e.Level-1) + "- " + mdEsc(e.Text) + "\n")
	}
	m.w.WriteString("\n")
}
func (m *markdown) heading(level int, text string) {
	// The title is the only level-1 heading: chapters are ##.
	m.w.WriteString(strings.Repeat("#", min(level+1, 6)) + " " + mdEsc(text) + "\n\n")
}
func (m *markdown) para(text string) {
	m.w.WriteString(mdBlock(strings.ReplaceAll(text, "\n", " ")) + "\n\n")
}
func (m *markdown) meta(text string) { m.w.WriteString("*" + mdEsc(text) + "*\n\n") }
func (m *markdown) table(header []string, rows [][]string) {
	row := func(cells []string) {
		m.w.WriteString("|")
		for _, c := range cells {
			m.w.WriteString(" " + mdEsc(c) + " |")
		}
		m.w.WriteString("\n")
	}
	row(header)
	m.w.WriteString("|" + strings.Repeat(" --- |", len(header)) + "\n")
	for _, r := range rows {
		row(r)
	}
	m.w.WriteString("\n")
}
func (m *markdown) pageBreak() {}
