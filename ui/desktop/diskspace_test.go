package desktop

import (
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
)

// TestFullDiskKeepsTheForm: a save the disk has no room for leaves the
// form open with everything typed, says so above it (what is free, what
// is needed) and in the banner; the draft is kept and reaches the store
// once the space is back, and saving then works in the same window.
func TestFullDiskKeepsTheForm(t *testing.T) {
	svc, free := spaceService(t)
	svc.SetSetting(settingThemes, "broad-protection")
	u := newTestUI(t, svc)
	b := u.browser
	if b.disk.label.Visible() {
		t.Fatal("disk banner shown with room")
	}

	b.newRecord(app.KindNote)
	f := b.form
	test.Type(f.title, "Documentación en frontera")
	test.Type(f.body, "Texto escrito con el disco lleno")
	f.themes.setCodes([]string{"broad-protection"})
	free.Store(12 << 20)
	test.Tap(f.saveBtn)

	if b.form != f {
		t.Fatal("a refused save closed the form")
	}
	if f.title.Text != "Documentación en frontera" || f.body.Text != "Texto escrito con el disco lleno" {
		t.Fatalf("the form lost its text: %q %q", f.title.Text, f.body.Text)
	}
	msg := f.message.Text
	if !f.message.Visible() || !strings.HasPrefix(msg, "Not saved:") || !strings.Contains(msg, "has 12 MB free") ||
		!strings.Contains(msg, "needs at least") || !strings.Contains(msg, "Your text stays here") {
		t.Fatalf("the form says %q", msg)
	}
	if !b.disk.label.Visible() || !strings.Contains(b.disk.label.Text, "nothing is received from other laptops") {
		t.Fatalf("banner: %v %q", b.disk.label.Visible(), b.disk.label.Text)
	}
	if res, _ := svc.List(app.Filter{}, 0); len(res.Records) != 0 {
		t.Fatal("stored on a full disk")
	}
	// The draft the disk refused waits in memory, not dropped.
	b.drafts.flush()
	testQueue.drain()
	if d, _ := svc.Draft("new/note"); d != "" {
		t.Fatal("a draft stored on a full disk")
	}
	b.drafts.mu.Lock()
	kept := strings.Contains(b.drafts.pending["new/note"], "disco lleno")
	b.drafts.mu.Unlock()
	if !kept {
		t.Fatal("the refused draft was dropped")
	}

	free.Store(100 << 30)
	b.drafts.flush()
	if d, _ := svc.Draft("new/note"); !strings.Contains(d, "disco lleno") {
		t.Fatalf("the draft did not reach the store once the space was back: %q", d)
	}
	b.disk.show(svc.Room())
	if b.disk.label.Visible() {
		t.Fatal("banner still shown with room")
	}
	test.Tap(f.saveBtn)
	if b.form != nil {
		t.Fatalf("save with room: the form says %q", f.message.Text)
	}
	eventually(t, "the saved note in the list", func() bool { return len(b.records) == 1 })
}

// TestFullDiskBannerAtStart: a window opened over a store whose disk is
// full says so before anyone types.
func TestFullDiskBannerAtStart(t *testing.T) {
	svc, free := spaceService(t)
	svc.SetSetting(settingLang, "en")
	free.Store(3 << 20)
	u := newTestUI(t, svc)
	if l := u.browser.disk.label; !l.Visible() || !strings.Contains(l.Text, "The disk is full: the disk holding the store has 3 MB free") {
		t.Fatalf("banner at start: %v %q", l.Visible(), l.Text)
	}
}

// spaceService is a workspace in memory whose free space the test sets
// (100 GB to begin with).
func spaceService(t *testing.T) (*app.Service, *atomic.Uint64) {
	t.Helper()
	free := new(atomic.Uint64)
	free.Store(100 << 30)
	st, err := storage.Open("", storage.Options{InMemory: true, FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Init("Cartagena +40"); err != nil {
		t.Fatal(err)
	}
	return svc, free
}
