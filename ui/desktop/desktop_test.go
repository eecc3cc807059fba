package desktop

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
)

// queue replaces dispatch in tests: work from other goroutines waits until
// the test drains it, on the test's goroutine.
type queue struct {
	mu sync.Mutex
	fs []func()
}

func (q *queue) add(f func()) {
	q.mu.Lock()
	q.fs = append(q.fs, f)
	q.mu.Unlock()
}

func (q *queue) drain() {
	q.mu.Lock()
	fs := q.fs
	q.fs = nil
	q.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

var testQueue = &queue{}

func init() { dispatch = testQueue.add }

// eventually drains the queue until cond holds or a second has passed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		testQueue.drain()
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func sp[T any](v T) *T { return &v }

// newStore returns a service over an in-memory store with a workspace.
func newStore(t testing.TB, init bool) *app.Service {
	t.Helper()
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if init {
		if _, err := svc.Init("Cartagena +40"); err != nil {
			t.Fatal(err)
		}
	}
	return svc
}

func newTestUI(t *testing.T, svc *app.Service) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	svc.SetSetting(settingLang, "en")
	w := a.NewWindow("Consulta")
	u := New(a, w, svc)
	u.Show()
	t.Cleanup(u.Close)
	return u
}

func add(t testing.TB, svc *app.Service, k app.Kind, title, body string, sr app.SubRegion, c app.CountryCode, themes ...app.ThemeCode) app.RecordID {
	t.Helper()
	id, err := svc.Create(k, app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &c, AddThemes: themes})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func titles(b *browser) []string {
	var out []string
	for _, r := range b.records {
		out = append(out, r.Title)
	}
	return out
}

func TestCreateNoteThroughForm(t *testing.T) {
	svc := newStore(t, true)
	meeting, err := svc.Create(app.KindMeeting, app.Patch{Title: sp("Consulta Andina"), SubRegion: sp[app.SubRegion]("andes"), Country: sp[app.CountryCode]("BO")})
	if err != nil {
		t.Fatal(err)
	}
	svc.SetSetting(settingMeeting, string(meeting))
	svc.SetSetting(settingThemes, "broad-protection")
	svc.SetSetting(settingAuthor, "Rosa Mamani")
	u := newTestUI(t, svc)
	b := u.browser

	b.newRecord(app.KindNote) // Ctrl+N
	f := b.form
	if f == nil {
		t.Fatal("no form")
	}
	// Only the text is needed: the rest defaults from the meeting and the last note.
	test.Type(f.body, "Acceso a documentación en frontera\nSegunda línea")
	test.Tap(f.saveBtn)
	if b.form != nil {
		t.Fatalf("form still open: %s", f.message.Text)
	}
	res, _ := svc.List(app.Filter{Kinds: []string{"note"}}, 0)
	if res.Total != 1 {
		t.Fatalf("%d notes", res.Total)
	}
	r := res.Records[0]
	if r.Title != "Acceso a documentación en frontera" || r.Meeting != meeting || r.SubRegion != "andes" || r.Country != "BO" ||
		r.Author != "Rosa Mamani" || len(r.Themes) != 1 || r.Lang != "en" {
		t.Fatalf("note: %+v", r)
	}
	if b.detail.rec == nil || b.detail.rec.ID != r.ID {
		t.Fatal("the new note is not shown")
	}
}

func TestValidationBesideField(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	b := u.browser
	b.newRecord(app.KindProposal)
	f := b.form
	test.Type(f.title, "Programa regional")
	test.Tap(f.saveBtn) // no theme chosen
	if !f.errs["theme"].Visible() || f.errs["theme"].Text == "" {
		t.Fatal("no message beside the themes")
	}
	if res, _ := svc.List(app.Filter{}, 0); res.Total != 0 {
		t.Fatal("an invalid proposal was stored")
	}
	if f.title.Text != "Programa regional" {
		t.Fatal("typed text was lost after a failed save")
	}
}

func TestFilterSearchAndOpen(t *testing.T) {
	svc := newStore(t, true)
	add(t, svc, app.KindNote, "Migración en tránsito", "Rutas por el Darién", "mesoamerica", "PA", "gcr-self-reliance")
	add(t, svc, app.KindProposal, "Asilo de calidad", "Comisiones nacionales", "andes", "PE", "mpa-quality-asylum")
	add(t, svc, app.KindInput, "Integração local", "Trabalho e moradia", "southern-cone", "BR", "mpa-local-integration")
	u := newTestUI(t, svc)
	b := u.browser
	if len(b.records) != 3 {
		t.Fatalf("%d records shown", len(b.records))
	}
	andes := b.filters.facets["subregion"].checks["andes"]
	if !strings.HasPrefix(andes.Text, "(1) ") {
		t.Errorf("facet count: %q", andes.Text)
	}
	test.Tap(andes)
	if got := titles(b); len(got) != 1 || got[0] != "Asilo de calidad" {
		t.Fatalf("andes: %v", got)
	}
	test.Tap(andes)
	// A theme includes its sub-themes.
	test.Tap(b.filters.facets["theme"].checks["future-outlook"])
	if got := titles(b); len(got) != 2 {
		t.Fatalf("future-outlook: %v", got)
	}
	test.Tap(b.filters.facets["subregion"].checks["southern-cone"])
	if got := titles(b); len(got) != 1 || got[0] != "Integração local" {
		t.Fatalf("future-outlook in the southern cone: %v", got)
	}
	if got := b.filters.facets["kind"].checks["input"].Text; !strings.HasPrefix(got, "(1) ") {
		t.Errorf("kind facet within the filter: %q", got)
	}
	test.Tap(b.filters.clear)
	if len(b.records) != 3 {
		t.Fatalf("after clearing: %v", titles(b))
	}

	test.Type(b.search, "MIGRACION")
	if got := titles(b); len(got) != 1 || got[0] != "Migración en tránsito" {
		t.Fatalf("search: %v", got)
	}
	b.list.Select(0)
	if b.detail.title.Text != "Migración en tránsito" || b.detail.body.Text != "Rutas por el Darién" {
		t.Fatalf("detail: %q %q", b.detail.title.Text, b.detail.body.Text)
	}
	if len(b.detail.history.Objects) != 2 { // heading and the create
		t.Fatalf("history rows: %d", len(b.detail.history.Objects))
	}
}

func TestDraftSurvivesClosingTheForm(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	b := u.browser
	b.newRecord(app.KindNote)
	test.Type(b.form.body, "Texto que no se puede perder")
	b.form.body.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if b.form != nil {
		t.Fatal("Esc did not close the form")
	}
	b.newRecord(app.KindNote)
	if got := b.form.body.Text; got != "Texto que no se puede perder" {
		t.Fatalf("reopened form holds %q", got)
	}
}

func TestDraftSurvivesRestart(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	u.browser.newRecord(app.KindNote)
	test.Type(u.browser.form.body, "Nota escrita antes del corte de luz")
	// No explicit save, no close: the draft reaches storage by itself.
	deadline := time.Now().Add(2 * time.Second)
	for {
		if d, _ := svc.Draft("new/note"); strings.Contains(d, "corte de luz") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("draft not stored within 2 s of typing")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A new window over the same store, as after the process was killed.
	u2 := newTestUI(t, svc)
	if u2.browser.form == nil || u2.browser.form.body.Text != "Nota escrita antes del corte de luz" {
		t.Fatal("the draft did not come back")
	}
	test.Type(u2.browser.form.title, "Corte de luz")
	svc.SetSetting(settingThemes, "broad-protection")
	u2.browser.form.themes.setCodes([]string{"broad-protection"})
	test.Tap(u2.browser.form.saveBtn)
	// Saving deletes the draft off the UI goroutine (the disk may be slow).
	deadline = time.Now().Add(2 * time.Second)
	for {
		d, _ := svc.Draft("new/note")
		if d == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("draft kept 2 s after saving: %q", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLiveUpdate(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	b := u.browser
	add(t, svc, app.KindNote, "Escrita en otra ventana", "", "caribbean", "HT", "broad-protection")
	eventually(t, "the list to show a record written elsewhere", func() bool { return len(b.records) == 1 })
	eventually(t, "the counts to follow", func() bool {
		return strings.HasPrefix(b.filters.facets["subregion"].checks["caribbean"].Text, "(1) ")
	})
	b.list.Select(0)
	id := b.records[0].ID
	if err := svc.Update(id, app.Patch{Title: sp("Cambiada en otra ventana")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the detail to follow an edit", func() bool { return b.detail.title.Text == "Cambiada en otra ventana" })
}

func TestDashboardOpensCell(t *testing.T) {
	svc := newStore(t, true)
	add(t, svc, app.KindNote, "a", "", "caribbean", "JM", "gcr-ease-pressure")
	add(t, svc, app.KindNote, "b", "", "caribbean", "JM", "broad-protection")
	add(t, svc, app.KindNote, "c", "", "andes", "CO", "gcr-self-reliance")
	u := newTestUI(t, svc)
	d := u.dashboard
	u.tabs.SelectIndex(1)
	row := -1
	for i, th := range d.themes {
		if th == "global-compact" {
			row = i
		}
	}
	col := 2 // caribbean
	if d.subregions[col] != "caribbean" {
		t.Fatalf("columns: %v", d.subregions)
	}
	if got := d.cell(row, col); got != 1 {
		t.Fatalf("global-compact × caribbean = %d", got)
	}
	if got := d.cell(row, len(d.subregions)); got != 2 {
		t.Fatalf("global-compact in the whole region = %d", got)
	}
	d.table.Select(widgetCell(row, col))
	if u.tabs.SelectedIndex() != 0 || len(u.browser.records) != 1 || u.browser.records[0].Title != "a" {
		t.Fatalf("cell opened %v", titles(u.browser))
	}
}

func TestSwitchLanguage(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	if u.tabs.Items[0].Text != "Records" {
		t.Fatalf("en tab: %q", u.tabs.Items[0].Text)
	}
	u.setLanguage("pt")
	if u.tabs.Items[0].Text != "Registros" {
		t.Errorf("pt tab: %q", u.tabs.Items[0].Text)
	}
	if got := u.browser.filters.facets["subregion"].checks["southern-cone"].Text; !strings.HasSuffix(got, "Cone Sul") {
		t.Errorf("pt taxonomy label: %q", got)
	}
	if svc.Setting(settingLang) != "pt" {
		t.Error("language not remembered")
	}
	u.setLanguage("fr")
	if got := u.browser.search.PlaceHolder; !strings.Contains(got, "Ctrl+F") || strings.HasPrefix(got, "Search") {
		t.Errorf("fr placeholder: %q", got)
	}
	u.setLanguage("en")
}

func TestFirstRun(t *testing.T) {
	svc := newStore(t, false)
	u := newTestUI(t, svc)
	f := u.first
	if f == nil || u.browser != nil {
		t.Fatal("no first-run screen")
	}
	test.AssertRendersToMarkup(t, "first_run.xml", u.win.Canvas())
	test.Type(f.title, "Cartagena +40")
	test.Type(f.author, "Ana")
	test.Tap(f.create)
	if svc.Workspace() == nil || svc.Workspace().Title != "Cartagena +40" {
		t.Fatal("no workspace created")
	}
	if u.browser == nil || svc.Setting(settingAuthor) != "Ana" {
		t.Fatal("not on the main screen after first run")
	}
}

func widgetCell(row, col int) widgetTableCellID { return widgetTableCellID{Row: row, Col: col} }

type widgetTableCellID = widget.TableCellID

// findButton finds a button by its text in o's widget tree.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil {
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
			return
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	if found == nil {
		t.Fatalf("no %q button", text)
	}
	return found
}
