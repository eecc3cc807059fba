package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// showError tells the user what went wrong. It may be called from any
// goroutine.
func (u *UI) showError(err error) {
	if err == nil {
		return
	}
	dispatch(func() { dialog.ShowError(err, u.win) })
}

// languageSelect chooses among the four languages, shown in their own names.
func languageSelect(cur app.Lang, changed func(app.Lang)) *widget.Select {
	var opts []string
	for _, l := range app.Languages {
		opts = append(opts, languageNames[l])
	}
	s := widget.NewSelect(opts, func(name string) {
		for l, n := range languageNames {
			if n == name && changed != nil {
				changed(l)
			}
		}
	})
	s.SetSelected(languageNames[cur])
	return s
}

// settings is the settings dialog: language, name, organization, and the
// current meeting new notes belong to.
type settings struct {
	dlg      dialog.Dialog
	language *widget.Select
	author   *widget.Entry
	org      *widget.Entry
	meeting  *codeSelect
	protect  *widget.Button
	relay    *widget.Entry // the relay between venues' URL (relay.go)
	chosen   app.Lang
}

func (u *UI) showSettings() { u.openSettings() }

func (u *UI) openSettings() *settings {
	s := &settings{chosen: u.lang}
	s.language = languageSelect(u.lang, func(l app.Lang) { s.chosen = l })
	s.author = widget.NewEntry()
	s.author.SetText(u.svc.Setting(settingAuthor))
	s.org = widget.NewEntry()
	s.org.SetText(u.svc.Setting(settingOrg))
	s.meeting = newCodeSelect(nil, nil, lang.L("No meeting"), nil)
	if res, err := u.svc.List(app.Filter{Kinds: []string{string(app.KindMeeting)}}, 0); err == nil {
		var ids []string
		labels := map[string]string{}
		for _, m := range res.Records {
			ids = append(ids, string(m.ID))
			labels[string(m.ID)] = meetingLabel(m)
		}
		s.meeting.setCodes(ids, func(id string) string { return labels[id] }, lang.L("No meeting"))
	}
	s.meeting.setCode(u.svc.Setting(settingMeeting))
	s.relay = widget.NewEntry()
	s.relay.SetPlaceHolder("nats://relay.example.org:4222")
	s.relay.SetText(u.svc.Setting(settingRelay))
	s.relay.Validator = validRelayURL
	relayItem := widget.NewFormItem(lang.L("Relay between venues"), s.relay)
	relayItem.HintText = lang.L("Empty: no relay. One laptop per room is enough.")
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Language"), s.language),
		widget.NewFormItem(lang.L("Your name"), s.author),
		widget.NewFormItem(lang.L("Organization"), s.org),
		widget.NewFormItem(lang.L("Current meeting"), s.meeting),
		relayItem,
	}
	ws := u.svc.Workspace()
	info := widget.NewLabel(lang.L("Workspace") + ": " + ws.Title + "\n" + lang.L("Device") + ": " + string(u.svc.Device()))
	protectText := lang.L("Protect with a passphrase…")
	if len(u.protection.Passphrase) > 0 {
		protectText = lang.L("Change the passphrase…")
	}
	s.protect = widget.NewButton(protectText, func() {
		s.dlg.Hide()
		u.showProtect()
	})
	if u.protection.Protect == nil {
		s.protect.Hide()
	}
	s.dlg = dialog.NewCustomConfirm(lang.L("Settings"), lang.L("Save"), lang.L("Cancel"),
		container.NewVBox(widget.NewForm(items...), info, s.protect), func(ok bool) {
			if !ok {
				return
			}
			for k, v := range map[string]string{settingAuthor: s.author.Text, settingOrg: s.org.Text, settingMeeting: s.meeting.code()} {
				if err := u.svc.SetSetting(k, v); err != nil {
					u.showError(err)
				}
			}
			if err := u.setRelay(s.relay.Text); err != nil {
				u.showError(err) // the other settings are stored; the relay stays as it was
			}
			u.setLanguage(s.chosen)
		}, u.win)
	s.dlg.Resize(fyne.NewSize(560, 440))
	s.dlg.Show()
	return s
}
