package desktop

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
	"github.com/cartagena-c40/consulta/storage"
)

// rows returns the record rows the list shows.
func rows(u *UI) []*recordRow {
	var out []*recordRow
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if r, ok := o.(*recordRow); ok && r.Visible() && r.id != "" {
			out = append(out, r)
		}
	}
	return out
}

// tick clicks the check box of a row, in its middle, as a person does.
func tick(r *recordRow) {
	test.TapAt(r.check, fyne.NewPos(r.check.MinSize().Width/2, r.check.Size().Height/2))
}

func rowOf(t *testing.T, u *UI, id app.RecordID) *recordRow {
	t.Helper()
	for _, r := range rows(u) {
		if r.id == id {
			return r
		}
	}
	t.Fatalf("no row shows %s", id)
	return nil
}

// TestSelectAndMerge: a rapporteur ticks two proposals in the list, opens
// Merge, finds their texts side by side and prefilled, writes a title and
// merges; the sources show as merged, the new one opens with its sources.
func TestSelectAndMerge(t *testing.T) {
	svc := newStore(t, true)
	svc.SetSetting(settingAuthor, "Relatora Andina")
	a := add(t, svc, app.KindProposal, "Documentación", "Acceso a documentos de identidad.", "andes", "PE", "broad-protection")
	b := add(t, svc, app.KindProposal, "Registro civil", "Registro de nacimientos en frontera.", "andes", "PE", "broad-protection")
	add(t, svc, app.KindNote, "Nota de la sesión", "Notas.", "andes", "PE", "broad-protection")
	u := newTestUI(t, svc)
	br := u.browser
	if !br.mergeBtn.Disabled() {
		t.Fatal("Merge is enabled with nothing selected")
	}
	tick(rowOf(t, u, a))
	if !br.mergeBtn.Disabled() {
		t.Fatal("Merge is enabled with one record selected")
	}
	tick(rowOf(t, u, b))
	if br.mergeBtn.Disabled() {
		t.Fatalf("Merge stays disabled with two proposals selected: %v %d", br.pinned, len(br.mergeable()))
	}
	test.Tap(br.mergeBtn)
	m := br.merger
	if m == nil {
		t.Fatal("Merge opened no editor")
	}
	if len(m.sources) != 2 || !strings.Contains(m.body.Text, "Acceso a documentos") || !strings.Contains(m.body.Text, "Registro de nacimientos") {
		t.Fatalf("the editor is not prefilled with both texts: %q", m.body.Text)
	}
	// An empty title is refused in the window, which keeps the text.
	m.title.SetText("")
	test.Tap(m.save)
	if m.message.Text == "" || br.merger == nil {
		t.Fatal("an empty title was not refused in the editor")
	}
	test.Type(m.title, "Identidad y documentación")
	test.Tap(m.save)
	if br.merger != nil {
		t.Fatalf("the editor stayed open: %s", m.message.Text)
	}
	for _, id := range []app.RecordID{a, b} {
		r, _ := svc.Get(id)
		if r.Status != app.StatusMerged || len(r.MergedInto) != 1 {
			t.Fatalf("source %s: %s %v", id, r.Status, r.MergedInto)
		}
	}
	cons := br.detail.rec
	if cons == nil || len(cons.Sources) != 2 || cons.Title != "Identidad y documentación" || cons.Author != "Relatora Andina" {
		t.Fatalf("the consolidated proposal is not shown: %+v", cons)
	}
	if len(br.pinned) != 0 {
		t.Fatal("the selection was not cleared")
	}
	if d, _ := svc.Draft(mergeDraftName); d != "" {
		t.Fatal("the merge draft stayed after merging")
	}
	// Support it from the detail pane.
	test.Tap(br.detail.support)
	if r, _ := svc.Get(cons.ID); len(r.Supporters) != 1 || r.Supporters[0] != "Relatora Andina" {
		t.Fatalf("supporters %v", r.Supporters)
	}
	if br.detail.support.Text != "Withdraw support" {
		t.Fatalf("support button says %q", br.detail.support.Text)
	}
}

// TestResolveConflict: two laptops edited the same paragraph; the detail
// pane says so and opens the versions side by side; keeping one settles it.
func TestResolveConflict(t *testing.T) {
	a := newStore(t, true)
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
	exchange := func() {
		for _, pair := range [][2]*app.Service{{a, b}, {b, a}} {
			have, _ := pair[1].Vector()
			want, _ := pair[0].Vector()
			for _, from := range have.Missing(want) {
				raw, err := pair[0].OpsAfter(from.Device, from.Seq, 1000, 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := pair[1].Receive(raw); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	id := add(t, a, app.KindProposal, "Protección", "Garantizar el acceso.\n\nFortalecer el asilo.", "andes", "EC", "broad-protection")
	exchange()
	// b edits a's text: the secretariat's role, which the founder gives.
	bm, err := b.Whoami()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Grant(bm.ID, roles.Secretariat); err != nil {
		t.Fatal(err)
	}
	exchange()
	if err := a.Update(id, app.Patch{Body: sp("Garantizar el acceso sin rechazo.\n\nFortalecer el asilo.")}); err != nil {
		t.Fatal(err)
	}
	if err := b.Update(id, app.Patch{Body: sp("Garantizar el acceso seguro.\n\nFortalecer el asilo.")}); err != nil {
		t.Fatal(err)
	}
	exchange()

	u := newTestUI(t, a)
	br := u.browser
	if row := rowOf(t, u, id); !strings.Contains(row.title.Text, "Conflict") {
		t.Fatalf("the row does not show the conflict: %q", row.title.Text)
	}
	// "Needs attention" lists it.
	add(t, a, app.KindNote, "Nota sin conflicto", "Texto.", "andes", "EC", "broad-protection")
	br.filters.attention.SetChecked(true)
	if got := titles(br); len(got) != 1 || got[0] != "Protección" {
		t.Fatalf("needs attention shows %v", got)
	}
	br.open(id)
	d := br.detail
	if !d.resolve.Visible() || len(d.attention.Objects) < 2 {
		t.Fatal("the detail pane does not offer to resolve the conflict")
	}
	test.Tap(d.resolve)
	v := d.resolver
	if v == nil || len(v.keep) != 2 {
		t.Fatal("no window with two versions")
	}
	want := d.rec.Conflict[1].Body
	test.Tap(v.keep[1])
	if d.resolver != nil {
		t.Fatal("the conflict window stayed open")
	}
	r, _ := a.Get(id)
	if len(r.Conflict) != 0 || r.Body != want {
		t.Fatalf("after keeping version 2: %q %v", r.Body, r.Conflict)
	}
	if d.resolve.Visible() && len(d.attention.Objects) > 0 {
		t.Fatal("the detail pane still shows the conflict")
	}
	// The history shows the edits as changed lines, and the conflict.
	var hist []string
	for _, o := range d.history.Objects {
		if l, ok := o.(*widget.Label); ok {
			hist = append(hist, l.Text)
		}
	}
	all := strings.Join(hist, "\n")
	for _, want := range []string{"+ Garantizar el acceso sin rechazo.", "− Garantizar el acceso.", "Conflict: 2 versions"} {
		if !strings.Contains(all, want) {
			t.Errorf("the history lacks %q:\n%s", want, all)
		}
	}
}
