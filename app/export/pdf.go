package export

import (
	"fmt"
	"io"
	"strings"

	"github.com/cartagena-c40/consulta/assets"
	"github.com/go-pdf/fpdf"
)

// pdfWriter lays the document out with github.com/go-pdf/fpdf, in DejaVu
// Sans embedded as UTF-8 TrueType so that every accent renders. The table
// of contents comes before the chapters whose pages it gives: its lines
// are written without page numbers, and once the layout is done writePDF
// goes back to those pages (fpdf's SetPage) to add them. Headings also
// become the PDF's outline (bookmarks).
type pdfWriter struct {
	pdf   *fpdf.Fpdf
	pages []int     // the page of each table-of-contents entry, in order
	slots []pdfSlot // where each entry's page number goes
}

// pdfSlot is a place on an earlier page.
type pdfSlot struct {
	page int
	x, y float64
	bold bool
}

const (
	pdfFont   = "DejaVu"
	pdfMargin = 18.0
	pdfLine   = 4.8
)

func writePDF(r *Report, out io.Writer) error {
	w := newPDF(r)
	render(r, w)
	last := w.pdf.PageNo()
	for i, sl := range w.slots {
		if i >= len(w.pages) {
			break
		}
		w.pdf.SetPage(sl.page)
		style := ""
		if sl.bold {
			style = "B"
		}
		w.pdf.SetFont(pdfFont, style, 10)
		w.pdf.SetXY(sl.x, sl.y)
		w.pdf.CellFormat(15, pdfLine, fmt.Sprint(w.pages[i]), "", 0, "R", false, 0, "")
	}
	w.pdf.SetPage(last)
	return w.pdf.Output(out)
}

func newPDF(r *Report) *pdfWriter {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	p.SetAutoPageBreak(true, pdfMargin)
	p.AddUTF8FontFromBytes(pdfFont, "", assets.FontRegular)
	p.AddUTF8FontFromBytes(pdfFont, "B", assets.FontBold)
	p.SetTitle(r.L("consolidated input")+" — "+r.Workspace.Title, true)
	p.SetCreator("Consulta", true)
	pageWord := r.L("page")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(pdfFont, "", 8)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(0, 5, fmt.Sprintf("%s · %s %d", r.Workspace.Title, pageWord, p.PageNo()), "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
	return &pdfWriter{pdf: p}
}

func (w *pdfWriter) width() float64 {
	pw, _ := w.pdf.GetPageSize()
	return pw - 2*pdfMargin
}

func (w *pdfWriter) title(text string) {
	w.pdf.SetFont(pdfFont, "B", 20)
	w.pdf.Ln(30)
	w.pdf.MultiCell(0, 9, text, "", "L", false)
	w.pdf.Ln(8)
}

func (w *pdfWriter) line(label, value string) {
	w.pdf.SetFont(pdfFont, "B", 10)
	lw := w.pdf.GetStringWidth(label+": ") + 1
	w.pdf.CellFormat(lw, pdfLine, label+": ", "", 0, "L", false, 0, "")
	w.pdf.SetFont(pdfFont, "", 10)
	w.pdf.MultiCell(0, pdfLine, value, "", "L", false)
}

func (w *pdfWriter) contents(title string, es []tocEntry) {
	w.pdf.Ln(10)
	w.pdf.SetFont(pdfFont, "B", 14)
	w.pdf.CellFormat(0, 8, title, "", 1, "L", false, 0, "")
	for _, e := range es {
		style, indent := "", 8.0
		if e.Level == 1 {
			style, indent = "B", 0
		}
		w.pdf.SetFont(pdfFont, style, 10)
		text := FitText(w.pdf, e.Text, w.width()-indent-15)
		w.pdf.SetX(pdfMargin + indent)
		w.pdf.CellFormat(w.width()-indent-15, pdfLine, text, "", 0, "L", false, 0, "")
		w.slots = append(w.slots, pdfSlot{page: w.pdf.PageNo(), x: w.pdf.GetX(), y: w.pdf.GetY(), bold: style == "B"})
		w.pdf.Ln(pdfLine)
	}
}

func (w *pdfWriter) heading(level int, text string) {
	sizes := map[int]float64{1: 16, 2: 13.5, 3: 12, 4: 11, 5: 10.5}
	size := sizes[level]
	if level == 1 && w.pdf.GetY() > pdfMargin+1 {
		w.pdf.AddPage()
	}
	// Keep a heading with what follows it.
	_, ph := w.pdf.GetPageSize()
	if w.pdf.GetY() > ph-pdfMargin-25 {
		w.pdf.AddPage()
	}
	if level <= 2 {
		w.pages = append(w.pages, w.pdf.PageNo())
	}
	w.pdf.Ln(map[int]float64{1: 2, 2: 4, 3: 3, 4: 2, 5: 2}[level])
	if level <= 4 {
		w.pdf.Bookmark(text, level-1, -1)
	}
	w.pdf.SetFont(pdfFont, "B", size)
	w.pdf.MultiCell(0, size*0.5, text, "", "L", false)
	w.pdf.Ln(1)
}

func (w *pdfWriter) para(text string) {
	w.pdf.SetFont(pdfFont, "", 9.5)
	w.pdf.MultiCell(0, pdfLine, text, "", "L", false)
	w.pdf.Ln(1.5)
}

func (w *pdfWriter) meta(text string) {
	w.pdf.SetFont(pdfFont, "", 8.5)
	w.pdf.SetTextColor(85, 85, 85)
	w.pdf.MultiCell(0, 4.2, text, "", "L", false)
	w.pdf.SetTextColor(0, 0, 0)
	w.pdf.Ln(1)
}

func (w *pdfWriter) table(header []string, rows [][]string) {
	n := len(header)
	if n == 0 {
		return
	}
	// The first column gets the room it needs, up to 40%; the rest share.
	w.pdf.SetFont(pdfFont, "", 7.5)
	first := w.pdf.GetStringWidth(header[0]) + 3
	for _, r := range rows {
		first = max(first, w.pdf.GetStringWidth(r[0])+3)
	}
	first = min(first, w.width()*0.4)
	rest := (w.width() - first) / float64(n-1)
	widthOf := func(i int) float64 {
		if i == 0 {
			return first
		}
		return rest
	}
	row := func(cells []string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		w.pdf.SetFont(pdfFont, style, 7.5)
		for i, c := range cells {
			w.pdf.CellFormat(widthOf(i), 5, FitText(w.pdf, c, widthOf(i)-1.5), "1", 0, "L", bold, 0, "")
		}
		w.pdf.Ln(-1)
	}
	w.pdf.SetFillColor(230, 230, 230)
	row(header, true)
	_, ph := w.pdf.GetPageSize()
	for _, r := range rows {
		if w.pdf.GetY() > ph-pdfMargin-8 {
			w.pdf.AddPage()
			row(header, true) // the header again on each page
		}
		row(r, false)
	}
}

func (w *pdfWriter) pageBreak() { w.pdf.AddPage() }

// FitText shortens s to fit width in p's current font, with an ellipsis.
func FitText(p *fpdf.Fpdf, s string, width float64) string {
	if p.GetStringWidth(s) <= width {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if p.GetStringWidth(string(rs[:mid])+"…") <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimSpace(string(rs[:lo])) + "…"
}
