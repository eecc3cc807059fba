package draftdoc

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cartagena-c40/consulta/app/draft"
	"github.com/cartagena-c40/consulta/app/export"
	"github.com/gomutex/godocx"
)

// docxWriter writes the body of word/document.xml itself, in a package
// github.com/gomutex/godocx makes (its styles: Title, Heading 1–9,
// TableGrid; settings, fonts, relationships). godocx has no tracked
// changes: a revision in WordprocessingML is a run wrapped in w:ins, or
// in w:del with w:delText in place of w:t, and a paragraph added or
// deleted whole carries the same mark on its paragraph mark (w:pPr/w:rPr).
// Those are the few elements written here; in the other documents an
// insertion is an underlined run and a deletion a struck-through one.
type docxWriter struct {
	b       strings.Builder
	tracked bool      // insertions and deletions as Word revisions
	author  string    // of the revisions
	date    time.Time // of the revisions
	nextID  int       // w:id of the next revision
}

func writeDOCX(d *Doc, out io.Writer) error {
	w := &docxWriter{tracked: d.tracked(), author: "Consulta", date: d.Opts.Now}
	if d.Rev != nil {
		w.date = d.Rev.Record.CreatedTime()
		if d.Rev.By != "" {
			w.author = d.Rev.By
		}
	}
	render(d, w)
	doc, err := godocx.NewDocument()
	if err != nil {
		return err
	}
	var pkg bytes.Buffer
	if err := doc.Write(&pkg); err != nil {
		return err
	}
	return replaceBody(pkg.Bytes(), w.b.String(), out)
}

// A4 with 2.5 cm margins, in twentieths of a point.
const sectPr = `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>`

// replaceBody copies the package in with the body of word/document.xml
// replaced by body.
func replaceBody(in []byte, body string, out io.Writer) error {
	return export.RewriteDocument(in, out, func(doc []byte) ([]byte, error) {
		s := string(doc)
		start, end := strings.Index(s, "<w:body>"), strings.LastIndex(s, "</w:body>")
		if start < 0 || end < start {
			return nil, fmt.Errorf("docx: the template has no body")
		}
		return []byte(s[:start] + "<w:body>" + body + sectPr + s[end:]), nil
	})
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// mark is the attributes of a revision.
func (w *docxWriter) mark() string {
	w.nextID++
	return fmt.Sprintf(`w:id="%d" w:author="%s" w:date="%s"`, w.nextID, esc(w.author), w.date.UTC().Format("2006-01-02T15:04:05Z"))
}

// run writes text as one run with properties rPr.
func (w *docxWriter) run(text, rPr string) {
	w.b.WriteString("<w:r>")
	if rPr != "" {
		w.b.WriteString("<w:rPr>" + rPr + "</w:rPr>")
	}
	w.b.WriteString(`<w:t xml:space="preserve">` + esc(text) + `</w:t></w:r>`)
}

// runs writes marked text: tracked, as revisions; otherwise underlined
// and struck through. rPr applies to every piece.
func (w *docxWriter) runs(cs []draft.Change, rPr string) {
	for _, c := range cs {
		switch {
		case c.Kind == draft.Equal:
			w.run(c.Text, rPr)
		case w.tracked && c.Kind == draft.Insert:
			w.b.WriteString("<w:ins " + w.mark() + ">")
			w.run(c.Text, rPr)
			w.b.WriteString("</w:ins>")
		case w.tracked:
			w.b.WriteString("<w:del " + w.mark() + "><w:r>")
			if rPr != "" {
				w.b.WriteString("<w:rPr>" + rPr + "</w:rPr>")
			}
			w.b.WriteString(`<w:delText xml:space="preserve">` + esc(c.Text) + `</w:delText></w:r></w:del>`)
		case c.Kind == draft.Insert:
			w.run(c.Text, rPr+`<w:u w:val="single"/>`)
		default:
			w.run(c.Text, rPr+`<w:strike/>`)
		}
	}
}

// open starts a paragraph with properties pPr; whole marks its paragraph
// mark as inserted or deleted.
func (w *docxWriter) open(pPr string, whole draft.ChangeKind) {
	if w.tracked && whole != draft.Equal {
		tag := "w:ins"
		if whole == draft.Delete {
			tag = "w:del"
		}
		pPr += "<w:rPr><" + tag + " " + w.mark() + "/></w:rPr>"
	}
	w.b.WriteString("<w:p>")
	if pPr != "" {
		w.b.WriteString("<w:pPr>" + pPr + "</w:pPr>")
	}
}

func (w *docxWriter) close() { w.b.WriteString("</w:p>") }

func (w *docxWriter) title(text string, lines [][2]string) {
	w.open(`<w:pStyle w:val="Title"/>`, draft.Equal)
	w.run(text, "")
	w.close()
	for _, l := range lines {
		w.open(`<w:spacing w:after="0"/>`, draft.Equal)
		w.run(l[0], "<w:b/>")
		w.run(l[1], "")
		w.close()
	}
}

func (w *docxWriter) heading(level int, text []draft.Change, whole draft.ChangeKind) {
	w.open(fmt.Sprintf(`<w:pStyle w:val="Heading%d"/>`, min(max(level, 1), 9)), whole)
	w.runs(text, "")
	w.close()
}

func (w *docxWriter) para(number, text []draft.Change, whole draft.ChangeKind) {
	w.open(`<w:spacing w:before="120" w:after="60"/><w:ind w:left="851" w:hanging="851"/>`, whole)
	if len(number) > 0 {
		w.runs(number, "<w:b/>")
		w.b.WriteString("<w:r><w:tab/></w:r>")
	}
	w.runs(text, "")
	w.close()
}

func (w *docxWriter) amendment(head string, text []draft.Change, notes []string) {
	w.open(`<w:keepNext/><w:spacing w:before="60" w:after="0"/><w:ind w:left="1134"/>`, draft.Equal)
	w.run(head, `<w:b/><w:sz w:val="20"/>`)
	w.close()
	if len(text) > 0 {
		w.open(`<w:spacing w:after="0"/><w:ind w:left="1134"/>`, draft.Equal)
		w.runs(text, "")
		w.close()
	}
	for _, n := range notes {
		w.open(`<w:spacing w:after="0"/><w:ind w:left="1134"/>`, draft.Equal)
		w.run(n, `<w:i/><w:color w:val="555555"/><w:sz w:val="18"/>`)
		w.close()
	}
}

func (w *docxWriter) note(text string) {
	w.open(`<w:spacing w:after="60"/><w:ind w:left="567"/>`, draft.Equal)
	w.run(text, `<w:i/><w:color w:val="555555"/><w:sz w:val="18"/>`)
	w.close()
}

func (w *docxWriter) table(header []string, rows [][]string) {
	w.b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/></w:tblPr><w:tblGrid>`)
	for range header {
		w.b.WriteString(`<w:gridCol/>`)
	}
	w.b.WriteString(`</w:tblGrid>`)
	row := func(cells []string, head bool) {
		w.b.WriteString("<w:tr>")
		if head {
			w.b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for _, c := range cells {
			w.b.WriteString("<w:tc><w:p><w:pPr><w:spacing w:after=\"0\"/></w:pPr>")
			rPr := `<w:sz w:val="16"/>`
			if head {
				rPr = "<w:b/>" + rPr // the schema's order: b before sz
			}
			w.run(c, rPr)
			w.b.WriteString("</w:p></w:tc>")
		}
		w.b.WriteString("</w:tr>")
	}
	row(header, true)
	for _, r := range rows {
		row(r, false)
	}
	w.b.WriteString("</w:tbl>")
}

func (w *docxWriter) pageBreak() { w.b.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`) }
