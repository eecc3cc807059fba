package export_test

import (
	"archive/zip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app/export"
	"github.com/xuri/excelize/v2"
)

// sheetExtent is what one worksheet part of an .xlsx says and holds.
type sheetExtent struct {
	part      string // xl/worksheets/sheetN.xml
	dimension string // its <dimension ref>
	used      string // the range its cells cover, from A1
	rows      int    // the last row holding a cell
	cols      int    // the last column holding a cell
}

// sheetExtents reads every worksheet of the .xlsx at path as XML, without a
// spreadsheet library: the dimension it declares and the cells it holds.
func sheetExtents(t *testing.T, path string) []sheetExtent {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	part := regexp.MustCompile(`^xl/worksheets/sheet\d+\.xml$`)
	var out []sheetExtent
	for _, zf := range zr.File {
		if !part.MatchString(zf.Name) {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		e := sheetExtent{part: zf.Name}
		d := xml.NewDecoder(rc)
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			for _, a := range se.Attr {
				switch {
				case se.Name.Local == "dimension" && a.Name.Local == "ref":
					e.dimension = a.Value
				case se.Name.Local == "c" && a.Name.Local == "r":
					col, row, err := excelize.CellNameToCoordinates(a.Value)
					if err != nil {
						t.Fatalf("%s: cell %q: %v", zf.Name, a.Value, err)
					}
					e.cols, e.rows = max(e.cols, col), max(e.rows, row)
				}
			}
		}
		rc.Close()
		last, _ := excelize.CoordinatesToCellName(e.cols, e.rows)
		e.used = "A1:" + last
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { // sheet2.xml before sheet10.xml
		return len(out[i].part) < len(out[j].part) || len(out[i].part) == len(out[j].part) && out[i].part < out[j].part
	})
	return out
}

// TestXLSXDimension: every sheet declares the range its rows cover, so
// that a streaming reader, which trusts the declaration, reads them all.
func TestXLSXDimension(t *testing.T) {
	f := newFixture(t, 2000)
	path := write(t, f.svc, export.Options{Format: "xlsx", Lang: "en", HXL: true, IncludeNotes: true})
	extents := sheetExtents(t, path)
	if len(extents) < 4 { // the summary, meetings, proposals, inputs, notes
		t.Fatalf("%d worksheets: %v", len(extents), extents)
	}
	for _, e := range extents {
		if e.rows < 3 || e.cols < 2 {
			t.Errorf("%s holds only %s", e.part, e.used)
		}
		if e.dimension != e.used {
			t.Errorf("%s declares <dimension ref=%q>, its cells cover %s", e.part, e.dimension, e.used)
		}
	}

	// excelize's streaming reader sees the same rows.
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) != len(extents) {
		t.Fatalf("%d sheets listed, %d worksheet parts", len(sheets), len(extents))
	}
	for _, name := range sheets {
		dim, err := x.GetSheetDimension(name)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		_, last, err := excelize.CellNameToCoordinates(dim[strings.LastIndexByte(dim, ':')+1:])
		if err != nil || n != last {
			t.Errorf("sheet %q: %d rows streamed, its dimension %s says %d (%v)", name, n, dim, last, err)
		}
	}
	proposals, err := x.GetRows("Proposals")
	if err != nil {
		t.Fatal(err)
	}
	if len(proposals) < 100 {
		t.Fatalf("the proposals sheet holds %d rows", len(proposals))
	}
}

// openpyxlPython returns a python3 that imports openpyxl, or "" with why
// not. The one on PATH may be a pyenv one without it; Debian's
// python3-openpyxl installs into /usr/bin/python3.
func openpyxlPython() (string, string) {
	var tried []string
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if err := exec.Command(p, "-c", "import openpyxl").Run(); err == nil {
			return p, ""
		}
		tried = append(tried, p)
	}
	if len(tried) == 0 {
		return "", "no python3"
	}
	return "", "openpyxl is not importable by " + strings.Join(tried, " or ") + " (Debian: apt-get install python3-openpyxl)"
}

// readOnlyScript prints, for each sheet of the workbook in argv[1] opened
// as openpyxl opens large files (read-only, streaming), the rows and
// columns it reports and the rows its iterator yields.
const readOnlyScript = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = []
for ws in wb.worksheets:
    n, width = 0, 0
    for row in ws.iter_rows(values_only=True):
        n += 1
        width = max(width, len(row))
    out.append({"name": ws.title, "max_row": ws.max_row, "max_column": ws.max_column, "rows": n, "width": width})
wb.close()
print(json.dumps(out))
`

// TestXLSXOpenpyxlReadOnly reads the export back with openpyxl in
// read-only mode, which trusts each sheet's dimension.
func TestXLSXOpenpyxlReadOnly(t *testing.T) {
	py, why := openpyxlPython()
	if py == "" {
		t.Skip(why + "; the export is not read back with openpyxl")
	}
	f := newFixture(t, 500)
	path := write(t, f.svc, export.Options{Format: "xlsx", Lang: "es", HXL: true})
	out, err := exec.Command(py, "-c", readOnlyScript, path).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("openpyxl: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var sheets []struct {
		Name      string `json:"name"`
		MaxRow    int    `json:"max_row"`
		MaxColumn int    `json:"max_column"`
		Rows      int    `json:"rows"`
		Width     int    `json:"width"`
	}
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	extents := sheetExtents(t, path)
	if len(sheets) != len(extents) {
		t.Fatalf("openpyxl sees %d sheets, the file holds %d", len(sheets), len(extents))
	}
	// openpyxl lists the sheets in workbook order, which is sheet1.xml,
	// sheet2.xml, … for excelize's files.
	for i, s := range sheets {
		e := extents[i]
		got := fmt.Sprintf("max_row %d, max_column %d, %d rows of %d cells iterated", s.MaxRow, s.MaxColumn, s.Rows, s.Width)
		want := fmt.Sprintf("max_row %d, max_column %d, %d rows of %d cells iterated", e.rows, e.cols, e.rows, e.cols)
		if got != want {
			t.Errorf("sheet %q (%s): openpyxl read-only sees %s; the file holds %s", s.Name, e.part, got, want)
		}
	}
}
