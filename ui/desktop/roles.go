package desktop

// Roles in the window: whether this laptop's member may use a control,
// and why not, in the UI's language; role words; why an operation of a
// record's history is kept but not applied; and following role changes
// (made here or arriving from a peer), so that the controls follow.

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

// may reports whether this laptop's member may do act now; if not, why
// reads as a sentence about what, the control's purpose ("Merging").
func (u *UI) may(act roles.Action, what string) (ok bool, why string) {
	ok, reason := u.svc.May(act)
	if ok {
		return true, ""
	}
	if strings.Contains(reason, "removed") {
		return false, lang.L("This laptop was removed from the workspace: it keeps what it holds, and what it changes is not applied elsewhere.")
	}
	return false, lang.L("{{.What}} needs the {{.Role}} role, which this laptop's member does not have; the secretariat grants it.",
		map[string]any{"What": what, "Role": roleName(roles.Needed(act))})
}

// roleName is a role's word.
func roleName(r roles.Role) string {
	switch r {
	case roles.Delegate:
		return lang.L("delegate")
	case roles.Rapporteur:
		return lang.L("rapporteur")
	case roles.Secretariat:
		return lang.L("secretariat")
	case "":
		return lang.L("removed")
	}
	return string(r)
}

// memberRole is how the members list names a member's role.
func memberRole(m app.Member) string {
	switch {
	case m.Removed:
		return lang.L("removed")
	case m.Founder:
		return lang.L("founder") + " · " + roleName(m.Role)
	}
	return roleName(m.Role)
}

// newRoleNote is the small line beside controls a person may not use,
// saying why; hidden while there is nothing to say.
func newRoleNote() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.WarningImportance
	l.SizeName = theme.SizeNameCaptionText
	l.Hide()
	return l
}

// setNote shows text in note, or hides note when text is empty.
func setNote(note *widget.Label, text string) {
	if text == "" {
		note.Hide()
		return
	}
	if note.Text != text {
		note.SetText(text)
	}
	note.Show()
}

// notAppliedText says why an operation is kept in a record's history but
// not applied, from what app.Step.NotApplied says.
func notAppliedText(why string) string {
	switch {
	case why == "":
		return ""
	case why == "not applied: role revoked":
		return lang.L("not applied: role revoked")
	case why == "not applied: removed at the same time":
		return lang.L("not applied: its author was removed at the same time")
	case strings.HasPrefix(why, "not applied: the laptop signed two operations"):
		return lang.L("not applied: its laptop signed two operations with one number")
	case why == "removed":
		return lang.L("not applied: its author was removed from the workspace")
	case app.IsWaiting(why):
		return lang.L("not applied yet: it waits for role changes this laptop has not received")
	case strings.HasPrefix(why, "needs "):
		return lang.L("not applied: needs the {{.Role}} role", map[string]any{"Role": roleName(roles.Role(strings.TrimPrefix(why, "needs ")))})
	}
	return lang.L("not applied") + ": " + strings.TrimPrefix(why, "not applied: ")
}

// watchRoles follows the role operations: when who may do what changes
// (a role granted here, or role operations or a new laptop received from
// a peer), the window's controls and the members list follow. It stops
// with the UI.
func (u *UI) watchRoles() {
	last := u.svc.Authority()
	go func() {
		t := time.NewTicker(2 * time.Second) // until a workspace exists, nothing signals
		defer t.Stop()
		for {
			select {
			case <-u.stopSync:
				return
			case <-u.svc.OpsChanged():
				time.Sleep(100 * time.Millisecond) // one look for a burst of operations
			case <-t.C:
			}
			if a := u.svc.Authority(); a != last {
				last = a
				dispatch(u.rolesChanged)
			}
		}
	}()
}

// rolesChanged updates what depends on who may do what.
func (u *UI) rolesChanged() {
	if u.closed || u.browser == nil {
		return
	}
	u.peers.refreshMembers()
	b := u.browser
	b.selectionChanged()
	if r := b.detail.rec; r != nil {
		if nr, err := u.svc.Get(r.ID); err == nil {
			b.detail.show(nr)
		}
	}
	s := u.drafting
	s.enableButtons()
	if s.loaded && s.form == nil {
		s.pane.show()
	}
}
