package draftdoc

import (
	"fmt"
	"io"
	"strings"

	"github.com/cartagena-c40/consulta/app/draft"
	"github.com/cartagena-c40/consulta/app/export"
	"github.com/cartagena-c40/consulta/assets"
	"github.com/go-pdf/fpdf"
)

// pdfWriter lays the documents out with github.com/go-pdf/fpdf in DejaVu
// Sans (embedded, so every accent renders), as app/export does. Marked
// text flows with fpdf's Write: an insertion underlined (fpdf's "U") in
// dark blue, a deletion struck through ("S") in dark red; the lines, not
// the colours, carry the meaning, so a grey print reads the same.
type pdfWriter struct {
	pdf *fpdf.Fpdf
}

const (
	pdfFont   = "DejaVu"
	pdfMargin = 20.0
	pdfIndent = 12.0 // the text of a numbered paragraph
	pdfAmend  = 20.0 // an amendment under its paragraph
	pdfLine   = 5.0
)

func writePDF(d *Doc, out io.Writer) error {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	p.SetAutoPageBreak(true, pdfMargin)
	p.AddUTF8FontFromBytes(pdfFont, "", assets.FontRegular)
	p.AddUTF8FontFromBytes(pdfFont, "B", assets.FontBold)
	p.SetTitle(d.Draft.Title, true)
	p.SetCreator("Consulta", true)
	p.SetCreationDate(d.Opts.Now)
	p.SetModificationDate(d.Opts.Now)
	p.SetCatalogSort(true) // the same document gives the same bytes
	footer := d.Draft.Title
	if d.Rev != nil {
		footer += " · " + d.RevLabel(d.Rev)
	}
	page := d.L("page")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(pdfFont, "", 8)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(0, 5, fmt.Sprintf("%s · %s %d", footer, page, p.PageNo()), "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
	render(d, &pdfWriter{pdf: p})
	return p.Output(out)
}

func (w *pdfWriter) width() float64 {
	pw, _ := w.pdf.GetPageSize()
	return pw - 2*pdfMargin
}

// flow writes marked text from the current position, wrapping at the
// left margin left (from the page's margin).
func (w *pdfWriter) flow(cs []draft.Change, size float64, bold bool, left float64) {
	p := w.pdf
	p.SetLeftMargin(pdfMargin + left)
	defer p.SetLeftMargin(pdfMargin)
	style := ""
	if bold {
		style = "B"
	}
	for _, c := range cs {
		switch c.Kind {
		case draft.Insert:
			p.SetFont(pdfFont, style+"U", size)
			p.SetTextColor(20, 60, 150)
		case draft.Delete:
			p.SetFont(pdfFont, style+"S", size)
			p.SetTextColor(160, 30, 30)
		default:
			p.SetFont(pdfFont, style, size)
			p.SetTextColor(0, 0, 0)
		}
		p.Write(size*0.5, c.Text)
	}
	p.SetTextColor(0, 0, 0)
	p.SetFont(pdfFont, "", size)
}

// room starts a new page when less than h is left on this one.
func (w *pdfWriter) room(h float64) {
	_, ph := w.pdf.GetPageSize()
	if w.pdf.GetY() > ph-pdfMargin-h {
		w.pdf.AddPage()
	}
}

func (w *pdfWriter) title(text string, lines [][2]string) {
	p := w.pdf
	p.SetFont(pdfFont, "B", 18)
	p.Ln(10)
	p.MultiCell(0, 8, text, "", "L", false)
	p.Ln(5)
	for _, l := range lines {
		p.SetFont(pdfFont, "B", 10)
		lw := p.GetStringWidth(l[0]) + 1
		p.CellFormat(lw, pdfLine, l[0], "", 0, "L", false, 0, "")
		p.SetFont(pdfFont, "", 10)
		p.MultiCell(0, pdfLine, l[1], "", "L", false)
	}
	p.Ln(4)
}

func (w *pdfWriter) heading(level int, text []draft.Change, whole draft.ChangeKind) {
	size := map[int]float64{1: 14, 2: 12, 3: 11}[min(max(level, 1), 3)]
	w.room(25)
	w.pdf.Ln(4)
	if level <= 3 {
		w.pdf.Bookmark(changed(text), level-1, -1)
	}
	w.flow(text, size, true, 0)
	w.pdf.Ln(size*0.5 + 2)
}

// changed is the text as it reads after the changes.
func changed(cs []draft.Change) string {
	var b strings.Builder
	for _, c := range cs {
		if c.Kind != draft.Delete {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

func (w *pdfWriter) para(number, text []draft.Change, whole draft.ChangeKind) {
	w.room(12)
	w.pdf.Ln(1.5)
	y := w.pdf.GetY()
	if len(number) > 0 {
		w.flow(number, 10, true, 0)
	}
	if w.pdf.GetX() > pdfMargin+pdfIndent-1 {
		w.pdf.Ln(pdfLine)
	} else {
		w.pdf.SetY(y)
	}
	w.pdf.SetX(pdfMargin + pdfIndent)
	w.flow(text, 10, false, pdfIndent)
	w.pdf.Ln(pdfLine + 1)
}

func (w *pdfWriter) amendment(head string, text []draft.Change, notes []string) {
	p := w.pdf
	w.room(14)
	p.SetX(pdfMargin + pdfAmend)
	p.SetFont(pdfFont, "B", 9)
	p.MultiCell(w.width()-pdfAmend, 4.5, head, "", "L", false)
	if len(text) > 0 {
		p.SetX(pdfMargin + pdfAmend)
		w.flow(text, 9.5, false, pdfAmend)
		p.Ln(5)
	}
	p.SetFont(pdfFont, "", 8.5)
	p.SetTextColor(85, 85, 85)
	for _, n := range notes {
		p.SetX(pdfMargin + pdfAmend)
		p.MultiCell(w.width()-pdfAmend, 4.2, n, "", "L", false)
	}
	p.SetTextColor(0, 0, 0)
	p.Ln(1.5)
}

func (w *pdfWriter) note(text string) {
	p := w.pdf
	p.SetX(pdfMargin + pdfIndent)
	p.SetFont(pdfFont, "", 8.5)
	p.SetTextColor(85, 85, 85)
	p.MultiCell(w.width()-pdfIndent, 4.2, text, "", "L", false)
	p.SetTextColor(0, 0, 0)
	p.Ln(1)
}

// table writes a table in small type: the widest first columns get the
// room their text needs, up to a quarter of the page each.
func (w *pdfWriter) table(header []string, rows [][]string) {
	p := w.pdf
	n := len(header)
	if n == 0 {
		return
	}
	const size = 6.5
	p.SetFont(pdfFont, "", size)
	widths := make([]float64, n)
	for i := range header {
		widths[i] = p.GetStringWidth(header[i]) + 2
		for _, r := range rows {
			if i < len(r) {
				widths[i] = max(widths[i], p.GetStringWidth(r[i])+2)
			}
		}
		widths[i] = min(widths[i], w.width()/4)
	}
	total := 0.0
	for _, x := range widths {
		total += x
	}
	for i := range widths { // fit the page
		widths[i] *= w.width() / total
	}
	row := func(cells []string, head bool) {
		style := ""
		if head {
			style = "B"
		}
		p.SetFont(pdfFont, style, size)
		for i, c := range cells {
			p.CellFormat(widths[i], 4.5, export.FitText(p, c, widths[i]-1), "1", 0, "L", head, 0, "")
		}
		p.Ln(-1)
	}
	p.SetFillColor(230, 230, 230)
	row(header, true)
	for _, r := range rows {
		if w.room(8); p.GetY() < pdfMargin+1 {
			row(header, true) // the header again on each page
		}
		row(r, false)
	}
	p.Ln(3)
}

func (w *pdfWriter) pageBreak() { w.pdf.AddPage() }
