package storage

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/roles"
)

// room is a founder and laptops that joined its workspace, each a member
// of its own.
func room(t *testing.T, n int) []*app.Service {
	t.Helper()
	rs := delegates(t, n)
	pullAll(t, rs)
	return rs
}

func member(s *app.Service) string { return string(s.Device()) }

// newProposal creates a proposal on s.
func newProposal(t *testing.T, s *app.Service, title string) app.RecordID {
	t.Helper()
	id, err := s.Create(app.KindProposal, note(title, "Texto de "+title, "andes", "PE", "broad-protection"))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestRolesInTheStore: a delegate's merge is refused before it is
// written; granted rapporteur, they merge; revoked while offline, what
// they merge meanwhile is kept, relayed and not applied, on every
// laptop, and the history says why.
func TestRolesInTheStore(t *testing.T) {
	rs := room(t, 3)
	f, r, d := rs[0], rs[1], rs[2]
	p1, p2 := newProposal(t, d, "Uno"), newProposal(t, d, "Dos")
	pullAll(t, rs)
	if _, err := r.Merge([]app.RecordID{p1, p2}, app.Patch{Title: sp("Juntos")}); app.KindOf(err) != app.Forbidden || !strings.Contains(err.Error(), "rapporteur") {
		t.Fatalf("a delegate merges: %v", err)
	}
	if err := f.Grant(member(r), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	if err := d.Grant(member(d), roles.Secretariat); app.KindOf(err) != app.Forbidden {
		t.Fatalf("a delegate grants itself the secretariat: %v", err)
	}
	pullAll(t, rs)
	if w, _ := r.Whoami(); w.Role != roles.Rapporteur {
		t.Fatalf("after the grant r is %s", w.Role)
	}
	merged, err := r.Merge([]app.RecordID{p1, p2}, app.Patch{Title: sp("Juntos")})
	if err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	// Revoked while r is offline: what r merges meanwhile is not applied.
	if err := f.Revoke(member(r), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	p3, p4 := newProposal(t, r, "Tres"), newProposal(t, r, "Cuatro")
	late, err := r.Merge([]app.RecordID{p3, p4}, app.Patch{Title: sp("Tarde")})
	if err != nil {
		t.Fatalf("offline, r does not know yet: %v", err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		if got, _ := s.Get(merged); got == nil || got.Status == app.StatusWithdrawn {
			t.Errorf("the merge made with the role was undone")
		}
		got, err := s.Get(late)
		if err != nil || got.Status != app.StatusWithdrawn || len(got.NotApplied) == 0 || got.NotApplied[0].Why != "not applied: role revoked" {
			t.Errorf("the merge concurrent with the revocation: %+v %v", got, err)
		}
		if src, _ := s.Get(p3); src.Status == app.StatusMerged {
			t.Errorf("a source of the revoked merge is merged")
		}
		if rep, err := s.Check(); err != nil || len(rep.Problems) > 0 {
			t.Errorf("check: %v %v", err, rep.Problems)
		}
	}
	steps, err := f.Steps(late)
	if err != nil || len(steps) == 0 || steps[0].NotApplied != "not applied: role revoked" {
		t.Errorf("the history of the revoked merge: %+v %v", steps, err)
	}
}

// TestRolesConvergeInAnyOrder: three laptops of a room of five receive
// the same operations (grants, revocations, merges, edits, a removal) in
// random interleavings of the laptops' chains, pulled from different
// peers at different times; they end with the same records, each the
// fold from scratch of its operations (Check).
func TestRolesConvergeInAnyOrder(t *testing.T) {
	notApplied, merged := 0, 0
	defer func() {
		if notApplied == 0 || merged == 0 {
			t.Errorf("the random rooms never exercised the rules: %d operations not applied, %d merges", notApplied, merged)
		}
	}()
	for seed := range uint64(6) {
		rng := rand.New(rand.NewPCG(seed, 21))
		rs := room(t, 5)
		var ids []app.RecordID
		for _, s := range rs {
			ids = append(ids, newProposal(t, s, "P"+string(s.Device()[:4])))
		}
		pullAll(t, rs)
		for step := range 40 {
			s := rs[rng.IntN(len(rs))]
			switch rng.IntN(6) {
			case 0:
				_ = s.Grant(member(rs[rng.IntN(5)]), []roles.Role{roles.Rapporteur, roles.Secretariat}[rng.IntN(2)])
			case 1:
				_ = s.Revoke(member(rs[rng.IntN(5)]), []roles.Role{roles.Rapporteur, roles.Secretariat}[rng.IntN(2)])
			case 2:
				a, b := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
				if a != b {
					if id, err := s.Merge([]app.RecordID{a, b}, app.Patch{Title: sp("M")}); err == nil {
						ids = append(ids, id)
					}
				}
			case 3:
				_ = s.Update(ids[rng.IntN(len(ids))], app.Patch{Title: sp("editado " + string(rune('a'+step%26)))})
			case 4:
				if step > 30 && s == rs[0] {
					_ = s.RemoveMember(member(rs[4]))
				}
			default:
				pull(t, rs[rng.IntN(5)], s)
			}
		}
		// Three laptops catch up, each in its own order.
		for _, dst := range rs[:3] {
			for _, i := range rng.Perm(5) {
				if rs[i] != dst {
					pull(t, rs[i], dst)
				}
			}
		}
		pullAll(t, rs[:3])
		want := state(t, rs[0])
		for i, s := range rs[:3] {
			if got := state(t, s); !equalStates(got, want) {
				t.Fatalf("seed %d: laptop %d differs from laptop 0", seed, i)
			}
			if rep, err := s.Check(); err != nil || len(rep.Problems) > 0 {
				t.Fatalf("seed %d: laptop %d: check %v %v", seed, i, err, rep.Problems)
			}
		}
		for id := range want {
			r, _ := rs[0].Get(id)
			notApplied += len(r.NotApplied)
			if r.Status == app.StatusMerged {
				merged++
			}
		}
	}
}

// TestRemovalRekeys: removing a member gives the workspace a new join
// key, which every laptop that stays takes when the removal reaches it,
// keeping the old one; the removed laptop cannot open it.
func TestRemovalRekeys(t *testing.T) {
	rs := room(t, 3)
	f, stay, gone := rs[0], rs[1], rs[2]
	old := slices.Clone(f.Workspace().Secret)
	if err := stay.RemoveMember(member(gone)); app.KindOf(err) != app.Forbidden {
		t.Fatalf("a delegate removes another: %v", err)
	}
	if err := f.RemoveMember(member(gone)); err != nil {
		t.Fatal(err)
	}
	ws := f.Workspace()
	if ws.Epoch != 1 || bytes.Equal(ws.Secret, old) || len(ws.Past) != 1 || !bytes.Equal(ws.Past[0], old) {
		t.Fatalf("the founder's workspace after the removal: epoch %d, past %d", ws.Epoch, len(ws.Past))
	}
	pullAll(t, rs)
	if got := stay.Workspace(); got.Epoch != 1 || !bytes.Equal(got.Secret, ws.Secret) {
		t.Fatalf("a laptop that stays did not take the new key: epoch %d", got.Epoch)
	}
	if got := gone.Workspace(); got.Epoch != 0 || !bytes.Equal(got.Secret, old) {
		t.Fatalf("the removed laptop took the new key")
	}
	if _, err := gone.Create(app.KindNote, note("x", "y", "andes", "PE", "broad-protection")); app.KindOf(err) != app.Forbidden {
		t.Fatalf("the removed laptop writes: %v", err)
	}
}

// TestSecondLaptopAndCofounder: a member's second laptop counts as theirs
// once it claims them and they link it; the founder names a co-founder,
// who then keeps the secretariat even if the founder's laptop is lost and
// removed.
func TestSecondLaptopAndCofounder(t *testing.T) {
	rs := room(t, 3)
	f, r, r2 := rs[0], rs[1], rs[2]
	p1, p2 := newProposal(t, f, "Uno"), newProposal(t, f, "Dos")
	if err := f.Grant(member(r), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	if err := r2.ClaimMember(member(r)); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	if _, err := r2.Merge([]app.RecordID{p1, p2}, app.Patch{Title: sp("Juntos")}); app.KindOf(err) != app.Forbidden {
		t.Fatalf("a claim alone gives the member's role: %v", err)
	}
	if err := r.LinkLaptop(r2.Device(), member(r)); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	if _, err := r2.Merge([]app.RecordID{p1, p2}, app.Patch{Title: sp("Juntos")}); err != nil {
		t.Fatalf("the linked laptop merges: %v", err)
	}
	if err := r.Found(member(r)); app.KindOf(err) != app.Forbidden {
		t.Fatalf("a rapporteur names co-founders: %v", err)
	}
	if err := f.Found(member(r)); err != nil {
		t.Fatal(err)
	}
	if err := f.Found(member(r2)); err == nil {
		t.Fatal("co-founders named twice")
	}
	pullAll(t, rs)
	if err := r.RemoveLaptop(f.Device()); err != nil {
		t.Fatalf("the co-founder removes the founder's lost laptop: %v", err)
	}
	pullAll(t, rs[1:])
	if w, _ := r2.Whoami(); !w.Founder || w.Role != roles.Secretariat || len(w.Devices) != 2 {
		t.Fatalf("the co-founder's member: %+v", w)
	}
}

// TestEveryFieldIsJudged: an operation needs the right to each thing it
// does. An owner edits their own text after concurrent supports (no role
// needed); a rapporteur's merge cannot rewrite another's text on the way;
// a delegate cannot create an amendment already accepted.
func TestEveryFieldIsJudged(t *testing.T) {
	rs := room(t, 3)
	f, r, d := rs[0], rs[1], rs[2]
	if err := f.Grant(member(r), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	p := newProposal(t, d, "Mía")
	pullAll(t, rs)
	if err := f.Support(p, "Chile"); err != nil {
		t.Fatal(err)
	}
	if err := r.Support(p, "Perú"); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	if err := d.Update(p, app.Patch{Body: sp("Texto corregido por su autora.")}); err != nil {
		t.Fatalf("the owner edits her own text after concurrent supports: %v", err)
	}
	q := newProposal(t, f, "De otra")
	pullAll(t, rs)
	if err := r.Update(q, app.Patch{Title: sp("Reescrita"), AddMerged: []app.RecordID{p}}); app.KindOf(err) != app.Forbidden {
		t.Fatalf("a rapporteur rewrites another's title within a merge: %v", err)
	}
	dr, err := f.ImportDraft(app.NewDraft{Title: "Plan", Blocks: []app.DraftBlock{{Text: "Primer párrafo."}}}, "Secretaría")
	if err != nil {
		t.Fatal(err)
	}
	text, err := f.ReadDraft(dr)
	if err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	para, modify, accepted := text.Paragraphs[0].ID, app.ActionModify, app.StatusAccepted
	_, err = d.CreateMany([]app.Draft{{Kind: app.KindAmendment, Patch: app.Patch{ReplyTo: &para, Action: &modify,
		Title: sp("modify (Ecuador)"), Body: sp("Otro texto."), Org: sp("Ecuador"), Status: &accepted}}})
	if app.KindOf(err) != app.Forbidden {
		t.Fatalf("a delegate creates an accepted amendment: %v", err)
	}
	if _, err := d.Amend(para, app.Amendment{Action: app.ActionModify, Text: "Otro texto.", Org: "Ecuador"}); err != nil {
		t.Fatalf("a delegate proposes an amendment: %v", err)
	}
}

// TestConcurrentRemovals: two of the secretariat remove two members at
// once; the laptops that stay end with one key made of both removals',
// which neither removed laptop can make.
func TestConcurrentRemovals(t *testing.T) {
	rs := room(t, 5)
	f, s, stay, x, y := rs[0], rs[1], rs[2], rs[3], rs[4]
	if err := f.Grant(member(s), roles.Secretariat); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	if err := f.RemoveMember(member(x)); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(member(y)); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	want := f.Workspace()
	if want.Epoch != 1 || len(want.EpochOps) != 2 {
		t.Fatalf("the founder's key: epoch %d from %d removals", want.Epoch, len(want.EpochOps))
	}
	for i, l := range []*app.Service{s, stay} {
		if ws := l.Workspace(); !bytes.Equal(ws.Secret, want.Secret) {
			t.Fatalf("laptop %d that stays holds another key (epoch %d)", i, ws.Epoch)
		}
	}
	for i, l := range []*app.Service{x, y} {
		if ws := l.Workspace(); bytes.Equal(ws.Secret, want.Secret) {
			t.Fatalf("removed laptop %d holds the new key", i)
		}
	}
}

// TestNoTakeoverByCreatingAgain: a delegate who creates, with an earlier
// clock, a record under the id of another's does not become its owner:
// the owner's edits apply, and the copy is kept and not applied.
func TestNoTakeoverByCreatingAgain(t *testing.T) {
	rs := room(t, 3)
	victim, thief := rs[1], rs[2]
	id := newProposal(t, victim, "Mía")
	thief.SetWallClock(func() time.Time { return time.Now().Add(-time.Hour) })
	if _, err := thief.CreateMany([]app.Draft{{ID: id, Kind: app.KindProposal, Patch: note("Robada", "Texto robado", "andes", "PE", "broad-protection")}}); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	if err := victim.Update(id, app.Patch{Title: sp("Mía, corregida")}); err != nil {
		t.Fatalf("the owner edits her record: %v", err)
	}
	if err := thief.Withdraw(id); app.KindOf(err) != app.Forbidden {
		t.Fatalf("the thief withdraws it: %v", err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		r, err := s.Get(id)
		if err != nil || r.Title != "Mía, corregida" || r.Device != victim.Device() || len(r.NotApplied) != 1 {
			t.Fatalf("the record: %+v %v", r, err)
		}
	}
}

// TestForgedPastWaits: a role operation whose past names an operation
// that does not exist (a vector claiming the future, to seem to come
// after a revocation) is left out, waiting, and does not make the
// revocation that saw it look malformed: the revocation holds.
func TestForgedPastWaits(t *testing.T) {
	f, _ := newService(t, "")
	r, _ := joined(t, f)
	x, st := joined(t, f)
	rs := []*app.Service{f, r, x}
	pullAll(t, rs)
	if err := f.Grant(member(r), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	// x signs a claim saying it saw f's operation 1,000.
	id, err := st.Identity()
	if err != nil {
		t.Fatal(err)
	}
	last, enc, err := st.LastOp(id.Device)
	if err != nil {
		t.Fatal(err)
	}
	o := &app.Op{Workspace: x.Workspace().ID, Device: id.Device, Seq: last.Seq + 1, HLC: last.HLC + 1, Type: app.OpRole, Prev: app.HashOp(enc),
		Role: &app.RoleChange{Kind: roles.KindClaim, Member: member(r), Device: id.Device,
			Seen: []app.OpID{{Device: f.Device(), Seq: 1000}, {Device: id.Device, Seq: last.Seq}}, SeenHash: [][]byte{bytes.Repeat([]byte{1}, 32), app.HashOp(enc)}}}
	if string(f.Device()) > string(id.Device) {
		o.Role.Seen[0], o.Role.Seen[1] = o.Role.Seen[1], o.Role.Seen[0]
		o.Role.SeenHash[0], o.Role.SeenHash[1] = o.Role.SeenHash[1], o.Role.SeenHash[0]
	}
	if err := o.Sign(id.Key); err != nil {
		t.Fatal(err)
	}
	raw, err := app.EncodeOp(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Receive([][]byte{raw}); err != nil {
		t.Fatal(err)
	}
	if err := f.Revoke(member(r), roles.Rapporteur); err != nil {
		t.Fatalf("the revocation after the forged claim: %v", err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		if w, _ := r.Whoami(); w.Role != roles.Delegate {
			t.Fatalf("the revoked rapporteur is %s", w.Role)
		}
		if rep, err := s.Check(); err != nil || len(rep.Problems) > 0 {
			t.Fatalf("check: %v %v", err, rep.Problems)
		}
	}
}

// TestWideRefold: a revocation that changes the judgment of more records
// than one transaction should hold marks them and refolds them in chunks
// after it; every laptop ends with states equal to their folds.
func TestWideRefold(t *testing.T) {
	inline, chunk := refoldInline, refoldChunk
	refoldInline, refoldChunk = 3, 4
	defer func() { refoldInline, refoldChunk = inline, chunk }()
	rs := room(t, 2)
	f, r := rs[0], rs[1]
	if err := f.Grant(member(r), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	var ids []app.RecordID
	for i := range 10 {
		ids = append(ids, newProposal(t, f, fmt.Sprint("P", i)))
	}
	pullAll(t, rs)
	if err := f.Revoke(member(r), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	var merged []app.RecordID
	for i := 0; i+1 < len(ids); i += 2 { // r, offline, merges pairs
		id, err := r.Merge([]app.RecordID{ids[i], ids[i+1]}, app.Patch{Title: sp("M")})
		if err != nil {
			t.Fatal(err)
		}
		merged = append(merged, id)
	}
	pullAll(t, rs)
	for _, s := range rs {
		for _, id := range ids {
			if got, _ := s.Get(id); got.Status == app.StatusMerged {
				t.Fatalf("a source of a merge made during the revocation is merged")
			}
		}
		if rep, err := s.Check(); err != nil || len(rep.Problems) > 0 {
			t.Fatalf("check: %v %v", err, rep.Problems)
		}
	}
}

// TestRandomIDsStayApplied: records whose ids were made at random (the
// demo's, an import's) are applied even when an id happens to read as
// naming a laptop (once in 65,536: seed 1's hundred records hold one).
func TestRandomIDsStayApplied(t *testing.T) {
	a, _ := newService(t, "")
	if _, err := demo.Load(a, 100, 1, 500, nil); err != nil {
		t.Fatal(err)
	}
	res, err := a.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		if full, _ := a.Get(r.ID); len(full.NotApplied) > 0 {
			t.Errorf("%s: %+v", r.ID, full.NotApplied)
		}
	}
}
