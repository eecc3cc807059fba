package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/xuri/excelize/v2"
)

// column is one field of a record in the spreadsheets.
type column struct {
	key   string // label key
	hxl   string // Humanitarian Exchange Language hashtag
	width float64
	value func(r *Report, rec *app.Record) any
}

func joinLabels[T ~string](r *Report, list string, codes []T) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = r.Label(list, string(c))
	}
	return strings.Join(out, "; ")
}

func joinIDs(ids []app.RecordID) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return strings.Join(out, " ")
}

// columns are the spreadsheets' columns, in order.
var columns = []column{
	{"id", "#meta+id", 28, func(_ *Report, rec *app.Record) any { return string(rec.ID) }},
	{"kind", "#meta+kind", 12, func(r *Report, rec *app.Record) any { return r.KindLabel(rec.Kind) }},
	{"status", "#status", 12, func(r *Report, rec *app.Record) any { return r.StatusLabel(rec.Status) }},
	{"title", "#description+title", 40, func(_ *Report, rec *app.Record) any { return rec.Title }},
	{"text", "#description", 80, func(_ *Report, rec *app.Record) any { return rec.Body }},
	{"language", "#meta+lang", 8, func(_ *Report, rec *app.Record) any { return string(rec.Lang) }},
	{"meeting", "#event+name", 30, func(r *Report, rec *app.Record) any {
		if rec.Kind == app.KindMeeting {
			return rec.Title
		}
		return r.MeetingTitle(rec)
	}},
	{"date", "#date", 11, func(r *Report, rec *app.Record) any { return r.DateOf(rec) }},
	{"subregion", "#region+name", 16, func(r *Report, rec *app.Record) any { return r.Label("subregions", string(rec.SubRegion)) }},
	{"country", "#country+name", 16, func(r *Report, rec *app.Record) any { return r.Label("countries", string(rec.Country)) }},
	{"country", "#country+code", 6, func(_ *Report, rec *app.Record) any { return string(rec.Country) }},
	{"themes", "#sector", 40, func(r *Report, rec *app.Record) any { return joinLabels(r, "themes", rec.Themes) }},
	{"stakeholder", "#org+type", 24, func(r *Report, rec *app.Record) any { return r.Label("stakeholders", string(rec.Stakeholder)) }},
	{"populations", "#affected+type", 24, func(r *Report, rec *app.Record) any { return joinLabels(r, "populations", rec.Populations) }},
	{"tags", "#affected+category", 24, func(r *Report, rec *app.Record) any { return joinLabels(r, "tags", rec.Tags) }},
	{"author", "#contact+name", 20, func(_ *Report, rec *app.Record) any { return rec.Author }},
	{"organization", "#org+name", 24, func(_ *Report, rec *app.Record) any { return rec.Org }},
	{"sources", "#meta+sources", 28, func(_ *Report, rec *app.Record) any { return joinIDs(rec.Sources) }},
	{"merged into", "#meta+merged", 28, func(_ *Report, rec *app.Record) any { return joinIDs(rec.MergedInto) }},
	{"contributors", "#contact+contributors", 30, func(_ *Report, rec *app.Record) any { return contributors(rec) }},
	{"supporters", "#indicator+supporters+num", 10, func(_ *Report, rec *app.Record) any { return len(rec.Supporters) }},
	{"updated", "#date+updated", 17, func(_ *Report, rec *app.Record) any { return rec.UpdatedTime().Format("2006-01-02 15:04") }},
}

// rows are the records of the spreadsheets: the meetings, then the rest.
func (r *Report) rows() []*app.Record {
	return append(append([]*app.Record(nil), r.Meetings...), r.Records...)
}

func (r *Report) header() []string {
	h := make([]string, len(columns))
	for i, c := range columns {
		h[i] = r.L(c.key)
	}
	h[10] += " (ISO)" // the country code column
	return h
}

func hxlRow() []string {
	h := make([]string, len(columns))
	for i, c := range columns {
		h[i] = c.hxl
	}
	return h
}

// writeCSV writes one row per record, UTF-8, with the CRLF line endings
// RFC 4180 asks for (on every system, so that an export is the same file
// whichever laptop wrote it; Excel, LibreOffice and every CSV reader take
// them). A line break inside a field is CRLF too.
func writeCSV(r *Report, out io.Writer) error {
	if r.Opts.BOM {
		if _, err := io.WriteString(out, "\uFEFF"); err != nil {
			return err
		}
	}
	w := csv.NewWriter(out)
	w.UseCRLF = true
	if err := w.Write(r.header()); err != nil {
		return err
	}
	if r.Opts.HXL {
		if err := w.Write(hxlRow()); err != nil {
			return err
		}
	}
	row := make([]string, len(columns))
	for _, rec := range r.rows() {
		for i, c := range columns {
			row[i] = fmt.Sprint(c.value(r, rec))
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// writeXLSX writes one sheet per kind, with the streaming writer (a sheet
// of tens of thousands of rows stays out of memory), and a summary sheet.
func writeXLSX(r *Report, out io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	// The summary first: it is what opens.
	summary := SheetName(r.L("summary"))
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	head, body := r.summaryHeader(), r.summaryRows()
	width := len(head)
	for _, row := range body {
		width = max(width, len(row))
	}
	sw, err := NewSheetWriter(f, summary, 1+len(body), width)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 50); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, len(r.Summary.SubRegions)+2, 16); err != nil {
		return err
	}
	if err := sw.SetRow("A1", cellsOf(head, bold)); err != nil {
		return err
	}
	for i, row := range body {
		cells := make([]any, len(row))
		cells[0] = row[0]
		for j, n := range row[1:] {
			var v int
			fmt.Sscan(n, &v)
			cells[j+1] = v
		}
		if err := sw.SetRow(cellName(1, i+2), cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	byKind := map[app.Kind][]*app.Record{}
	for _, rec := range r.rows() {
		byKind[rec.Kind] = append(byKind[rec.Kind], rec)
	}
	for _, k := range app.Kinds {
		recs := byKind[k]
		if len(recs) == 0 {
			continue
		}
		name := SheetName(r.L(pluralKey(k)))
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		heads := 1
		if r.Opts.HXL {
			heads = 2
		}
		sw, err := NewSheetWriter(f, name, heads+len(recs), len(columns))
		if err != nil {
			return err
		}
		for i, c := range columns {
			if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
				return err
			}
		}
		if err := sw.SetRow("A1", cellsOf(r.header(), bold)); err != nil {
			return err
		}
		at := 2
		if r.Opts.HXL {
			if err := sw.SetRow("A2", cellsOf(hxlRow(), bold)); err != nil {
				return err
			}
			at = 3
		}
		cells := make([]any, len(columns))
		for _, rec := range recs {
			for i, c := range columns {
				v := c.value(r, rec)
				if s, ok := v.(string); ok && len(s) > 32767 {
					v = s[:32760] + "…" // a cell holds at most 32,767 characters
				}
				if c.key == "text" {
					v = excelize.Cell{StyleID: wrap, Value: v}
				}
				cells[i] = v
			}
			if err := sw.SetRow(cellName(1, at), cells); err != nil {
				return err
			}
			at++
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(out)
}

// NewSheetWriter returns a streaming writer for the sheet name, which
// will hold rows rows of at most cols cells from A1, and declares that
// range as the sheet's dimension. The writer writes <dimension> when it is
// made, before any row, and never computes it (excelize v2.11.1 leaves
// "A1"); readers that trust it, such as openpyxl in read-only mode, which
// large files need, would see one row and one column. So it is set here,
// from counts known before the first row.
func NewSheetWriter(f *excelize.File, name string, rows, cols int) (*excelize.StreamWriter, error) {
	dim := "A1"
	if rows > 1 || cols > 1 {
		dim = "A1:" + cellName(max(cols, 1), max(rows, 1))
	}
	if err := f.SetSheetDimension(name, dim); err != nil {
		return nil, err
	}
	return f.NewStreamWriter(name)
}

func pluralKey(k app.Kind) string {
	switch k {
	case app.KindProposal:
		return "proposals"
	case app.KindInput:
		return "inputs"
	case app.KindNote:
		return "notes"
	case app.KindMeeting:
		return "meetings"
	}
	return "kind/" + string(k)
}

// SheetName makes s a valid sheet name: at most 31 characters, none of
// : \ / ? * [ ].
func SheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return ' '
		}
		return r
	}, s)
	if rs := []rune(s); len(rs) > 31 {
		s = string(rs[:31])
	}
	return s
}

func cellsOf(vals []string, style int) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = excelize.Cell{StyleID: style, Value: v}
	}
	return out
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}
