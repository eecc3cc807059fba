package desktop

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
)

// TestSensitiveMaskedAndBackupReminder: a sensitive note is masked in the
// list until opened; the reminder asks for a backup until one is made.
func TestSensitiveMaskedAndBackupReminder(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingThemes, "broad-protection")
	u := newTestUI(t, svc)
	b := u.browser
	if !b.reminder.content.Visible() || !strings.Contains(b.reminder.label.Text, "No backup") {
		t.Fatalf("no reminder without a backup: %q", b.reminder.label.Text)
	}
	// A delegate marks her note sensitive in the form.
	b.newRecord(app.KindNote)
	f := b.form
	test.Type(f.body, "Testimonio de Marisol, sobreviviente en Tapachula")
	f.sensitive.SetChecked(true)
	test.Tap(f.saveBtn)
	if b.form != nil {
		t.Fatalf("not saved: %s", f.message.Text)
	}
	id := b.detail.rec.ID
	if r, _ := svc.Get(id); !r.Sensitive {
		t.Fatal("the note was not stored as sensitive")
	}
	row := rowOf(t, u, id)
	if strings.Contains(row.title.Text, "Marisol") || strings.Contains(row.meta.Text, "Marisol") || !strings.Contains(row.title.Text, "Sensitive") {
		t.Fatalf("the sensitive note is not masked in the list: %q / %q", row.title.Text, row.meta.Text)
	}
	if !strings.Contains(b.detail.body.Text, "Marisol") {
		t.Fatal("opening the note does not show it")
	}
	// Back up: the reminder goes.
	path := filepath.Join(t.TempDir(), "copia.bak")
	done := u.backupTo(path)
	eventually(t, "the backup", func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	if b.reminder.content.Visible() {
		t.Fatal("the reminder stays after a backup")
	}
	if time.Since(svc.LastBackup()) > time.Minute {
		t.Fatal("the backup time was not noted")
	}
}

// TestProtectFromSettings: Settings offers to protect the data; the screens
// are rebuilt over the store main reopens, which now knows the passphrase
// for backups.
func TestProtectFromSettings(t *testing.T) {
	svc := newStore(t, true)
	add(t, svc, app.KindNote, "Nota", "Texto.", "andes", "PE", "broad-protection")
	u := newTestUI(t, svc)
	var got []byte
	reopened := newStore(t, false)
	ws := svc.Workspace()
	if _, err := reopened.Join(ws.ID, ws.Secret, ws.Title); err != nil {
		t.Fatal(err)
	}
	u.SetProtection(Protection{Protect: func(p []byte) (*app.Service, error) {
		got = p
		return reopened, nil
	}})
	s := u.openSettings()
	if !s.protect.Visible() || !strings.Contains(s.protect.Text, "Protect") {
		t.Fatalf("settings offer no protection: %q", s.protect.Text)
	}
	done := u.protectWith([]byte("una frase segura"))
	eventually(t, "the protection", func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
	if string(got) != "una frase segura" || u.svc != reopened || string(u.protection.Passphrase) != "una frase segura" {
		t.Fatal("the UI did not move to the reopened, protected store")
	}
	if s := u.openSettings(); !strings.Contains(s.protect.Text, "Change") {
		t.Fatalf("settings after protecting: %q", s.protect.Text)
	}
}

// TestFirstRunWithPassphrase: a workspace created with a passphrase on the
// first-run screen is protected at once.
func TestFirstRunWithPassphrase(t *testing.T) {
	svc := newStore(t, false)
	u := newTestUI(t, svc)
	var mu sync.Mutex // Protect runs off the UI goroutine
	var got []byte
	u.SetProtection(Protection{Protect: func(p []byte) (*app.Service, error) {
		mu.Lock()
		defer mu.Unlock()
		got = p
		return svc, nil
	}})
	f := u.first
	if f == nil {
		t.Fatal("no first-run screen")
	}
	test.Type(f.title, "Consulta Caribe")
	test.Type(f.pass, "corta")
	test.Tap(f.create)
	if svc.Workspace() != nil || !f.message.Visible() {
		t.Fatal("a short passphrase was accepted")
	}
	f.pass.SetText("una frase bastante larga")
	test.Tap(f.create)
	eventually(t, "the protection", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return string(got) == "una frase bastante larga"
	})
	if svc.Workspace() == nil || svc.Workspace().Title != "Consulta Caribe" {
		t.Fatal("the workspace was not created")
	}
}
