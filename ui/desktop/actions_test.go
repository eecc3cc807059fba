package desktop

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
)

// shortcut runs the main-menu item bound to Ctrl+key, as the window does
// for a key press wherever the focus is.
func shortcut(t *testing.T, u *UI, key fyne.KeyName) {
	t.Helper()
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if s, ok := it.Shortcut.(*desktop.CustomShortcut); ok && s.KeyName == key && s.Modifier == fyne.KeyModifierShortcutDefault {
				it.Action()
				return
			}
		}
	}
	t.Fatalf("no menu item for Ctrl+%s", key)
}

func TestKeyboardShortcuts(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingThemes, "regional-cooperation")
	u := newTestUI(t, svc)
	shortcut(t, u, fyne.KeyN)
	f := u.browser.form
	if f == nil || f.kind != app.KindNote {
		t.Fatal("Ctrl+N did not open a new note")
	}
	if u.win.Canvas().Focused() != f.body {
		t.Fatal("the new note does not start in its text")
	}
	test.Type(f.body, "Fondo regional de cooperación")
	shortcut(t, u, fyne.KeyS)
	if u.browser.form != nil {
		t.Fatalf("Ctrl+S did not save: %s", f.message.Text)
	}
	if res, _ := svc.List(app.Filter{Text: "cooperacion"}, 0); res.Total != 1 {
		t.Fatal("the note was not stored")
	}
	shortcut(t, u, fyne.KeyF)
	if u.win.Canvas().Focused() != u.browser.search {
		t.Fatal("Ctrl+F did not focus the search")
	}
}

func TestEditWithdrawCommentFromDetail(t *testing.T) {
	svc := newStore(t, true)
	id := add(t, svc, app.KindProposal, "Asilo de calidad", "Texto original", "andes", "BO", "mpa-quality-asylum")
	u := newTestUI(t, svc)
	b := u.browser
	b.list.Select(0)
	d := b.detail

	test.Tap(d.edit)
	f := b.form
	if f == nil || f.editing == nil || f.title.Text != "Asilo de calidad" {
		t.Fatal("Edit did not open the record in the form")
	}
	f.title.SetText("Asilo de calidad (revisado)")
	f.status.setCode(string(app.StatusSubmitted))
	test.Tap(f.saveBtn)
	r, _ := svc.Get(id)
	if r.Title != "Asilo de calidad (revisado)" || r.Status != app.StatusSubmitted || r.Body != "Texto original" {
		t.Fatalf("after edit: %+v", r)
	}
	if ops, _ := svc.History(id); len(ops) != 2 {
		t.Fatalf("history holds %d operations", len(ops))
	}

	test.Tap(d.comment)
	c := b.form
	if c == nil || c.kind != app.KindComment {
		t.Fatal("Comment did not open a comment form")
	}
	test.Type(c.body, "Apoyamos la propuesta.")
	test.Tap(c.saveBtn)
	res, _ := svc.List(app.Filter{RepliesTo: []string{string(id)}}, 0)
	if res.Total != 1 {
		t.Fatalf("%d comments on the proposal", res.Total)
	}
	b.open(id)
	if len(d.comments.Objects) != 2 { // heading and the comment
		t.Fatalf("comments shown: %d", len(d.comments.Objects))
	}

	d.confirmWithdraw()
	// The confirmation dialog's buttons are Fyne's; answer it as the user would.
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Yes"))
	if r, _ := svc.Get(id); r.Status != app.StatusWithdrawn {
		t.Fatalf("status after withdraw: %s", r.Status)
	}
}

func TestSettingsDialog(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	s := u.openSettings()
	s.author.SetText("Jean-Baptiste Pierre")
	s.org.SetText("Plateforme des réfugiés")
	s.language.SetSelected(languageNames["fr"])
	// Confirm with the dialog's Save button.
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Save"))
	if svc.Setting(settingAuthor) != "Jean-Baptiste Pierre" || svc.Setting(settingOrg) != "Plateforme des réfugiés" {
		t.Fatal("settings not stored")
	}
	if u.lang != "fr" || svc.Setting(settingLang) != "fr" {
		t.Fatalf("language: %s", u.lang)
	}
	u.setLanguage("en")
}
