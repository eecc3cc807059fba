package desktop

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

// Protection tells the UI the data directory's passphrase (nil when it is
// not protected), which encrypts its backups, and how to restore a backup
// into a new folder (storage.Restore; main wires it, so that the ui does
// not reach into storage).
type Protection struct {
	Passphrase []byte
	Restore    func(dir string, r io.Reader, pass []byte) error
	// Protect encrypts the data directory under pass, or changes its
	// passphrase to pass, and returns the service over the reopened store
	// (even on an error, when the store could be reopened as it was). main
	// wires it: it stops sync and closes the store first.
	Protect func(pass []byte) (*app.Service, error)
}

// showProtect asks for a new passphrase, twice, and protects the data with
// it, or changes the passphrase.
func (u *UI) showProtect() {
	if u.protection.Protect == nil {
		return
	}
	p1, p2 := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	title := lang.L("Protect with a passphrase")
	if len(u.protection.Passphrase) > 0 {
		title = lang.L("Change the passphrase")
	}
	intro := widget.NewLabel(lang.L("Everything in this laptop's data (records, keys) is encrypted under the passphrase, which Consulta asks for at each start. Without it the data cannot be read: keep it safe."))
	intro.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem("", intro),
		widget.NewFormItem(lang.L("New passphrase"), p1),
		widget.NewFormItem(lang.L("Again"), p2),
	}
	d := dialog.NewForm(title, lang.L("Protect"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		switch {
		case p1.Text != p2.Text:
			u.showError(errors.New(lang.L("The two passphrases differ; nothing was changed.")))
		case len([]rune(p1.Text)) < 8:
			u.showError(errors.New(lang.L("Use at least 8 characters; nothing was changed.")))
		default:
			u.protectWith([]byte(p1.Text))
		}
	}, u.win)
	d.Resize(fyne.NewSize(520, 300))
	d.Show()
}

// protectWith protects the data under pass off the UI goroutine and
// rebuilds the screens over the reopened store. It returns a channel
// closed when done.
func (u *UI) protectWith(pass []byte) <-chan struct{} {
	done := make(chan struct{})
	if u.browser != nil {
		u.browser.flushDrafts()
		u.browser.stop()
	}
	wait := dialog.NewCustomWithoutButtons(lang.L("Protecting the data…"), widget.NewProgressBarInfinite(), u.win)
	wait.Show()
	go func() {
		svc, err := u.protection.Protect(pass)
		dispatch(func() {
			defer close(done)
			wait.Hide()
			if svc != nil {
				u.svc, u.tax = svc, svc.Taxonomy()
			}
			if err == nil {
				u.protection.Passphrase = pass
			}
			u.build()
			if err != nil {
				u.showError(err)
				return
			}
			dialog.ShowInformation(lang.L("Protect with a passphrase"), lang.L("The data is protected. Keep the passphrase safe: without it the data cannot be read."), u.win)
		})
	}()
	return done
}

// SetProtection sets how backups are encrypted and restored, and how the
// data is protected; the first-run screen, if shown, then offers a
// passphrase.
func (u *UI) SetProtection(p Protection) {
	u.protection = p
	if u.first != nil {
		u.build()
	}
}

// backupAge says when the last backup was, for the reminder.
func (u *UI) backupDue() (bool, string) {
	last := u.svc.LastBackup()
	if last.IsZero() {
		return true, lang.L("No backup of this laptop's data yet.")
	}
	if age := time.Since(last); age > 24*time.Hour {
		return true, lang.L("The last backup is {{.Days}} days old.", map[string]any{"Days": int(age.Hours() / 24)})
	}
	return false, lang.L("Last backup: {{.When}}", map[string]any{"When": last.Local().Format("2006-01-02 15:04")})
}

// backupReminder is the line under the list that asks for a backup when
// the last one is older than a day.
type backupReminder struct {
	u       *UI
	label   *widget.Label
	button  *widget.Button
	content *fyne.Container
}

func newBackupReminder(u *UI) *backupReminder {
	r := &backupReminder{u: u, label: widget.NewLabel("")}
	r.label.Importance = widget.WarningImportance
	r.button = widget.NewButton(lang.L("Back up now"), func() { u.backupTo(u.defaultBackupPath()) })
	r.label.Truncation = fyne.TextTruncateEllipsis // the list column keeps its width
	r.content = container.NewBorder(nil, nil, nil, r.button, r.label)
	r.update()
	return r
}

func (r *backupReminder) update() {
	due, text := r.u.backupDue()
	r.label.SetText(text)
	if due {
		r.content.Show()
	} else {
		r.content.Hide()
	}
}

func (u *UI) defaultBackupPath() string {
	return filepath.Join(documentsDir(), export.SafeFileName(fmt.Sprintf("consulta-backup %s.bak", time.Now().Format("2006-01-02 1504"))))
}

// showBackup asks where to write a backup, then writes it.
func (u *UI) showBackup() {
	chooseSavePath(u.win, filepath.Base(u.defaultBackupPath()), func(path string) { u.backupTo(path) })
}

// backupTo writes a backup to path off the UI goroutine while people keep
// working, and says where it went. It returns a channel closed when done.
func (u *UI) backupTo(path string) <-chan struct{} {
	done := make(chan struct{})
	started := time.Now()
	go func() {
		err := export.WriteFile(path, func(w io.Writer) error { return u.svc.Backup(w, u.protection.Passphrase) })
		if err == nil {
			err = u.svc.BackupDone(started)
		}
		dispatch(func() {
			defer close(done)
			if err != nil {
				u.showError(err)
				return
			}
			msg := lang.L("Backup saved: {{.Path}}", map[string]any{"Path": path})
			if len(u.protection.Passphrase) > 0 {
				msg += "\n" + lang.L("It is encrypted under the workspace's passphrase.")
			}
			dialog.ShowInformation(lang.L("Backup"), msg, u.win)
			if u.browser != nil {
				u.browser.reminder.update()
			}
		})
	}()
	return done
}

// showRestore restores a backup into a new folder: the data directory in
// use stays as it is; Consulta is then started on the new folder.
func (u *UI) showRestore() {
	if u.protection.Restore == nil {
		return
	}
	file := widget.NewEntry()
	file.SetPlaceHolder(lang.L("Backup file"))
	target := widget.NewEntry()
	target.SetPlaceHolder(lang.L("New, empty folder"))
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(lang.L("Passphrase (if the backup is encrypted)"))
	pickFile := widget.NewButton(lang.L("Choose…"), func() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				file.SetText(r.URI().Path())
				r.Close()
			}
		}, u.win)
	})
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Backup"), container.NewBorder(nil, nil, nil, pickFile, file)),
		widget.NewFormItem(lang.L("Restore into"), target),
		widget.NewFormItem(lang.L("Passphrase"), pass),
	}
	dialog.ShowForm(lang.L("Restore a backup"), lang.L("Restore"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		f, err := os.Open(file.Text)
		if err != nil {
			u.showError(err)
			return
		}
		defer f.Close()
		var p []byte
		if pass.Text != "" {
			p = []byte(pass.Text)
		}
		if err := u.protection.Restore(target.Text, f, p); err != nil {
			u.showError(err)
			return
		}
		dialog.ShowInformation(lang.L("Restore a backup"), lang.L("Restored into {{.Dir}}. To work on it, start Consulta with: consulta --data {{.Dir}}", map[string]any{"Dir": target.Text}), u.win)
	}, u.win)
}
