package desktop

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"github.com/cartagena-c40/consulta/app/export"
	"github.com/cartagena-c40/consulta/sync/bundle"
)

// showImportBundle asks for a bundle file (from a USB stick) and imports
// it.
func (u *UI) showImportBundle() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		u.importBundle(path)
	}, u.win)
	d.Show()
}

// importBundle imports the bundle at path off the UI goroutine and says
// how many operations were new and how many wait for an earlier bundle.
// The screens follow the store by themselves. It returns a channel closed
// when done.
func (u *UI) importBundle(path string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		res, err := bundle.ImportFile(u.svc, path)
		dispatch(func() {
			defer close(done)
			if err != nil {
				dialog.ShowError(err, u.win)
				return
			}
			dialog.ShowInformation(lang.L("Bundle"), lang.L("{{.New}} new operations, {{.Waiting}} waiting for an earlier bundle.",
				map[string]any{"New": res.New, "Waiting": res.Waiting}), u.win)
		})
	}()
	return done
}

// showWriteBundle asks where to write a bundle of everything this laptop
// holds, then writes it. A bundle of only what another laptop lacks is
// written with the command line (bundle --since).
func (u *UI) showWriteBundle() {
	name := fmt.Sprintf("consulta %s.bundle", time.Now().Format("2006-01-02 1504"))
	chooseSavePath(u.win, export.SafeFileName(name), func(path string) { u.writeBundle(path) })
}

// writeBundle writes the bundle off the UI goroutine and says where it
// went. It returns a channel closed when done.
func (u *UI) writeBundle(path string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		st, err := bundle.WriteFile(u.svc, path, nil)
		dispatch(func() {
			defer close(done)
			if err != nil {
				dialog.ShowError(err, u.win)
				return
			}
			dialog.ShowInformation(lang.L("Bundle"), lang.L("Bundle saved: {{.Path}} ({{.Count}} operations). On another laptop of the workspace: File, Import a bundle…",
				map[string]any{"Path": path, "Count": st.Operations}), u.win)
		})
	}()
	return done
}
