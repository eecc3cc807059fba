package desktop

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

// The members section of the People tab: who is in the workspace, with
// which role, on which laptops, and, for the secretariat, granting,
// revoking and removing, each confirmed first.

// memberRow is one member as the People tab shows them.
type memberRow struct {
	m       app.Member
	name    *widget.Label
	role    *widget.Label
	laptops []*widget.Label
	buttons []*widget.Button // what may be done to them here
	box     *fyne.Container
}

// button is the row's button with text, or nil.
func (r *memberRow) button(text string) *widget.Button {
	for _, b := range r.buttons {
		if b.Text == text {
			return b
		}
	}
	return nil
}

// refreshMembers shows the members as the role operations stored here
// decide them now.
func (p *peersScreen) refreshMembers() {
	svc := p.u.svc
	ms, err := svc.Members()
	if err != nil {
		p.whoami.SetText(errorText(err))
		return
	}
	me, _ := svc.Whoami()
	open := svc.Authority().Open()
	sig := membersSignature(ms, open)
	canGrant, _ := svc.May(roles.Grant)
	canRemove, _ := svc.May(roles.Remove)
	sig += strings.Repeat("g", btoi(canGrant)) + strings.Repeat("r", btoi(canRemove))
	if sig == p.membersSig {
		return // nothing changed: the buttons under the pointer stay
	}
	p.membersSig = sig
	if open {
		p.whoami.SetText(lang.L("This workspace has no roles yet: everyone may do everything."))
		setNote(p.roleNote, "")
		p.found.Show()
	} else {
		p.found.Hide()
		p.whoami.SetText(lang.L("This laptop: {{.Name}} · {{.Role}}", map[string]any{"Name": me.Name(), "Role": memberRole(me)}))
		_, why := p.u.may(roles.Grant, lang.L("Granting roles or removing a member"))
		setNote(p.roleNote, why)
	}
	p.rows = nil
	p.members.Objects = nil
	for _, m := range ms {
		r := p.memberRow(m, open, !open && canGrant, !open && canRemove)
		p.rows = append(p.rows, r)
		p.members.Add(r.box)
		p.members.Add(widget.NewSeparator())
	}
	p.members.Refresh()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// membersSignature sums up what the members list shows.
func membersSignature(ms []app.Member, open bool) string {
	var b strings.Builder
	if open {
		b.WriteString("open;")
	}
	for _, m := range ms {
		b.WriteString(m.ID + "|" + string(m.Role) + "|" + memberFlags(m.Founder, m.Removed) + ":")
		for _, d := range m.Devices {
			b.WriteString(string(d.ID) + "=" + d.Name + memberFlags(d.Removed, d.This) + ",")
		}
		b.WriteString(";")
	}
	return b.String()
}

func memberFlags(a, b bool) string {
	return string(rune('0'+btoi(a))) + string(rune('0'+btoi(b)))
}

// memberRow builds m's row, with the buttons this laptop's member may use
// on them (none on their own row). In an open workspace (no roles yet)
// it names no role.
func (p *peersScreen) memberRow(m app.Member, open, grant, remove bool) *memberRow {
	r := &memberRow{m: m}
	r.name = widget.NewLabelWithStyle(m.Name(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Wrapping = fyne.TextWrapWord
	r.role = widget.NewLabel(memberRole(m))
	if open {
		r.role.SetText("")
	}
	if m.Removed {
		r.role.Importance = widget.DangerImportance
	} else if m.Founder || m.Role != roles.Delegate {
		r.role.Importance = widget.HighImportance
	}
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, r.role, r.name)}
	self := false
	live := 0 // laptops not removed
	for _, d := range m.Devices {
		self = self || d.This
		if !d.Removed {
			live++
		}
	}
	for _, d := range m.Devices {
		name := d.Name
		text := lang.L("Laptop") + ": " + string(d.ID) // the id the peers list shows
		if name == "" {
			name = string(d.ID)
		} else {
			text = lang.L("Laptop") + ": " + name + " (" + string(d.ID) + ")"
		}
		if d.This {
			text += " — " + lang.L("this laptop")
		}
		if d.Removed {
			text += " — " + lang.L("removed: it receives nothing new")
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		if d.Removed {
			l.Importance = widget.LowImportance
		}
		r.laptops = append(r.laptops, l)
		if remove && !m.Removed && !d.This && !d.Removed && live > 1 {
			b := widget.NewButtonWithIcon(lang.L("Remove this laptop"), theme.DeleteIcon(), func() { p.confirmRemoveLaptop(m, d, name) })
			r.buttons = append(r.buttons, b)
			objs = append(objs, container.NewBorder(nil, nil, nil, b, l))
		} else {
			objs = append(objs, l)
		}
	}
	var actions []fyne.CanvasObject
	add := func(label string, icon fyne.Resource, do func()) {
		b := widget.NewButtonWithIcon(label, icon, do)
		r.buttons = append(r.buttons, b)
		actions = append(actions, b)
	}
	if !m.Removed && !self {
		if grant {
			switch m.Role {
			case roles.Delegate:
				add(lang.L("Make rapporteur"), theme.ContentAddIcon(), func() { p.confirmGrant(m, roles.Rapporteur) })
				add(lang.L("Make secretariat"), theme.ContentAddIcon(), func() { p.confirmGrant(m, roles.Secretariat) })
			case roles.Rapporteur:
				add(lang.L("Make secretariat"), theme.ContentAddIcon(), func() { p.confirmGrant(m, roles.Secretariat) })
				add(lang.L("Revoke rapporteur"), theme.ContentRemoveIcon(), func() { p.confirmRevoke(m, roles.Rapporteur) })
			case roles.Secretariat:
				if !m.Founder { // founders keep the secretariat
					add(lang.L("Revoke secretariat"), theme.ContentRemoveIcon(), func() { p.confirmRevoke(m, roles.Secretariat) })
				}
			}
		}
		if remove && !m.Founder {
			add(lang.L("Remove from the workspace"), theme.DeleteIcon(), func() { p.confirmRemove(m) })
		}
	}
	if len(actions) > 0 {
		objs = append(objs, container.NewHBox(actions...))
	}
	r.box = container.NewVBox(objs...)
	return r
}

// ask confirms question, then does do and shows the members again.
func (p *peersScreen) ask(title, question, yes string, do func() error) {
	d := dialog.NewConfirm(title, question, func(ok bool) {
		if !ok {
			return
		}
		if err := do(); err != nil {
			p.u.showError(err)
		}
		p.u.rolesChanged()
	}, p.u.win)
	d.SetConfirmText(yes)
	d.SetDismissText(lang.L("Cancel"))
	d.Show()
}

func (p *peersScreen) confirmGrant(m app.Member, role roles.Role) {
	data := map[string]any{"Name": m.Name()}
	var title, q string
	if role == roles.Rapporteur {
		title = lang.L("Make rapporteur")
		q = lang.L("Make {{.Name}} a rapporteur? They may then merge and unmerge proposals, resolve conflicts, decide amendments and set paragraph statuses. Every laptop applies it once it has synced.", data)
	} else {
		title = lang.L("Make secretariat")
		q = lang.L("Give {{.Name}} the secretariat role? They may then also issue revisions, import drafts, change the workspace's settings, grant and revoke roles and remove members. Every laptop applies it once it has synced.", data)
	}
	p.ask(title, q, title, func() error { return p.u.svc.Grant(m.ID, role) })
}

func (p *peersScreen) confirmRevoke(m app.Member, role roles.Role) {
	data := map[string]any{"Name": m.Name(), "Role": roleName(role)}
	title := lang.L("Revoke {{.Role}}", data)
	q := lang.L("Take the {{.Role}} role from {{.Name}}? What they did with it stays. What they do from now on that needs it, even on a laptop that has not heard of this yet, is kept but not applied.", data)
	p.ask(title, q, lang.L("Revoke"), func() error { return p.u.svc.Revoke(m.ID, role) })
}

// confirmFound gives a workspace from before roles its roles, this
// laptop's member its founder, once confirmed.
func (p *peersScreen) confirmFound() {
	q := lang.L("This laptop's member becomes the founder and keeps the secretariat. Everyone already in the workspace keeps the secretariat until it is revoked; laptops that join from now on are delegates. This cannot be undone.")
	p.ask(lang.L("Give this workspace roles…"), q, lang.L("Give it roles"), func() error { return p.u.svc.Found() })
}

func (p *peersScreen) confirmRemove(m app.Member) {
	q := lang.L("Remove {{.Name}} from the workspace? Their laptops receive nothing new and are refused when they sync. What their laptops already hold cannot be taken back.", map[string]any{"Name": m.Name()})
	p.ask(lang.L("Remove from the workspace"), q, lang.L("Remove"), func() error { return p.u.svc.RemoveMember(m.ID) })
}

func (p *peersScreen) confirmRemoveLaptop(m app.Member, d app.Laptop, name string) {
	q := lang.L("Remove the laptop {{.Laptop}} of {{.Name}}, a lost one? It receives nothing new and is refused when it syncs; their other laptops stay. What it already holds cannot be taken back.", map[string]any{"Laptop": name, "Name": m.Name()})
	p.ask(lang.L("Remove this laptop"), q, lang.L("Remove"), func() error { return p.u.svc.RemoveLaptop(d.ID) })
}
