package draftdoc

import (
	"bufio"
	"io"
	"regexp"
	"strings"

	"github.com/cartagena-c40/consulta/app/draft"
)

// markdown writes the documents as CommonMark with two GitHub and Pandoc
// extensions for marked text: ~~deleted~~ and <ins>inserted</ins>.
type markdown struct{ w *bufio.Writer }

func writeMarkdown(d *Doc, out io.Writer) error {
	m := &markdown{w: bufio.NewWriter(out)}
	render(d, m)
	return m.w.Flush()
}

// mdEsc keeps text from being read as Markdown: emphasis, strike-through,
// code, tables, HTML. Brackets are escaped so that [bracketed language]
// never reads as a link.
func mdEsc(s string) string {
	return mdEscaper.Replace(strings.ReplaceAll(s, "\n", " "))
}

var mdEscaper = strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "|", "\\|", "<", "&lt;",
	"~", "\\~", "[", "\\[", "]", "\\]")

var listItem = regexp.MustCompile(`^(#|>|[-+=] |[0-9]+[.)] )`)

// marked writes marked text.
func (m *markdown) marked(cs []draft.Change) string {
	var b strings.Builder
	for _, c := range cs {
		t := mdEsc(c.Text)
		// Emphasis cannot start or end inside spaces: keep them outside.
		lead := t[:len(t)-len(strings.TrimLeft(t, " "))]
		trail := t[len(strings.TrimRight(t, " ")):]
		core := strings.TrimSpace(t)
		switch {
		case c.Kind == draft.Equal || core == "":
			b.WriteString(t)
		case c.Kind == draft.Insert:
			b.WriteString(lead + "<ins>" + core + "</ins>" + trail)
		default:
			b.WriteString(lead + "~~" + core + "~~" + trail)
		}
	}
	return b.String()
}

func (m *markdown) title(text string, lines [][2]string) {
	m.w.WriteString("# " + mdEsc(text) + "\n\n")
	for _, l := range lines {
		m.w.WriteString("**" + mdEsc(strings.TrimSpace(l[0])) + "** " + mdEsc(l[1]) + "  \n")
	}
	m.w.WriteString("\n")
}

func (m *markdown) heading(level int, text []draft.Change, whole draft.ChangeKind) {
	// The title is the only level-1 heading.
	m.w.WriteString(strings.Repeat("#", min(level+1, 6)) + " " + m.marked(text) + "\n\n")
}

func (m *markdown) para(number, text []draft.Change, whole draft.ChangeKind) {
	if len(number) > 0 {
		m.w.WriteString("**" + m.marked(number) + "** ")
	} else if listItem.MatchString(changed(text)) {
		m.w.WriteString("\\")
	}
	m.w.WriteString(m.marked(text) + "\n\n")
}

func (m *markdown) amendment(head string, text []draft.Change, notes []string) {
	m.w.WriteString("> **" + mdEsc(head) + "**")
	if len(text) > 0 {
		m.w.WriteString("  \n> " + m.marked(text))
	}
	for _, n := range notes {
		m.w.WriteString("  \n> *" + mdEsc(n) + "*")
	}
	m.w.WriteString("\n\n")
}

func (m *markdown) note(text string) { m.w.WriteString("*" + mdEsc(text) + "*\n\n") }

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
