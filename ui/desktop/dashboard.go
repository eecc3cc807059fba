package desktop

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// dashboard is the secretariat's overview: how many records each theme has
// in each sub-region. Tapping a cell opens the records behind it.
type dashboard struct {
	u       *UI
	content fyne.CanvasObject
	table   *widget.Table
	total   *widget.Label

	themes     []string
	subregions []string
	counts     map[string]map[string]int // sub-region ("" = all) -> theme -> count
	totals     map[string]int            // sub-region -> records
}

func newDashboard(u *UI) *dashboard {
	d := &dashboard{u: u, themes: u.tax.Codes("themes"), subregions: u.tax.Codes("subregions")}
	d.total = widget.NewLabel("")
	d.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(d.themes) + 1, len(d.subregions) + 1 },
		func() fyne.CanvasObject { return widget.NewLabel("000000") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Alignment = fyne.TextAlignTrailing
			l.SetText(fmt.Sprint(d.cell(id.Row, id.Col)))
		})
	d.table.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	d.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Row < 0 && id.Col >= 0:
			l.TextStyle.Bold = true
			l.SetText(d.columnTitle(id.Col))
		case id.Col < 0 && id.Row >= 0:
			l.SetText(d.rowTitle(id.Row))
		default:
			l.SetText("")
		}
	}
	d.table.ShowHeaderColumn = true
	d.table.ShowHeaderRow = true
	d.table.SetColumnWidth(-1, 440)
	for c := 0; c <= len(d.subregions); c++ {
		d.table.SetColumnWidth(c, 130)
	}
	d.table.OnSelected = func(id widget.TableCellID) {
		d.table.UnselectAll()
		if id.Row >= 0 && id.Col >= 0 {
			d.open(id.Row, id.Col)
		}
	}
	hint := widget.NewLabel(lang.L("Records per theme and sub-region. Select a cell to see its records."))
	d.content = container.NewBorder(container.NewVBox(hint, d.total), nil, nil, nil, d.table)
	return d
}

func (d *dashboard) columnTitle(col int) string {
	if col < len(d.subregions) {
		return d.u.label("subregions", d.subregions[col])
	}
	return lang.L("Total")
}

func (d *dashboard) rowTitle(row int) string {
	if row < len(d.themes) {
		t := d.themes[row]
		if d.u.tax.Parent(app.ThemeCode(t)) != "" {
			return "    " + d.u.label("themes", t)
		}
		return d.u.label("themes", t)
	}
	return lang.L("All themes")
}

// cell is the count in a row (theme, or all themes) and column (sub-region,
// or the whole region).
func (d *dashboard) cell(row, col int) int {
	sr := ""
	if col < len(d.subregions) {
		sr = d.subregions[col]
	}
	if row >= len(d.themes) {
		return d.totals[sr]
	}
	return d.counts[sr][d.themes[row]]
}

// refresh recounts, one query per sub-region.
func (d *dashboard) refresh() {
	d.counts = map[string]map[string]int{}
	d.totals = map[string]int{}
	for _, sr := range append([]string{""}, d.subregions...) {
		f := app.Filter{}
		if sr != "" {
			f.SubRegions = []string{sr}
		}
		res, err := d.u.svc.List(f, 1)
		if err != nil {
			d.u.showError(err)
			return
		}
		d.counts[sr] = res.Facets.Theme
		d.totals[sr] = res.Total
	}
	d.total.SetText(lang.L("Records: {{.Shown}}", map[string]any{"Shown": d.totals[""]}))
	d.table.Refresh()
}

// open shows the records of a cell in the records screen.
func (d *dashboard) open(row, col int) {
	b := d.u.browser
	b.filters.reset()
	if col < len(d.subregions) {
		b.filters.pick("subregion", d.subregions[col])
	}
	if row < len(d.themes) {
		b.filters.pick("theme", d.themes[row])
	}
	d.u.tabs.SelectIndex(0)
}
