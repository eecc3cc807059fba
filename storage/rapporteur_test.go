package storage

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

// replicas returns n services of one workspace, each over its own store.
// replicas is a founded workspace of n laptops where the founder has made
// every other one secretariat: everyone may do everything, as the tests
// of merging, conflicts and drafting across laptops assume. (room, in
// roles_test.go, leaves them delegates.)
func replicas(t *testing.T, n int) []*app.Service {
	rs := delegates(t, n)
	pullAll(t, rs)
	for _, s := range rs[1:] {
		if err := rs[0].Grant(string(s.Device()), roles.Secretariat); err != nil {
			t.Fatal(err)
		}
	}
	pullAll(t, rs)
	return rs
}

// delegates is a founded workspace of n laptops, the first the founder,
// the others delegates, nothing synced yet.
func delegates(t *testing.T, n int) []*app.Service {
	a, _ := newService(t, "")
	out := []*app.Service{a}
	ws := a.Workspace()
	for i := 1; i < n; i++ {
		st, err := Open("", Options{InMemory: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		s, err := app.NewService(st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Join(ws.ID, ws.Secret, ws.Title); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// pullAll copies until every replica holds everything.
func pullAll(t *testing.T, rs []*app.Service) {
	for range 2 {
		for _, a := range rs {
			for _, b := range rs {
				if a != b {
					pull(t, a, b)
				}
			}
		}
	}
}

// state is every record of s, encoded, by id.
func state(t *testing.T, s *app.Service) map[app.RecordID][]byte {
	res, err := s.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[app.RecordID][]byte{}
	for _, r := range res.Records {
		full, err := s.Get(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[r.ID], _ = app.EncodeRecord(full)
	}
	return out
}

// texts is every paragraph of r's body and competing versions.
func texts(r *app.Record) map[string]bool {
	out := map[string]bool{}
	for _, p := range app.Paragraphs(r.Body) {
		out[p] = true
	}
	for _, v := range r.Conflict {
		for _, p := range app.Paragraphs(v.Body) {
			out[p] = true
		}
	}
	return out
}

// TestReplicasConverge is the property of the issue: three replicas make
// random concurrent edits, merges and withdrawals and exchange operations
// in random orders; all end identical, and no paragraph written by any
// edit is lost unless a later edit that had seen it removed it.
func TestReplicasConverge(t *testing.T) {
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { converge(t, seed) })
	}
}

func converge(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 40))
	rs := replicas(t, 3)
	written := map[string]app.RecordID{} // paragraph -> the record it was written in
	removed := map[string]bool{}         // paragraphs an edit that saw them removed
	n := 0
	fresh := func(who int) string {
		n++
		return fmt.Sprintf("Párrafo %d de la réplica %d: protección, integración y soluciones.", n, who)
	}
	var ids []app.RecordID
	for i := range 3 {
		body := []string{fresh(0), fresh(0), fresh(0)}
		id, err := rs[0].Create(app.KindProposal, note(fmt.Sprint("Propuesta ", i), strings.Join(body, app.ParagraphSep), "andes", "PE", "broad-protection"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range body {
			written[p] = id
		}
		ids = append(ids, id)
	}
	pullAll(t, rs)

	for step := range 60 {
		who := rng.IntN(len(rs))
		r := rs[who]
		switch k := rng.IntN(10); {
		case k < 6: // edit a paragraph of a record
			id := ids[rng.IntN(len(ids))]
			cur, err := r.Get(id)
			if err != nil {
				continue // not here yet
			}
			ps := app.Paragraphs(cur.Body)
			at := 0
			if len(ps) > 0 {
				at = rng.IntN(len(ps))
			}
			switch {
			case len(ps) == 0 || rng.IntN(3) == 0: // insert
				p := fresh(who)
				written[p] = id
				ps = slices.Insert(ps, at, p)
			case rng.IntN(2) == 0: // rewrite
				p := fresh(who)
				written[p] = id
				ps[at] = p
			default: // delete
				ps = slices.Delete(ps, at, at+1)
			}
			body := strings.Join(ps, app.ParagraphSep)
			keep := map[string]bool{}
			for _, p := range ps {
				keep[p] = true
			}
			for p := range texts(cur) { // what the author saw and dropped
				if !keep[p] {
					removed[p] = true
				}
			}
			if err := r.Update(id, app.Patch{Body: &body}); err != nil {
				t.Fatalf("step %d: edit: %v", step, err)
			}
		case k < 7:
			id := ids[rng.IntN(len(ids))]
			if cur, err := r.Get(id); err == nil && cur.Status != app.StatusWithdrawn {
				if err := r.Withdraw(id); err != nil {
					t.Fatalf("step %d: withdraw: %v", step, err)
				}
			}
		case k < 8: // merge two records this replica holds
			a, b := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
			ra, ea := r.Get(a)
			rb, eb := r.Get(b)
			if a == b || ea != nil || eb != nil || ra.Status == app.StatusWithdrawn || rb.Status == app.StatusWithdrawn {
				continue
			}
			p := fresh(who)
			title := "Propuesta consolidada"
			id, err := r.Merge([]app.RecordID{a, b}, app.Patch{Title: &title, Body: &p})
			if err != nil {
				t.Fatalf("step %d: merge: %v", step, err)
			}
			written[p] = id
			ids = append(ids, id)
		default: // one replica pulls from another
			other := rs[rng.IntN(len(rs))]
			if other != r {
				pull(t, other, r)
			}
		}
	}
	// Heal in a random order.
	order := rng.Perm(len(rs))
	for _, i := range order {
		for _, j := range rng.Perm(len(rs)) {
			if i != j {
				pull(t, rs[i], rs[j])
			}
		}
	}
	pullAll(t, rs)

	want := state(t, rs[0])
	for i, r := range rs[1:] {
		got := state(t, r)
		if len(got) != len(want) {
			t.Fatalf("replica %d holds %d records, replica 0 %d", i+1, len(got), len(want))
		}
		for id, b := range want {
			if !bytes.Equal(got[id], b) {
				g, _ := app.DecodeRecord(got[id])
				w, _ := app.DecodeRecord(b)
				t.Fatalf("record %s differs on replica %d:\n%+v\nvs\n%+v", id, i+1, g, w)
			}
		}
	}
	conflicts := 0
	for p, id := range written {
		if removed[p] {
			continue
		}
		r, err := rs[0].Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Conflict) > 0 {
			conflicts++
		}
		if !texts(r)[p] {
			t.Errorf("paragraph lost from %s: %q\nbody: %q\nconflict: %+v", id, p, r.Body, r.Conflict)
		}
	}
	t.Logf("%d records, %d paragraphs written, %d removed by edits that saw them, %d in records with a conflict", len(want), len(written), len(removed), conflicts)
}

func proposal(t *testing.T, s *app.Service, title, body, author, org string, status app.Status) app.RecordID {
	t.Helper()
	p := note(title, body, "andes", "CO", "broad-protection")
	p.Author, p.Org = &author, &org
	id, err := s.Create(app.KindProposal, p)
	if err != nil {
		t.Fatal(err)
	}
	if status != "" {
		if err := s.Update(id, app.Patch{Status: &status}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func get(t *testing.T, s *app.Service, id app.RecordID) *app.Record {
	t.Helper()
	r, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestMergeAndUnmerge: the sources stay, merged and linked; the
// consolidated proposal lists them and their authors; unmerge gives the
// sources their status back; merging again builds a chain.
func TestMergeAndUnmerge(t *testing.T) {
	s, _ := newService(t, "")
	a := proposal(t, s, "Documentación", "Acceso a documentos.", "Ana Quispe", "Red Andina", app.StatusSubmitted)
	b := proposal(t, s, "Documentos", "Documentación para niñas y niños.", "João Silva", "Cáritas", app.StatusUnderReview)
	c := proposal(t, s, "Otra", "Otra propuesta.", "Marie Joseph", "", "")
	title, body := "Documentación para todas las personas", "Texto consolidado."
	m, err := s.Merge([]app.RecordID{a, b}, app.Patch{Title: &title, Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	mr := get(t, s, m)
	if !slices.Equal(mr.Sources, sortedIDs(a, b)) || mr.Kind != app.KindProposal || mr.Body != body {
		t.Fatalf("consolidated: %+v", mr)
	}
	if want := []string{"Ana Quispe (Red Andina)", "João Silva (Cáritas)"}; !slices.Equal(mr.Contributors, want) {
		t.Fatalf("contributors %q, want %q", mr.Contributors, want)
	}
	for _, id := range []app.RecordID{a, b} {
		if r := get(t, s, id); r.Status != app.StatusMerged || !slices.Equal(r.MergedInto, []app.RecordID{m}) {
			t.Fatalf("source %s: %s %v", id, r.Status, r.MergedInto)
		}
	}
	// Merging the consolidated one again: a chain.
	title2 := "Documentación e identidad"
	m2, err := s.Merge([]app.RecordID{m, c}, app.Patch{Title: &title2})
	if err != nil {
		t.Fatal(err)
	}
	m2r := get(t, s, m2)
	if !slices.Contains(m2r.Contributors, "Ana Quispe (Red Andina)") || !slices.Contains(m2r.Contributors, "Marie Joseph") {
		t.Fatalf("chained contributors: %q", m2r.Contributors)
	}
	if r := get(t, s, m); r.Status != app.StatusMerged || !slices.Equal(r.MergedInto, []app.RecordID{m2}) {
		t.Fatalf("first consolidated after the second merge: %s %v", r.Status, r.MergedInto)
	}
	// Undo the second merge, then the first.
	if err := s.Unmerge(m2); err != nil {
		t.Fatal(err)
	}
	if r := get(t, s, m); r.Status != app.InitialStatus(app.KindProposal) || len(r.MergedInto) != 0 {
		t.Fatalf("after unmerge: %s %v", r.Status, r.MergedInto)
	}
	if err := s.Unmerge(m); err != nil {
		t.Fatal(err)
	}
	if r := get(t, s, a); r.Status != app.StatusSubmitted || len(r.MergedInto) != 0 {
		t.Fatalf("a after unmerge: %s %v", r.Status, r.MergedInto)
	}
	if r := get(t, s, b); r.Status != app.StatusUnderReview {
		t.Fatalf("b after unmerge: %s", r.Status)
	}
	if r := get(t, s, m); r.Status != app.StatusWithdrawn || len(r.Sources) != 2 {
		t.Fatalf("unmerged proposal: %s %v", r.Status, r.Sources)
	}
	// Bad input.
	if _, err := s.Merge([]app.RecordID{a}, app.Patch{Title: &title}); app.KindOf(err) != app.Invalid {
		t.Fatalf("one source: %v", err)
	}
	if _, err := s.Merge([]app.RecordID{a, b}, app.Patch{}); app.KindOf(err) != app.Invalid {
		t.Fatalf("no title: %v", err)
	}
	if err := s.Unmerge(a); app.KindOf(err) != app.Invalid {
		t.Fatalf("unmerge of a plain proposal: %v", err)
	}
}

func sortedIDs(ids ...app.RecordID) []app.RecordID {
	slices.Sort(ids)
	return ids
}

// TestMergedTwiceOffline: two rapporteurs merge the same source on
// different laptops; both consolidated proposals survive, the source links
// to both, and all of them are flagged until one merge is undone.
func TestMergedTwiceOffline(t *testing.T) {
	rs := replicas(t, 2)
	a, b := rs[0], rs[1]
	x := proposal(t, a, "Integración", "Integración local.", "Ana", "ONG", "")
	y := proposal(t, a, "Empleo", "Acceso al empleo.", "Luis", "OIT", "")
	z := proposal(t, a, "Vivienda", "Acceso a la vivienda.", "Rosa", "", "")
	pullAll(t, rs)
	t1, t2 := "Integración socioeconómica", "Medios de vida"
	m1, err := a.Merge([]app.RecordID{x, y}, app.Patch{Title: &t1})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := b.Merge([]app.RecordID{x, z}, app.Patch{Title: &t2})
	if err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		xr := get(t, s, x)
		if !slices.Equal(xr.MergedInto, sortedIDs(m1, m2)) || !slices.Contains(xr.Attention, app.AttentionMergedTwice) {
			t.Fatalf("source: %v %v", xr.MergedInto, xr.Attention)
		}
		for _, m := range []app.RecordID{m1, m2} {
			if r := get(t, s, m); !slices.Contains(r.Attention, app.AttentionMergedTwice) || r.Status == app.StatusWithdrawn {
				t.Fatalf("consolidated %s: %v %s", m, r.Attention, r.Status)
			}
		}
		att, err := s.Attention()
		if err != nil {
			t.Fatal(err)
		}
		var got []app.RecordID
		for _, r := range att {
			got = append(got, r.ID)
		}
		if !slices.Equal(sortedIDs(got...), sortedIDs(x, m1, m2)) {
			t.Fatalf("attention: %v, want %v", got, []app.RecordID{x, m1, m2})
		}
	}
	// Merging the two consolidated proposals settles it.
	t3 := "Integración y medios de vida"
	m3, err := b.Merge([]app.RecordID{m1, m2}, app.Patch{Title: &t3})
	if err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		if xr := get(t, s, x); len(xr.Attention) != 0 || len(xr.MergedInto) != 1 {
			t.Fatalf("after merging both: %v %v", xr.Attention, xr.MergedInto)
		}
		if r := get(t, s, m3); len(r.Attention) != 0 {
			t.Fatalf("m3: %v", r.Attention)
		}
	}
}

// TestEditConcurrentWithWithdrawal keeps the edit and flags the record.
func TestEditConcurrentWithWithdrawal(t *testing.T) {
	rs := replicas(t, 2)
	a, b := rs[0], rs[1]
	id := proposal(t, a, "Asilo", "Primer párrafo.", "Ana", "", "")
	pullAll(t, rs)
	body := "Primer párrafo, corregido."
	if err := a.Update(id, app.Patch{Body: &body}); err != nil {
		t.Fatal(err)
	}
	if err := b.Withdraw(id); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		r := get(t, s, id)
		if r.Body != body || r.Status != app.StatusWithdrawn || !slices.Equal(r.Attention, []string{app.AttentionEditWithdrawn}) {
			t.Fatalf("%q %s %v", r.Body, r.Status, r.Attention)
		}
	}
	// Restoring it, with both in view, clears the flag.
	st := app.StatusSubmitted
	if err := b.Update(id, app.Patch{Status: &st}); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	if r := get(t, a, id); len(r.Attention) != 0 || r.Status != st {
		t.Fatalf("after restoring: %v %s", r.Attention, r.Status)
	}
}

// TestConflictAndResolve: two laptops edit the same paragraph offline;
// after syncing, both versions are there, each with the other's edit of
// another paragraph; resolving is an operation that reaches the other.
func TestConflictAndResolve(t *testing.T) {
	rs := replicas(t, 2)
	a, b := rs[0], rs[1]
	base := strings.Join([]string{"Garantizar el acceso al territorio.", "Fortalecer el asilo.", "Promover soluciones."}, app.ParagraphSep)
	id := proposal(t, a, "Protección", base, "Ana", "", "")
	pullAll(t, rs)
	va := strings.Join([]string{"Garantizar el acceso al territorio sin rechazo en frontera.", "Fortalecer el asilo.", "Promover soluciones."}, app.ParagraphSep)
	vb := strings.Join([]string{"Garantizar el acceso seguro al territorio.", "Fortalecer el asilo.", "Promover soluciones duraderas."}, app.ParagraphSep)
	if err := a.Update(id, app.Patch{Body: &va}); err != nil {
		t.Fatal(err)
	}
	if err := b.Update(id, app.Patch{Body: &vb}); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	r := get(t, a, id)
	if len(r.Conflict) != 2 || !slices.Contains(r.Attention, app.AttentionConflict) {
		t.Fatalf("want a conflict of two versions: %+v", r)
	}
	for _, v := range r.Conflict {
		if !strings.HasSuffix(v.Body, "Promover soluciones duraderas.") {
			t.Fatalf("a version lost the edit of another paragraph: %q", v.Body)
		}
	}
	if res, err := a.List(app.Filter{Attention: []string{app.AttentionConflict}}, 0); err != nil || res.Total != 1 {
		t.Fatalf("conflict filter: %v %v", res, err)
	}
	if err := b.ResolveTake(id, 3); app.KindOf(err) != app.Invalid {
		t.Fatalf("take 3 of 2: %v", err)
	}
	if err := b.ResolveTake(id, 2); err != nil {
		t.Fatal(err)
	}
	pullAll(t, rs)
	for _, s := range rs {
		r := get(t, s, id)
		if len(r.Conflict) != 0 || len(r.Attention) != 0 || r.Body != get(t, a, id).Body {
			t.Fatalf("after resolving: %+v", r)
		}
	}
	if err := a.ResolveTake(id, 1); app.KindOf(err) != app.Invalid {
		t.Fatalf("resolving without a conflict: %v", err)
	}
}

// TestSupportAndComments: support counts a person once; comments count.
func TestSupportAndComments(t *testing.T) {
	s, _ := newService(t, "")
	id := proposal(t, s, "Apatridia", "Erradicar la apatridia.", "Ana", "", "")
	for _, who := range []string{"Ana", "Luis", "Ana"} {
		if err := s.Support(id, who); err != nil {
			t.Fatal(err)
		}
	}
	if r := get(t, s, id); !slices.Equal(r.Supporters, []string{"Ana", "Luis"}) {
		t.Fatalf("supporters %v", r.Supporters)
	}
	if err := s.Unsupport(id, "Ana"); err != nil {
		t.Fatal(err)
	}
	if r := get(t, s, id); !slices.Equal(r.Supporters, []string{"Luis"}) {
		t.Fatalf("supporters after unsupport %v", r.Supporters)
	}
	if err := s.Support(id, "  "); app.KindOf(err) != app.Invalid {
		t.Fatalf("support without a name: %v", err)
	}
	for _, text := range []string{"De acuerdo, con un plazo.", "¿Y las personas apátridas en tránsito?"} {
		if _, err := s.Comment(id, text, app.Patch{}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.CommentCount(id); err != nil || n != 2 {
		t.Fatalf("comments: %d %v", n, err)
	}
	if _, err := s.Comment(id, " ", app.Patch{}); app.KindOf(err) != app.Invalid {
		t.Fatalf("empty comment: %v", err)
	}
}
