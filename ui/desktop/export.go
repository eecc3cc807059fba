package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draftdoc"
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

// exporter is the export window: what to export (the records, or one of
// the drafting documents), its options, format, language, destination,
// progress, and where the file went.
type exporter struct {
	u                       *UI
	win                     fyne.Window
	what                    *widget.Select // the records, or a drafting document
	body                    *fyne.Container
	format, language        *widget.Select
	formats                 []string      // the codes the format select offers
	current                 *widget.Check // the list's filters, or everything
	notes, withdrawn, hxl   *widget.Check
	sensitive, redact       *widget.Check
	bom                     *widget.Check
	path                    *widget.Entry
	saveAs                  fyne.CanvasObject // the path and its Choose button
	draft                   *draftExport
	progress                *widget.ProgressBar
	message                 *widget.Label
	run                     *widget.Button
	done                    chan struct{} // closed when an export ends (tests)
	lastFormat, lastDefault string
}

// showExport opens the export window. Opened from the Draft tab, it offers
// the compilation of amendments first.
func (u *UI) showExport() *exporter {
	e := &exporter{u: u}
	e.what = widget.NewSelect(exportChoices(), func(string) { e.kindChanged() })
	e.format = widget.NewSelect(nil, func(string) { e.formatChanged() })
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
	e.bom.Checked = bomByDefault(runtime.GOOS)
	e.path = widget.NewEntry()
	choose := widget.NewButtonWithIcon(lang.L("Choose…"), theme.FolderOpenIcon(), e.choose)
	e.saveAs = container.NewBorder(nil, nil, nil, choose, e.path)
	e.draft = newDraftExport(e)
	e.progress = widget.NewProgressBar()
	e.progress.Hide()
	e.message = widget.NewLabel("")
	e.message.Wrapping = fyne.TextWrapWord
	e.run = widget.NewButtonWithIcon(lang.L("Export"), theme.DocumentSaveIcon(), e.start)
	e.run.Importance = widget.HighImportance
	e.body = container.NewStack()
	e.win = u.newWindow(lang.L("Export"))
	e.win.SetContent(container.NewBorder(nil, container.NewVBox(e.progress, e.message,
		container.NewHBox(e.run, widget.NewButton(lang.L("Close"), func() { e.win.Close() }))), nil, nil,
		container.NewVScroll(e.body)))
	e.win.Resize(fyne.NewSize(680, 640))
	if u.tabs != nil && u.tabs.SelectedIndex() == draftTab {
		e.what.SetSelectedIndex(1)
	} else {
		e.what.SetSelectedIndex(0)
	}
	e.win.Show()
	return e
}

// recordsForm is the form of the records export.
func (e *exporter) recordsForm() *widget.Form {
	return widget.NewForm(
		widget.NewFormItem(lang.L("Export"), e.what),
		widget.NewFormItem(lang.L("Format"), e.format),
		widget.NewFormItem(lang.L("Records"), container.NewVBox(e.current, e.notes, e.withdrawn, e.sensitive, e.redact)),
		widget.NewFormItem(lang.L("Language"), e.language),
		widget.NewFormItem(lang.L("Spreadsheets"), container.NewVBox(e.hxl, e.bom)),
		widget.NewFormItem(lang.L("Save as"), e.saveAs),
	)
}

// kind is the drafting document chosen, or "" for the records.
func (e *exporter) kind() draftdoc.Kind {
	if i := e.what.SelectedIndex(); i > 0 && i <= len(draftdoc.Kinds) {
		return draftdoc.Kinds[i-1]
	}
	return ""
}

// kindChanged offers the formats and options of what is chosen.
func (e *exporter) kindChanged() {
	k := e.kind()
	e.formats = nil
	if k == "" {
		for _, f := range exportFormats {
			e.formats = append(e.formats, f.code)
		}
	} else {
		e.formats = draftdoc.Formats[k]
	}
	var labels []string
	for _, f := range e.formats {
		labels = append(labels, formatLabel(f))
	}
	was := e.lastFormat
	e.format.SetOptions(labels)
	e.format.SetSelectedIndex(max(0, slices.Index(e.formats, was))) // the format stays when offered
	e.showForm()
	if k != "" {
		e.draft.shown()
	}
}

// showForm shows the form of what is chosen.
func (e *exporter) showForm() {
	var form *widget.Form
	if k := e.kind(); k == "" {
		form = e.recordsForm()
	} else {
		form = e.draft.form(k)
	}
	e.body.Objects = []fyne.CanvasObject{form}
	e.body.Refresh()
}

func formatLabel(code string) string {
	for _, f := range exportFormats {
		if f.code == code {
			return f.label
		}
	}
	return strings.ToUpper(code)
}

func (e *exporter) code() string {
	if i := e.format.SelectedIndex(); i >= 0 && i < len(e.formats) {
		return e.formats[i]
	}
	return "docx"
}

// lang is the language chosen for headings and labels.
func (e *exporter) lang() app.Lang {
	return app.Languages[max(0, e.language.SelectedIndex())]
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
	what := ""
	if e.kind() != "" {
		what = e.what.Selected
	}
	def := defaultExportPath(e.u.svc.Workspace(), what, f)
	if e.path.Text == "" || e.path.Text == e.lastDefault {
		e.path.SetText(def)
	} else if ext := filepath.Ext(e.path.Text); ext == "."+e.lastFormat {
		e.path.SetText(strings.TrimSuffix(e.path.Text, ext) + "." + f)
	}
	e.lastFormat, e.lastDefault = f, def
}

// defaultExportPath is a file in the Documents folder (or home) named after
// the workspace, what is exported (unless the records) and today.
func defaultExportPath(ws *app.Workspace, what, format string) string {
	dir := documentsDir()
	name := "consulta"
	if ws != nil {
		name = ws.Title
	}
	if what != "" {
		name += " - " + what
	}
	return filepath.Join(dir, export.SafeFileName(fmt.Sprintf("%s %s.%s", name, time.Now().Format(time.DateOnly), format)))
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
	if k := e.kind(); k != "" {
		e.draft.start(k, path)
		return
	}
	opts := export.Options{Format: e.code(), Lang: e.lang(),
		IncludeNotes: e.notes.Checked, IncludeWithdrawn: e.withdrawn.Checked,
		IncludeSensitive: e.sensitive.Checked, Redact: e.redact.Checked,
		HXL: e.hxl.Checked && !e.hxl.Disabled(), BOM: e.bom.Checked && !e.bom.Disabled()}
	if e.current.Checked {
		opts.Filter = e.u.browser.filter
	}
	note := ""
	if opts.Format == "json" {
		note = lang.L("The JSON holds the workspace's join key: keep it as you would keep the invite code.")
	}
	e.launch(path, note, func(progress func(done, total int)) error {
		opts.Progress = progress
		return export.Write(e.u.svc, opts, path)
	})
}

// launch runs write off the UI goroutine with the progress bar showing,
// then says where the file went (and note), or why it did not.
func (e *exporter) launch(path, note string, write func(progress func(done, total int)) error) {
	progress := func(done, total int) {
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
		err := write(progress)
		dispatch(func() {
			defer close(done)
			e.run.Enable()
			e.progress.Hide()
			if err != nil {
				e.message.SetText(lang.L("The export failed: {{.Err}}", map[string]any{"Err": errorText(err)}))
				return
			}
			msg := lang.L("Saved: {{.Path}}", map[string]any{"Path": path})
			if note != "" {
				msg += "\n" + note
			}
			e.message.SetText(msg)
		})
	}()
}

// bomByDefault is whether the byte order mark is ticked when the dialog
// opens: on Windows, where Excel reads a CSV without one in the local code
// page and garbles every accent (Protección, São Paulo).
func bomByDefault(goos string) bool { return goos == "windows" }
