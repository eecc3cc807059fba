package draftimport

// Reading Markdown, with github.com/yuin/goldmark's CommonMark parser (the
// module already depends on it): ATX (#) and setext (underlined) headings
// are headings; paragraphs, list items and block quotes are paragraphs, their
// lines joined; emphasis, code and link markup is dropped and its text kept
// (a link keeps its words, not its address); backslash escapes and entities
// are resolved. An indented block (which Markdown reads as code) is kept as
// a paragraph, since a draft's author who indents a paragraph means a
// paragraph. Raw HTML is left out, with a warning.
//
// Title: Markdown documents conventionally open with their title as the only
// top-level heading ("# Declaración…", chapters as "##"). When the first
// block is a level-1 heading and no other level-1 heading follows, it is the
// title; otherwise there is none, and every heading is a section.

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

func readMarkdown(file, src string, warns []Warning) (*Outline, error) {
	source := []byte(src)
	doc := goldmark.New().Parser().Parse(text.NewReader(source))
	var raw []rawBlock
	html := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			raw = append(raw, rawBlock{heading: true, level: n.Level, text: inlineText(n, source)})
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.TextBlock:
			raw = append(raw, rawBlock{text: inlineText(n, source)})
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			raw = append(raw, rawBlock{text: linesText(n, source)})
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			html++
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})

	title := ""
	if len(raw) > 0 && raw[0].heading && raw[0].level == 1 {
		others := 0
		for _, r := range raw[1:] {
			if r.heading && r.level == 1 {
				others++
			}
		}
		if others == 0 {
			title, raw = raw[0].text, raw[1:]
		}
	}
	if html > 0 {
		warns = append(warns, Warning{Code: WarnHTML, Count: html,
			Message: plural(html, "block of HTML was", "blocks of HTML were") + " left out"})
	}
	return finish(file, FormatMarkdown, title, raw, warns)
}

// inlineText is the text of a block's inline content, markup dropped.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Segment.Value(source)
				if !c.IsRaw() {
					v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
				}
				b.Write(v)
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.AutoLink:
				b.Write(c.Label(source))
			case *ast.RawHTML:
				// An inline tag (<br>, <span>) carries no words of its own.
			case *ast.Image:
				// An image's alternative text is not draft text.
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// linesText joins the lines of a code block.
func linesText(n ast.Node, source []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(source))
		b.WriteByte(' ')
	}
	return b.String()
}

// isMarkdown chooses Markdown by extension, and for a file with another
// extension (or none) when a line opens with an ATX heading ("# ", "## ").
func isMarkdown(ext, text string) bool {
	switch ext {
	case ".md", ".markdown", ".mdown", ".mkd", ".mkdn":
		return true
	case ".txt", ".text":
		return false
	}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimLeft(line, "#")
		if n := len(line) - len(t); n >= 1 && n <= 6 && strings.HasPrefix(t, " ") {
			return true
		}
	}
	return false
}
