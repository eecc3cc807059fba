package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

// exportFormats are the formats offered, with what each is for.
var exportFormats = []struct{ code, label string }{
	{"docx", "DOCX (Word, LibreOffice)"},
	{"pdf", "PDF"},
	{"xlsx", "XLSX (Excel, LibreOffice Calc)"},
	{"csv", "CSV"},
	{"md", "Markdown"},
	{"json", "JSON (Consulta, full fidelity)"},
}

// exporter is the export window: format, filters, language, destination,
// progress, and where the file went.
type exporter struct {
	u                       *UI
	win                     fyne.Window
	format, language        *widget.Select
	current                 *widget.Check // the list's filters, or everything
	notes, withdrawn, hxl   *widget.Check
	sensitive, redact       *widget.Check
	bom                     *widget.Check
	path                    *widget.Entry
	progress                *widget.ProgressBar
	message                 *widget.Label
	run                     *widget.Button
	done                    chan struct{} // closed when an export ends (tests)
	lastFormat, lastDefault string
}

// showExport opens the export window.
func (u *UI) showExport() *exporter {
	e := &exporter{u: u}
	var labels []string
	for _, f := range exportFormats {
		labels = append(labels, f.label)
	}
	e.format = widget.NewSelect(labels, func(string) { e.formatChanged() })
	var langs []string
	for _, l := range app.Languages {
		langs = append(langs, languageNames[l])
	}
	e.language = widget.NewSelect(langs, nil)
	e.language.SetSelected(languageNames[u.lang])
	n := len(u.browser.records)
	e.current = widget.NewCheck(lang.L("Only the records the list shows now ({{.N}})", map[string]any{"N": n}), nil)
	e.current.SetChecked(true)
	e.notes = widget.NewCheck(lang.L("Include notes"), nil)
	e.withdrawn = widget.NewCheck(lang.L("Include withdrawn records"), nil)
	e.sensitive = widget.NewCheck(lang.L("Include sensitive records (they can name people at risk)"), nil)
	e.redact = widget.NewCheck(lang.L("Keep sensitive records with their text and author hidden"), nil)
	e.hxl = widget.NewCheck(lang.L("Add a row of HXL hashtags"), nil)
	e.bom = widget.NewCheck(lang.L("Byte order mark (for spreadsheet programs that need it)"), nil)
	e.path = widget.NewEntry()
	choose := widget.NewButtonWithIcon(lang.L("Choose…"), theme.FolderOpenIcon(), e.choose)
	e.progress = widget.NewProgressBar()
	e.progress.Hide()
	e.message = widget.NewLabel("")
	e.message.Wrapping = fyne.TextWrapWord
	e.run = widget.NewButtonWithIcon(lang.L("Export"), theme.DocumentSaveIcon(), e.start)
	e.run.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Format"), e.format),
		widget.NewFormItem(lang.L("Records"), container.NewVBox(e.current, e.notes, e.withdrawn, e.sensitive, e.redact)),
		widget.NewFormItem(lang.L("Language"), e.language),
		widget.NewFormItem(lang.L("Spreadsheets"), container.NewVBox(e.hxl, e.bom)),
		widget.NewFormItem(lang.L("Save as"), container.NewBorder(nil, nil, nil, choose, e.path)),
	)
	e.win = u.newWindow(lang.L("Export"))
	e.win.SetContent(container.NewBorder(nil, container.NewVBox(e.progress, e.message,
		container.NewHBox(e.run, widget.NewButton(lang.L("Close"), func() { e.win.Close() }))), nil, nil, form))
	e.win.Resize(fyne.NewSize(620, 460))
	e.format.SetSelectedIndex(0)
	e.win.Show()
	return e
}

func (e *exporter) code() string {
	if i := e.format.SelectedIndex(); i >= 0 {
		return exportFormats[i].code
	}
	return "docx"
}

// formatChanged offers the options of the chosen format and a file name
// with its extension.
func (e *exporter) formatChanged() {
	f := e.code()
	if f == "xlsx" || f == "csv" {
		e.hxl.Enable()
	} else {
		e.hxl.Disable()
	}
	if f == "csv" {
		e.bom.Enable()
	} else {
		e.bom.Disable()
	}
	def := defaultExportPath(e.u.svc.Workspace(), f)
	if e.path.Text == "" || e.path.Text == e.lastDefault {
		e.path.SetText(def)
	} else if ext := filepath.Ext(e.path.Text); ext == "."+e.lastFormat {
		e.path.SetText(strings.TrimSuffix(e.path.Text, ext) + "." + f)
	}
	e.lastFormat, e.lastDefault = f, def
}

// defaultExportPath is a file in the Documents folder (or home) named after
// the workspace and today.
func defaultExportPath(ws *app.Workspace, format string) string {
	dir := documentsDir()
	name := "consulta"
	if ws != nil {
		name = strings.Map(func(r rune) rune {
			if strings.ContainsRune(`/\:*?"<>|`, r) {
				return '-'
			}
			return r
		}, ws.Title)
	}
	return filepath.Join(dir, fmt.Sprintf("%s %s.%s", name, time.Now().Format(time.DateOnly), format))
}

// documentsDir is where files the user saves go by default: the Documents
// folder, else the home folder, else the current one.
func documentsDir() string {
	dir, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	if d := filepath.Join(dir, "Documents"); isDir(d) {
		return d
	}
	return dir
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func (e *exporter) choose() {
	chooseSavePath(e.win, filepath.Base(e.path.Text), e.path.SetText)
}

// chooseSavePath asks where to save a file, proposing name, and gives the
// path to then. The dialog creates the file; it is removed again, because
// exports and backups put their file there whole, or not at all.
func chooseSavePath(win fyne.Window, name string, then func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		os.Remove(path)
		then(path)
	}, win)
	d.SetFileName(name)
	d.Show()
}

// start runs the export off the UI goroutine.
func (e *exporter) start() {
	path := strings.TrimSpace(e.path.Text)
	if path == "" {
		e.message.SetText(lang.L("Say where to save the file."))
		return
	}
	opts := export.Options{Format: e.code(), Lang: app.Languages[max(0, e.language.SelectedIndex())],
		IncludeNotes: e.notes.Checked, IncludeWithdrawn: e.withdrawn.Checked,
		IncludeSensitive: e.sensitive.Checked, Redact: e.redact.Checked,
		HXL: e.hxl.Checked && !e.hxl.Disabled(), BOM: e.bom.Checked && !e.bom.Disabled()}
	if e.current.Checked {
		opts.Filter = e.u.browser.filter
	}
	opts.Progress = func(done, total int) {
		dispatch(func() {
			if total > 0 {
				e.progress.SetValue(float64(done) / float64(total))
			}
		})
	}
	e.run.Disable()
	e.progress.SetValue(0)
	e.progress.Show()
	e.message.SetText(lang.L("Exporting…"))
	done := make(chan struct{})
	e.done = done
	go func() {
		err := export.Write(e.u.svc, opts, path)
		dispatch(func() {
			defer close(done)
			e.run.Enable()
			e.progress.Hide()
			if err != nil {
				e.message.SetText(lang.L("The export failed: {{.Err}}", map[string]any{"Err": errorText(err)}))
				return
			}
			msg := lang.L("Saved: {{.Path}}", map[string]any{"Path": path})
			if opts.Format == "json" {
				msg += "\n" + lang.L("The JSON holds the workspace's join key: keep it as you would keep the invite code.")
			}
			e.message.SetText(msg)
		})
	}()
}
