package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/gomutex/godocx"
	"github.com/gomutex/godocx/docx"
)

// docxWriter builds the document with github.com/gomutex/godocx, whose
// template has Word's built-in Title and Heading 1–9 styles, so Word's and
// LibreOffice's navigation and their own table of contents work.
//
// The library writes no fields, and a table of contents is a field (TOC):
// contents() leaves a marker paragraph, which writeDOCX replaces with the
// field, in a dozen lines of WordprocessingML, holding the chapter list as
// its current result and marked dirty so that Word offers to add page
// numbers on opening (LibreOffice: Tools > Update).
type docxWriter struct {
	doc *docx.RootDoc
	toc []tocEntry
}

const tocMarker = "CONSULTA-TOC-FIELD-MARKER"

func writeDOCX(r *Report, out io.Writer) error {
	doc, err := godocx.NewDocument()
	if err != nil {
		return err
	}
	w := &docxWriter{doc: doc}
	render(r, w)
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		return err
	}
	return insertTOC(buf.Bytes(), w.toc, out)
}

func (w *docxWriter) title(text string) { w.doc.AddHeading(text, 0) }

func (w *docxWriter) line(label, value string) {
	p := w.doc.AddParagraph("")
	p.AddText(label + ": ").Bold(true)
	p.AddText(value)
}

func (w *docxWriter) contents(title string, es []tocEntry) {
	w.toc = es
	p := w.doc.AddParagraph(title)
	p.Style("TOCHeading")
	w.doc.AddParagraph(tocMarker)
}

func (w *docxWriter) heading(level int, text string) { w.doc.AddHeading(text, uint(level)) }

func (w *docxWriter) para(text string) { w.doc.AddParagraph(text) }

func (w *docxWriter) meta(text string) {
	p := w.doc.AddParagraph("")
	p.AddText(text).Italic(true).Size(9).Color("555555") // points
}

func (w *docxWriter) table(header []string, rows [][]string) {
	t := w.doc.AddTable()
	t.Style("TableGrid")
	hr := t.AddRow()
	for _, h := range header {
		hr.AddCell().AddParagraph("").AddText(h).Bold(true)
	}
	for _, row := range rows {
		tr := t.AddRow()
		for _, c := range row {
			tr.AddCell().AddParagraph(c)
		}
	}
}

func (w *docxWriter) pageBreak() { w.doc.AddPageBreak() }

// insertTOC copies the package in, replacing the marker paragraph of
// word/document.xml with a TOC field whose result lists entries.
func insertTOC(in []byte, entries []tocEntry, out io.Writer) error {
	return RewriteDocument(in, out, func(doc []byte) ([]byte, error) { return tocField(doc, entries) })
}

// RewriteDocument copies the DOCX package in to out with its
// word/document.xml replaced by what rewrite makes of it: how a document
// godocx wrote gets what godocx cannot write (a field, tracked changes).
func RewriteDocument(in []byte, out io.Writer, rewrite func(doc []byte) ([]byte, error)) error {
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if f.Name == "word/document.xml" {
			if data, err = rewrite(data); err != nil {
				return err
			}
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func tocField(doc []byte, entries []tocEntry) ([]byte, error) {
	s := string(doc)
	at := strings.Index(s, tocMarker)
	if at < 0 {
		return nil, fmt.Errorf("docx: the table of contents marker is missing")
	}
	start := strings.LastIndex(s[:at], "<w:p>")
	if start < 0 {
		start = strings.LastIndex(s[:at], "<w:p ")
	}
	end := strings.Index(s[at:], "</w:p>")
	if start < 0 || end < 0 {
		return nil, fmt.Errorf("docx: cannot find the table of contents paragraph")
	}
	end += at + len("</w:p>")
	var b strings.Builder
	run := func(inner string) { b.WriteString("<w:r>" + inner + "</w:r>") }
	for i, e := range entries {
		b.WriteString(fmt.Sprintf(`<w:p><w:pPr><w:ind w:left="%d"/></w:pPr>`, (e.Level-1)*440))
		if i == 0 {
			run(`<w:fldChar w:fldCharType="begin" w:dirty="true"/>`)
			run(`<w:instrText xml:space="preserve"> TOC \o "1-2" \h \z \u </w:instrText>`)
			run(`<w:fldChar w:fldCharType="separate"/>`)
		}
		run(`<w:t xml:space="preserve">` + xmlText(e.Text) + `</w:t>`)
		if i == len(entries)-1 {
			run(`<w:fldChar w:fldCharType="end"/>`)
		}
		b.WriteString("</w:p>")
	}
	return []byte(s[:start] + b.String() + s[end:]), nil
}
