package desktop

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/invite"
)

// demoRecords is how many sample records first run offers to load.
const demoRecords = 2000

// firstRun is the screen of a data directory with no workspace yet: choose
// the language, name the consultation, say who you are, and optionally load
// sample data.
type firstRun struct {
	u        *UI
	content  fyne.CanvasObject
	language *widget.Select
	title    *widget.Entry
	author   *widget.Entry
	org      *widget.Entry
	pass     *widget.Entry // optional: protect the data from the start
	sample   *widget.Check
	create   *widget.Button
	progress *widget.ProgressBar
	message  *widget.Label

	code *widget.Entry // joining an existing workspace instead
	peer *widget.Entry
	join *widget.Button
}

func newFirstRun(u *UI) *firstRun {
	f := &firstRun{u: u}
	f.language = languageSelect(u.lang, func(l app.Lang) {
		if l != u.lang {
			u.setLanguage(l) // rebuilds this screen in l
		}
	})
	f.title = widget.NewEntry()
	f.title.SetPlaceHolder("Cartagena +40")
	f.author = widget.NewEntry()
	f.org = widget.NewEntry()
	f.pass = widget.NewPasswordEntry()
	f.pass.SetPlaceHolder(lang.L("optional: protects this laptop's data"))
	f.sample = widget.NewCheck(lang.L("Load sample data to try the app ({{.N}} records)", map[string]any{"N": demoRecords}), nil)
	f.create = widget.NewButton(lang.L("Create workspace"), f.submit)
	f.create.Importance = widget.HighImportance
	f.progress = widget.NewProgressBar()
	f.progress.Hide()
	f.message = widget.NewLabel("")
	f.message.Importance = widget.DangerImportance
	f.message.Hide()
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Language"), f.language),
		widget.NewFormItem(lang.L("Consultation process"), f.title),
		widget.NewFormItem(lang.L("Your name"), f.author),
		widget.NewFormItem(lang.L("Organization"), f.org),
	)
	if u.protection.Protect != nil {
		form.Append(lang.L("Passphrase"), f.pass)
	}
	welcome := widget.NewLabelWithStyle(lang.L("Welcome to Consulta"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(lang.L("Create the workspace for your consultation process. Other laptops will be able to join it later."))
	intro.Wrapping = fyne.TextWrapWord
	f.code = widget.NewEntry()
	f.code.SetPlaceHolder("XXXX-XXXX-XXXX-…")
	f.peer = widget.NewEntry()
	f.peer.SetPlaceHolder(lang.L("optional: host:port of a member laptop"))
	f.join = widget.NewButton(lang.L("Join workspace"), f.submitJoin)
	joinIntro := widget.NewLabel(lang.L("Or join a workspace another laptop created: type the join code it shows under People, Invite a laptop."))
	joinIntro.Wrapping = fyne.TextWrapWord
	joinForm := widget.NewForm(
		widget.NewFormItem(lang.L("Join code"), f.code),
		widget.NewFormItem(lang.L("Peer"), f.peer),
	)
	box := container.NewVBox(welcome, intro, form, f.sample, f.create, f.progress, widget.NewSeparator(),
		joinIntro, joinForm, f.join, f.message)
	f.content = container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(560, 620)), box))
	return f
}

func (f *firstRun) fail(err error) {
	f.message.SetText(err.Error())
	f.message.Show()
}

// saveProfile keeps the language, name and organization chosen here.
func (f *firstRun) saveProfile() {
	for k, v := range map[string]string{settingLang: string(f.u.lang),
		settingAuthor: strings.TrimSpace(f.author.Text), settingOrg: strings.TrimSpace(f.org.Text)} {
		if err := f.u.svc.SetSetting(k, v); err != nil {
			f.u.showError(err)
		}
	}
}

// submitJoin makes this laptop a member of the workspace of the code; sync
// then brings its records, which appear as they arrive.
func (f *firstRun) submitJoin() {
	u := f.u
	id, key, err := invite.Decode(f.code.Text)
	if err == nil {
		_, err = u.svc.Join(app.WorkspaceID(id), key, "")
	}
	if err != nil {
		f.fail(err)
		return
	}
	f.saveProfile()
	u.addPeer(f.peer.Text)
	u.build()
}

func (f *firstRun) submit() {
	u := f.u
	title := strings.TrimSpace(f.title.Text)
	if title == "" {
		title = f.title.PlaceHolder
	}
	pass := f.pass.Text
	if pass != "" && len([]rune(pass)) < 8 {
		f.fail(errors.New(lang.L("Use at least 8 characters; nothing was changed.")))
		return
	}
	if _, err := u.svc.Init(title); err != nil {
		f.fail(err)
		return
	}
	f.saveProfile()
	// With a passphrase, the new store is protected as soon as it holds
	// the workspace (and the sample data): protecting copies it into an
	// encrypted store and deletes the plaintext one.
	finish := func() {
		if pass != "" && u.protection.Protect != nil {
			u.protectWith([]byte(pass))
			return
		}
		u.build()
	}
	if !f.sample.Checked {
		finish()
		return
	}
	f.create.Disable()
	f.progress.Show()
	go func() {
		_, err := demo.Load(u.svc, demoRecords, 1, 500, func(done, total int) {
			dispatch(func() { f.progress.SetValue(float64(done) / float64(total)) })
		})
		if err == nil { // and a draft plan to try the Draft tab on
			_, err = demo.LoadPlan(u.svc, 1, lang.L("Technical Secretariat (sample)"))
		}
		dispatch(func() {
			if err != nil {
				u.showError(err)
			}
			finish()
		})
	}()
}
