package desktop

import (
	"context"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/assets"
	"github.com/cartagena-c40/consulta/ui/buildinfo"
)

// Settings names, kept per laptop.
const (
	settingLang    = "lang"
	settingAuthor  = "author"
	settingOrg     = "org"
	settingMeeting = "meeting"     // the current meeting's id
	settingThemes  = "last-themes" // themes of the last note, comma-separated
)

// dispatch runs a function on the UI goroutine. Work in other goroutines
// (watches, drafts, sample data) reaches widgets only through it. Tests
// replace it with a queue they drain, so that nothing touches widgets
// behind their back.
var dispatch = fyne.Do

// UI is the desktop app's window and its screens.
type UI struct {
	app   fyne.App
	win   fyne.Window
	svc   *app.Service
	tax   *app.Taxonomy
	lang  app.Lang
	about buildinfo.Info // Help > About shows it

	tabs      *container.AppTabs
	browser   *browser
	dashboard *dashboard
	peers     *peersScreen
	drafting  *draftScreen // the Draft tab
	first     *firstRun

	sync         app.Replicator // nil until main attaches it
	pendingPeers []string       // addresses given before sync started
	stopSync     chan struct{}
	closed       bool
	protection   Protection
	syncTicking  bool // the peers screen's refresh ticker runs

	relay       relayState         // what the relay loop last reported
	relayStop   context.CancelFunc // stops the relay loop; nil when none runs
	relayTiming relayTiming        // the relay loop's pace (tests shorten it)
}

// New builds the UI of svc in window w. Call Show to display it.
func New(a fyne.App, w fyne.Window, svc *app.Service) *UI {
	u := &UI{app: a, win: w, svc: svc, tax: svc.Taxonomy(), stopSync: make(chan struct{}), relayTiming: defaultRelayTiming}
	u.lang = app.Lang(svc.Setting(settingLang))
	if u.lang == "" {
		u.lang = systemLanguage()
	}
	useLanguage(u.lang)
	w.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w.Resize(fyne.NewSize(1280, 720)) // fits a 1366×768 laptop screen with its panel
	addQuit(a, w)
	u.build()
	u.watchRoles()
	u.startRelay()
	return u
}

// build (re)creates every screen in the current language.
func (u *UI) build() {
	if u.browser != nil {
		u.browser.stop()
	}
	if u.drafting != nil {
		u.drafting.stop()
	}
	if u.svc.Workspace() == nil {
		u.first = newFirstRun(u)
		u.win.SetContent(u.first.content)
		u.win.SetTitle("Consulta")
		return
	}
	u.first = nil
	u.browser = newBrowser(u)
	u.dashboard = newDashboard(u)
	u.peers = newPeersScreen(u)
	prev := u.drafting
	u.drafting = newDraftScreen(u)
	if prev != nil {
		u.drafting.draftID = prev.draftID // the language changed: the same draft, read again when shown
	}
	u.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Records"), u.browser.content),
		container.NewTabItem(lang.L("Dashboard"), u.dashboard.content),
		container.NewTabItem(lang.L("People"), u.peers.content),
		container.NewTabItem(lang.L("Draft"), u.drafting.content),
	)
	u.tabs.OnSelected = func(t *container.TabItem) {
		switch t.Content {
		case u.dashboard.content:
			u.dashboard.refresh()
		case u.peers.content:
			u.peers.refreshMembers()
		case u.drafting.content:
			u.drafting.open()
		}
	}
	u.win.SetTitle("Consulta · " + u.svc.Workspace().Title)
	u.win.SetContent(u.tabs)
	u.win.SetMainMenu(u.menu())
	u.browser.refresh()
	u.browser.restoreDrafts()
	u.showRelay()
}

// menu is the main menu; its shortcuts work wherever the focus is.
func (u *UI) menu() *fyne.MainMenu {
	ctrl := fyne.KeyModifierShortcutDefault
	newNote := fyne.NewMenuItem(lang.L("New note"), func() { u.browser.newRecord(app.KindNote) })
	newNote.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: ctrl}
	save := fyne.NewMenuItem(lang.L("Save"), u.saveForm)
	save.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: ctrl}
	find := fyne.NewMenuItem(lang.L("Search"), func() { u.focusSearch() })
	find.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: ctrl}
	quit := fyne.NewMenuItem(lang.L("Quit"), u.app.Quit)
	quit.Shortcut, quit.IsQuit = quitShortcut, true
	return fyne.NewMainMenu(
		fyne.NewMenu(lang.L("File"),
			newNote,
			fyne.NewMenuItem(lang.L("New proposal"), func() { u.browser.newRecord(app.KindProposal) }),
			fyne.NewMenuItem(lang.L("New stakeholder input"), func() { u.browser.newRecord(app.KindInput) }),
			fyne.NewMenuItem(lang.L("New meeting"), func() { u.browser.newRecord(app.KindMeeting) }),
			fyne.NewMenuItemSeparator(),
			save,
			fyne.NewMenuItem(lang.L("Export…"), func() { u.showExport() }),
			fyne.NewMenuItem(lang.L("Back up…"), func() { u.showBackup() }),
			fyne.NewMenuItem(lang.L("Restore a backup…"), func() { u.showRestore() }),
			fyne.NewMenuItem(lang.L("Import a bundle…"), func() { u.showImportBundle() }),
			fyne.NewMenuItem(lang.L("Write a bundle…"), func() { u.showWriteBundle() }),
			fyne.NewMenuItem(lang.L("Settings"), func() { u.showSettings() }),
			fyne.NewMenuItemSeparator(),
			quit,
		),
		fyne.NewMenu(lang.L("View"),
			find,
			fyne.NewMenuItem(lang.L("Records"), func() { u.tabs.SelectIndex(0) }),
			fyne.NewMenuItem(lang.L("Dashboard"), func() { u.tabs.SelectIndex(1) }),
			fyne.NewMenuItem(lang.L("People"), func() { u.tabs.SelectIndex(peopleTab) }),
			fyne.NewMenuItem(lang.L("Draft"), func() { u.tabs.SelectIndex(draftTab) }),
			fyne.NewMenuItem(lang.L("Compare selected"), func() { u.browser.compare() }),
		),
		fyne.NewMenu(lang.L("Help"),
			fyne.NewMenuItem(lang.L("About Consulta"), u.showAbout),
		),
	)
}

// SetBuild says which build this is, for Help > About (main reads it).
func (u *UI) SetBuild(b buildinfo.Info) { u.about = b }

// showAbout names the build, so that a delegate reporting a problem can
// say which one they run.
func (u *UI) showAbout() {
	dialog.ShowInformation(lang.L("About Consulta"), u.about.String(), u.win)
}

// The People and Draft tabs' indexes.
const (
	peopleTab = 2
	draftTab  = 3
)

// saveForm saves the form of the tab shown: the amendment being proposed
// in the Draft tab, else the record form.
func (u *UI) saveForm() {
	if u.tabs.SelectedIndex() == draftTab && u.drafting.form != nil {
		u.drafting.form.save()
		return
	}
	u.browser.saveForm()
}

func (u *UI) focusSearch() {
	if u.tabs == nil {
		return
	}
	u.tabs.SelectIndex(0)
	u.win.Canvas().Focus(u.browser.search)
}

// Show shows the window, on the screen CONSULTA_SCREEN names if set (used by
// make screenshots: main, dashboard, detail, form, compare, merge, export,
// people (or peers), invite, draft).
func (u *UI) Show() {
	u.win.Show()
	if u.browser == nil {
		return
	}
	switch os.Getenv("CONSULTA_SCREEN") {
	case "dashboard":
		u.tabs.SelectIndex(1)
	case "detail":
		u.browser.filters.pick("kind", string(app.KindProposal))
		u.browser.list.Select(0)
	case "form":
		u.browser.newRecord(app.KindNote)
	case "people", "peers":
		u.tabs.SelectIndex(peopleTab)
	case "draft":
		u.tabs.SelectIndex(draftTab)
	case "invite":
		u.tabs.SelectIndex(peopleTab)
		u.peers.showInvite()
	case "compare":
		u.browser.filters.pick("kind", string(app.KindProposal))
		u.browser.list.Select(0)
		u.browser.togglePin()
		u.browser.list.Select(1)
		u.browser.togglePin()
		u.browser.compare()
	case "merge":
		u.browser.filters.pick("kind", string(app.KindProposal))
		for _, r := range u.browser.records[:min(2, len(u.browser.records))] {
			u.browser.setSelected(r.ID, true)
		}
		u.browser.openMerge()
	case "export":
		u.browser.filters.pick("subregion", "andes")
		u.showExport()
	}
}

// Close stops background work. The caller closes the store afterwards.
func (u *UI) Close() {
	if !u.closed {
		u.closed = true
		close(u.stopSync)
	}
	u.stopRelay()
	if u.browser != nil {
		u.browser.stop()
		u.browser.flushDrafts()
	}
	if u.drafting != nil {
		u.drafting.stop()
		u.drafting.flushDrafts()
	}
}

// label returns the label of a taxonomy code in the UI's language.
func (u *UI) label(list, code string) string { return u.tax.Label(list, code, u.lang) }

// setLanguage switches the UI's language and rebuilds it.
func (u *UI) setLanguage(l app.Lang) {
	if l == u.lang {
		return
	}
	if err := u.svc.SetSetting(settingLang, string(l)); err != nil {
		u.showError(err)
	}
	u.lang = l
	useLanguage(l)
	if u.browser != nil {
		u.browser.flushDrafts()
	}
	if u.drafting != nil {
		u.drafting.flushDrafts()
	}
	u.build()
}

// quitShortcut quits the app: Ctrl+Q, or Cmd+Q on macOS (where the system
// menu also has it).
var quitShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}

// addQuit makes quitShortcut work in w while it has no main menu (the first
// run, the passphrase prompt) and no focused entry takes the keys: the main
// menu's Quit covers the rest, wherever the focus is.
func addQuit(a fyne.App, w fyne.Window) {
	w.Canvas().AddShortcut(quitShortcut, func(fyne.Shortcut) { a.Quit() })
}

// newWindow opens another window of the app (export, merge, compare, a
// conflict), where quitShortcut works too.
func (u *UI) newWindow(title string) fyne.Window {
	w := u.app.NewWindow(title)
	addQuit(u.app, w)
	return w
}

// ShowStartError shows, in a window of its own, why the data directory dir
// could not be opened (in use by another Consulta, not a Consulta
// directory, damaged), and returns when the window is closed.
func ShowStartError(a fyne.App, dir string, err error) {
	useLanguage(systemLanguage())
	w := a.NewWindow("Consulta")
	msg := widget.NewLabel(lang.L("Consulta cannot open its data folder {{.Dir}}:", map[string]any{"Dir": dir}) + "\n\n" + err.Error())
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), widget.NewButton(lang.L("Close"), a.Quit)), nil, nil, container.NewVScroll(msg)))
	w.Resize(fyne.NewSize(560, 220))
	addQuit(a, w)
	w.ShowAndRun()
}

// ShowUnlock asks for the passphrase of the protected data directory dir,
// in a window of its own, until open accepts one (it then opens the main
// window) or the window is closed.
func ShowUnlock(a fyne.App, dir string, open func(passphrase []byte) error) {
	useLanguage(systemLanguage())
	w := a.NewWindow("Consulta")
	u := newUnlock(w, dir, open)
	w.SetContent(u.content)
	w.Resize(fyne.NewSize(520, 240))
	addQuit(a, w)
	w.Show()
	w.Canvas().Focus(u.pass)
}

// unlock is the passphrase prompt.
type unlock struct {
	win     fyne.Window
	pass    *widget.Entry
	message *widget.Label
	ok      *widget.Button
	content fyne.CanvasObject
}

func newUnlock(w fyne.Window, dir string, open func([]byte) error) *unlock {
	u := &unlock{win: w}
	u.pass = widget.NewPasswordEntry()
	u.pass.SetPlaceHolder(lang.L("Passphrase"))
	u.message = widget.NewLabel("")
	u.message.Wrapping = fyne.TextWrapWord
	u.message.Importance = widget.DangerImportance
	try := func() {
		if u.pass.Text == "" {
			return
		}
		u.ok.Disable()
		u.message.SetText(lang.L("Opening…"))
		if err := open([]byte(u.pass.Text)); err != nil {
			msg := err.Error()
			if app.KindOf(err) == app.Passphrase {
				msg = lang.L("Wrong passphrase. Nothing was opened or changed; try again.")
			}
			u.message.SetText(msg)
			u.pass.SetText("")
			u.ok.Enable()
			w.Canvas().Focus(u.pass)
			return
		}
		w.Close()
	}
	u.pass.OnSubmitted = func(string) { try() }
	u.ok = widget.NewButton(lang.L("Open"), try)
	u.ok.Importance = widget.HighImportance
	intro := widget.NewLabel(lang.L("The data in {{.Dir}} is protected. Enter its passphrase.", map[string]any{"Dir": dir}))
	intro.Wrapping = fyne.TextWrapWord
	u.content = container.NewPadded(container.NewVBox(intro, u.pass, u.message, container.NewHBox(layout.NewSpacer(), u.ok)))
	return u
}
