package draftdoc

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/cartagena-c40/consulta/app"

	"github.com/cartagena-c40/consulta/app/export"
	"github.com/xuri/excelize/v2"
)

// writeCSV writes the status table, with CRLF line endings as export's
// CSV (RFC 4180).
func writeCSV(d *Doc, out io.Writer) error {
	w := csv.NewWriter(out)
	w.UseCRLF = true
	if err := w.Write(d.statusHeader()); err != nil {
		return err
	}
	if err := w.WriteAll(d.statusRows()); err != nil {
		return err
	}
	return w.Error()
}

// writeXLSX writes the status table and the memoranda, a sheet each,
// counts as numbers.
func writeXLSX(d *Doc, out io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	status, memo := export.SheetName(d.L("status table")), export.SheetName(d.L("memorandum"))
	if err := f.SetSheetName("Sheet1", status); err != nil {
		return err
	}
	if _, err := f.NewSheet(memo); err != nil {
		return err
	}
	counts := func(i int) bool { return i >= 3 && i <= 3+len(app.AmendmentStatuses) }
	if err := sheet(f, status, d.statusHeader(), d.statusRows(), bold, counts, []float64{10, 40, 16, 10, 10, 12, 10, 10, 10, 8, 17}); err != nil {
		return err
	}
	none := func(int) bool { return false }
	if err := sheet(f, memo, d.memoHeader(), d.memoRows(), bold, none, []float64{12, 17, 10, 10, 16, 16, 60}); err != nil {
		return err
	}
	return f.Write(out)
}

// sheet streams header and rows into the sheet name; the columns numeric
// says are written as numbers.
func sheet(f *excelize.File, name string, header []string, rows [][]string, bold int, numeric func(int) bool, widths []float64) error {
	sw, err := export.NewSheetWriter(f, name, 1+len(rows), len(header))
	if err != nil {
		return err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	cells := make([]any, len(header))
	for r, row := range rows {
		for i, c := range row {
			if n, err := strconv.Atoi(c); err == nil && numeric(i) {
				cells[i] = n
			} else {
				cells[i] = c
			}
		}
		at, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(at, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}
