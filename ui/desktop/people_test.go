package desktop

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
	"github.com/cartagena-c40/consulta/storage"
)

// pair is a founder's laptop and a second laptop that joined its
// workspace, and how they exchange what the other lacks.
type pair struct {
	t        *testing.T
	founder  *app.Service
	delegate *app.Service
}

func newPair(t *testing.T) *pair {
	t.Helper()
	a := newStore(t, true)
	a.SetSetting(settingAuthor, "Secretaría Técnica")
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	ws := a.Workspace()
	if _, err := b.Join(ws.ID, ws.Secret, ws.Title); err != nil {
		t.Fatal(err)
	}
	b.SetSetting(settingAuthor, "Delegación de Chile")
	p := &pair{t: t, founder: a, delegate: b}
	p.exchange()
	return p
}

// exchange gives each laptop the operations it lacks of the other.
func (p *pair) exchange() {
	p.t.Helper()
	for _, two := range [][2]*app.Service{{p.founder, p.delegate}, {p.delegate, p.founder}} {
		have, _ := two[1].Vector()
		want, _ := two[0].Vector()
		for _, from := range have.Missing(want) {
			raw, err := two[0].OpsAfter(from.Device, from.Seq, 1000, 1<<20)
			if err != nil {
				p.t.Fatal(err)
			}
			if _, err := two[1].Receive(raw); err != nil {
				p.t.Fatal(err)
			}
		}
	}
}

// member is the delegate's laptop's member, as svc knows it.
func (p *pair) member(svc *app.Service) app.Member {
	p.t.Helper()
	me, err := p.delegate.Whoami()
	if err != nil {
		p.t.Fatal(err)
	}
	ms, err := svc.Members()
	if err != nil {
		p.t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == me.ID {
			return m
		}
	}
	p.t.Fatalf("%s does not know member %s: %+v", svc.Device(), me.ID, ms)
	return app.Member{}
}

// rowOfMember is the People tab's row of member id.
func rowOfMember(t *testing.T, u *UI, id string) *memberRow {
	t.Helper()
	for _, r := range u.peers.rows {
		if r.m.ID == id {
			return r
		}
	}
	t.Fatalf("no row for member %s", id)
	return nil
}

// texts collects the text of every label and button under o.
func texts(o fyne.CanvasObject) string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case nil:
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
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
	return strings.Join(out, "\n")
}

// TestPeopleTabFounder: the founder's laptop lists the members with their
// roles and laptops, and grants, revokes and removes, each confirmed
// first; removing says that what was held cannot be taken back.
func TestPeopleTabFounder(t *testing.T) {
	p := newPair(t)
	u := newTestUI(t, p.founder)
	if got := u.tabs.Items[peopleTab].Text; got != "People" {
		t.Fatalf("tab %d is %q", peopleTab, got)
	}
	u.tabs.SelectIndex(peopleTab)
	pe := u.peers
	if !strings.Contains(pe.whoami.Text, "This laptop:") || !strings.Contains(pe.whoami.Text, "founder") {
		t.Fatalf("whoami line: %q", pe.whoami.Text)
	}
	if pe.roleNote.Visible() {
		t.Fatalf("the founder is told they may not grant: %q", pe.roleNote.Text)
	}
	if len(pe.rows) != 2 {
		t.Fatalf("%d members shown", len(pe.rows))
	}
	founder := pe.rows[0]
	if !founder.m.Founder || !strings.Contains(founder.role.Text, "founder") || len(founder.buttons) != 0 {
		t.Fatalf("founder row: %q, buttons %d", founder.role.Text, len(founder.buttons))
	}
	if !strings.Contains(texts(founder.box), "this laptop") {
		t.Fatalf("the founder's row does not mark this laptop:\n%s", texts(founder.box))
	}
	d := p.member(p.founder)
	row := rowOfMember(t, u, d.ID)
	if row.role.Text != "delegate" {
		t.Fatalf("the joined laptop's member is %q", row.role.Text)
	}
	for _, b := range []string{"Make rapporteur", "Make secretariat", "Remove from the workspace"} {
		if row.button(b) == nil {
			t.Fatalf("no %q for a delegate, only %s", b, texts(row.box))
		}
	}

	test.Tap(row.button("Make rapporteur"))
	dlg := u.win.Canvas().Overlays().Top()
	if !strings.Contains(texts(dlg), "merge and unmerge proposals") {
		t.Fatalf("the confirmation does not say what happens:\n%s", texts(dlg))
	}
	test.Tap(findButton(t, dlg, "Make rapporteur"))
	if m := p.member(p.founder); m.Role != roles.Rapporteur {
		t.Fatalf("after Make rapporteur: %q", m.Role)
	}
	row = rowOfMember(t, u, d.ID)
	if row.role.Text != "rapporteur" || row.button("Revoke rapporteur") == nil {
		t.Fatalf("the list did not follow: %q\n%s", row.role.Text, texts(row.box))
	}

	test.Tap(row.button("Revoke rapporteur"))
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Revoke"))
	if m := p.member(p.founder); m.Role != roles.Delegate {
		t.Fatalf("after Revoke: %q", m.Role)
	}

	row = rowOfMember(t, u, d.ID)
	test.Tap(row.button("Remove from the workspace"))
	dlg = u.win.Canvas().Overlays().Top()
	if !strings.Contains(texts(dlg), "cannot be taken back") {
		t.Fatalf("removal does not say what stays with them:\n%s", texts(dlg))
	}
	test.Tap(findButton(t, dlg, "Cancel"))
	if p.member(p.founder).Removed {
		t.Fatal("Cancel removed the member")
	}
	test.Tap(row.button("Remove from the workspace"))
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Remove"))
	if !p.member(p.founder).Removed {
		t.Fatal("the member was not removed")
	}
	row = rowOfMember(t, u, d.ID)
	if row.role.Text != "removed" || len(row.buttons) != 0 || !strings.Contains(texts(row.box), "removed: it receives nothing new") {
		t.Fatalf("removed member's row: %q\n%s", row.role.Text, texts(row.box))
	}
}

// TestDelegateControlsFollowRoles: on a delegate's laptop the controls of
// merging, deciding and revising are disabled and say why; once the
// founder makes it rapporteur and that reaches it, merging and deciding
// are enabled, revising still not.
func TestDelegateControlsFollowRoles(t *testing.T) {
	p := newPair(t)
	x := add(t, p.founder, app.KindProposal, "Documentación", "Acceso a documentos.", "andes", "PE", "broad-protection")
	y := add(t, p.founder, app.KindProposal, "Registro civil", "Registro en frontera.", "andes", "PE", "broad-protection")
	zeroDraft(t, p.founder)
	p.exchange()

	u := newTestUI(t, p.delegate)
	br := u.browser
	br.setSelected(x, true)
	br.setSelected(y, true)
	if !br.mergeBtn.Disabled() {
		t.Fatal("a delegate may press Merge")
	}
	if !br.roleNote.Visible() || !strings.Contains(br.roleNote.Text, "Merging needs the rapporteur role") {
		t.Fatalf("Merge does not say why: %q (shown %v)", br.roleNote.Text, br.roleNote.Visible())
	}
	br.open(x)
	if !br.detail.edit.Disabled() || !strings.Contains(br.detail.roleNote.Text, "another member's record") {
		t.Fatalf("a delegate may edit the founder's record: %q", br.detail.roleNote.Text)
	}

	u.tabs.SelectIndex(draftTab)
	s := u.drafting
	if !s.reviseBtn.Disabled() || !s.importBtn.Disabled() || !strings.Contains(s.roleNote.Text, "needs the secretariat role") {
		t.Fatalf("revise/import for a delegate: %v %v %q", s.reviseBtn.Disabled(), s.importBtn.Disabled(), s.roleNote.Text)
	}
	selectNumber(t, s, "1")
	if !s.pane.status.Disabled() || !s.pane.note.Visible() || !strings.Contains(s.pane.note.Text, "rapporteur role") {
		t.Fatalf("status for a delegate: %v %q", s.pane.status.Disabled(), s.pane.note.Text)
	}
	u.tabs.SelectIndex(peopleTab)
	if !u.peers.roleNote.Visible() || len(rowOfMember(t, u, p.member(p.delegate).ID).buttons) != 0 {
		t.Fatal("a delegate is offered to grant or remove")
	}
	if !strings.Contains(u.peers.whoami.Text, "delegate") {
		t.Fatalf("whoami: %q", u.peers.whoami.Text)
	}

	if err := p.founder.Grant(p.member(p.founder).ID, roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	p.exchange()
	eventually(t, "Merge to be enabled once the grant arrives", func() bool { return !br.mergeBtn.Disabled() })
	if br.roleNote.Visible() {
		t.Fatalf("the note stays: %q", br.roleNote.Text)
	}
	if s.pane.status.Disabled() || s.pane.note.Visible() {
		t.Fatal("a rapporteur may not set a status")
	}
	if !s.reviseBtn.Disabled() {
		t.Fatal("a rapporteur may issue a revision")
	}
	if !strings.Contains(u.peers.whoami.Text, "rapporteur") {
		t.Fatalf("whoami after the grant: %q", u.peers.whoami.Text)
	}
}

// TestHistoryShowsNotApplied: a rapporteur merged without having seen
// that their role was revoked; the sources' history keeps the merge and
// says it is not applied.
func TestHistoryShowsNotApplied(t *testing.T) {
	p := newPair(t)
	x := add(t, p.founder, app.KindProposal, "Documentación", "Acceso a documentos.", "andes", "PE", "broad-protection")
	y := add(t, p.founder, app.KindProposal, "Registro civil", "Registro en frontera.", "andes", "PE", "broad-protection")
	d := p.member(p.founder)
	if err := p.founder.Grant(d.ID, roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	p.exchange()
	if err := p.founder.Revoke(d.ID, roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	title, body := "Documentación y registro", "Acceso a documentos y registro en frontera."
	if _, err := p.delegate.Merge([]app.RecordID{x, y}, app.Patch{Title: &title, Body: &body}); err != nil {
		t.Fatal(err)
	}
	p.exchange()

	u := newTestUI(t, p.founder)
	u.browser.open(x)
	hist := texts(u.browser.detail.history)
	if !strings.Contains(hist, "— not applied: role revoked") {
		t.Fatalf("the history does not show the merge not applied:\n%s", hist)
	}
}

// TestPeopleTabOpenWorkspace: a workspace from before roles says that
// everyone may do everything, names no role and offers no grant.
func TestPeopleTabOpenWorkspace(t *testing.T) {
	svc := newStore(t, false)
	if _, err := svc.Join(app.WorkspaceID(app.NewID(time.Now())), make([]byte, 32), "Consulta Andina"); err != nil {
		t.Fatal(err)
	}
	x := add(t, svc, app.KindProposal, "Documentación", "Acceso a documentos.", "andes", "PE", "broad-protection")
	y := add(t, svc, app.KindProposal, "Registro civil", "Registro en frontera.", "andes", "PE", "broad-protection")
	if !svc.Authority().Open() {
		t.Fatal("the set-up made a workspace with roles")
	}
	u := newTestUI(t, svc)
	u.tabs.SelectIndex(peopleTab)
	pe := u.peers
	if pe.whoami.Text != "This workspace has no roles yet: everyone may do everything." || pe.roleNote.Visible() {
		t.Fatalf("open workspace: %q / %q", pe.whoami.Text, pe.roleNote.Text)
	}
	for _, r := range pe.rows {
		if r.role.Text != "" || len(r.buttons) != 0 {
			t.Fatalf("a row names a role or offers a change: %q %d", r.role.Text, len(r.buttons))
		}
	}
	u.browser.setSelected(x, true)
	u.browser.setSelected(y, true)
	if u.browser.mergeBtn.Disabled() || u.browser.roleNote.Visible() {
		t.Fatal("merging is refused in a workspace without roles")
	}
	// Giving it roles: this laptop founds it, once confirmed.
	if !pe.found.Visible() {
		t.Fatal("a workspace without roles does not offer to give it roles")
	}
	test.Tap(pe.found)
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Give it roles"))
	if svc.Authority().Open() {
		t.Fatal("the workspace has no roles after founding it")
	}
	u.rolesChanged()
	if me, _ := svc.Whoami(); !me.Founder || pe.found.Visible() {
		t.Fatalf("after founding: %+v, button shown %v", me, pe.found.Visible())
	}
}
