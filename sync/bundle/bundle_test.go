package bundle

import (
	"bytes"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
	"github.com/cartagena-c40/consulta/app/roles"
	"github.com/cartagena-c40/consulta/storage"
)

// newLaptop returns a service over a new store in memory; with join nil
// it founds a workspace, else it joins join's, as an invitation does (the
// first 16 bytes of the secret).
func newLaptop(t *testing.T, join *app.Service) *app.Service {
	t.Helper()
	s := emptyLaptop(t)
	var err error
	if join == nil {
		_, err = s.Init("Cartagena +40")
	} else {
		ws := join.Workspace()
		_, err = s.Join(ws.ID, ws.Secret[:16], ws.Title)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// emptyLaptop returns a service over a new, empty store in memory.
func emptyLaptop(t *testing.T) *app.Service {
	t.Helper()
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pull copies what dst lacks of src, as a LAN sync does.
func pull(t *testing.T, src, dst *app.Service) {
	t.Helper()
	for range 100 {
		have, _ := dst.Vector()
		want, _ := src.Vector()
		missing := have.Missing(want)
		if len(missing) == 0 {
			return
		}
		for _, from := range missing {
			raw, err := src.OpsAfter(from.Device, from.Seq, 500, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := dst.Receive(raw); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func pullAll(t *testing.T, rs ...*app.Service) {
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

func member(s *app.Service) string { return string(s.Device()) }

// notes writes n notes on s.
func notes(t *testing.T, s *app.Service, n int, prefix string) {
	t.Helper()
	for i := range n {
		title, body := fmt.Sprintf("%s %d", prefix, i), fmt.Sprintf("Texto de %s número %d sobre documentación", prefix, i)
		sr, c := app.SubRegion("andes"), app.CountryCode("PE")
		if _, err := s.Create(app.KindNote, app.Patch{Title: &title, Body: &body, SubRegion: &sr, Country: &c, AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// bundleOf writes s's bundle of what since lacks.
func bundleOf(t *testing.T, s *app.Service, since app.Vector) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := Write(s, &b, since); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// load imports data into s and fails on an error.
func load(t *testing.T, s *app.Service, data []byte) Result {
	t.Helper()
	res, err := Import(s, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func vector(t *testing.T, s *app.Service) app.Vector {
	t.Helper()
	v, err := s.Vector()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// state is what a person sees of s: every record, members and roles.
func state(t *testing.T, s *app.Service, extra ...app.RecordID) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(records(t, s, extra...))
	ms, err := s.Members()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		fmt.Fprintf(&b, "%s %s %v %d;", m.ID, m.Role, m.Founder, len(m.Devices))
	}
	return b.String()
}

// records is every record of s, and those of extra, encoded.
func records(t *testing.T, s *app.Service, extra ...app.RecordID) string {
	t.Helper()
	res, err := s.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, id := range append(extra, recordIDs(res)...) {
		r, err := s.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := app.EncodeRecord(r)
		b.Write(enc)
	}
	return b.String()
}

func recordIDs(res *app.Result) []app.RecordID {
	var ids []app.RecordID
	for _, r := range res.Records {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestRoundTrip: everything a laptop holds (records, a draft with its
// amendments and revisions, a role) goes to another laptop in a bundle;
// importing it again changes nothing; the file holds no plaintext.
func TestRoundTrip(t *testing.T) {
	a := newLaptop(t, nil)
	b := newLaptop(t, a)
	pull(t, b, a) // a knows b's laptop, to grant it a role
	if _, err := demo.Load(a, 300, 7, 0, nil); err != nil {
		t.Fatal(err)
	}
	draft, err := demo.LoadPlan(a, 7, "Secretaría Técnica")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Grant(member(b), roles.Rapporteur); err != nil {
		t.Fatal(err)
	}
	data := bundleOf(t, a, nil)
	want := vector(t, a)
	res := load(t, b, data)
	if !maps.Equal(vector(t, b), want) {
		t.Fatalf("after the import b holds %v, a %v", vector(t, b), want)
	}
	lacked := int(want[a.Device()])
	if res.New != lacked || res.Waiting != 0 || res.Operations != res.New+res.Held || res.Writer != a.Device() {
		t.Fatalf("import: %+v; b lacked %d", res, lacked)
	}
	if state(t, a, draft) != state(t, b, draft) {
		t.Fatal("b's records differ from a's after the import")
	}
	if w, _ := b.Whoami(); w.Role != roles.Rapporteur {
		t.Fatalf("the grant did not come: b is %s", w.Role)
	}

	before := state(t, b, draft)
	again := load(t, b, data)
	if again.New != 0 || again.Held != again.Operations || state(t, b, draft) != before {
		t.Fatalf("a second import: %+v", again)
	}
	noPlaintext(t, a, data, "Secretaría Técnica", "Cartagena +40")
}

// noPlaintext checks that data holds none of the titles, texts, authors
// and laptop names of s.
func noPlaintext(t *testing.T, s *app.Service, data []byte, more ...string) {
	t.Helper()
	res, err := s.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	words := more
	for _, r := range res.Records {
		full, err := s.Get(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		words = append(words, full.Title, full.Body, full.Author, full.Org)
	}
	ms, _ := s.Members()
	for _, m := range ms {
		for _, l := range m.Devices {
			words = append(words, l.Name)
		}
	}
	checked := 0
	for _, w := range words {
		if w = strings.TrimSpace(w); len(w) < 6 {
			continue // too short to tell from chance
		}
		if len(w) > 40 {
			w = w[:40]
		}
		checked++
		if bytes.Contains(data, []byte(w)) {
			t.Fatalf("the bundle holds %q in clear", w)
		}
	}
	if checked < 300 {
		t.Fatalf("only %d texts checked", checked)
	}
}

// TestOrderIndependence: bundles from two laptops and from two points of
// one laptop's history, imported in different orders, converge; one with a
// gap waits for the earlier one and applies when imported again.
func TestOrderIndependence(t *testing.T) {
	a := newLaptop(t, nil)
	c := newLaptop(t, a)
	pullAll(t, a, c)
	notes(t, a, 40, "Nota de Quito")
	early := bundleOf(t, a, nil)
	mark := vector(t, a)
	notes(t, a, 30, "Nota de Bogotá")
	late := bundleOf(t, a, mark)
	pull(t, a, c)
	notes(t, c, 25, "Nota de Brasília")
	fromC := bundleOf(t, c, nil)
	pullAll(t, a, c)
	want := records(t, a)

	b1 := newLaptop(t, a)
	if res := load(t, b1, late); res.New != 0 || res.Waiting != 30 {
		t.Fatalf("the later bundle first: %+v", res)
	}
	if res := load(t, b1, early); res.New != res.Operations || res.Waiting != 0 {
		t.Fatalf("then the earlier one: %+v", res)
	}
	if res := load(t, b1, late); res.New != 30 {
		t.Fatalf("the later bundle again: %+v", res)
	}
	load(t, b1, fromC)

	b2 := newLaptop(t, a)
	load(t, b2, fromC)
	load(t, b2, late)
	load(t, b2, early)
	b3 := newLaptop(t, a)
	load(t, b3, early)
	load(t, b3, fromC)
	load(t, b3, late)
	for i, b := range []*app.Service{b1, b2, b3} {
		want := vector(t, a)
		delete(want, b.Device())
		got := vector(t, b)
		delete(got, b.Device())
		if !maps.Equal(got, want) {
			t.Fatalf("laptop %d holds %v, a %v", i+1, got, want)
		}
	}
	if records(t, b1) != want || records(t, b2) != want || records(t, b3) != want {
		t.Fatal("the laptops differ after importing the bundles in different orders")
	}
}

// TestVectorFile: a bundle since another laptop's vector file holds only
// what that laptop lacks.
func TestVectorFile(t *testing.T) {
	a := newLaptop(t, nil)
	b := newLaptop(t, a)
	notes(t, a, 20, "Nota")
	pullAll(t, a, b)
	notes(t, a, 5, "Nueva")
	var f bytes.Buffer
	if err := WriteVector(&f, vector(t, b)); err != nil {
		t.Fatal(err)
	}
	since, err := ReadVector(&f)
	if err != nil || !maps.Equal(since, vector(t, b)) {
		t.Fatalf("vector file read back: %v %v", since, err)
	}
	res := load(t, b, bundleOf(t, a, since))
	if res.Operations != 5 || res.New != 5 {
		t.Fatalf("a bundle since b's vector: %+v", res)
	}
	if _, err := ReadVector(strings.NewReader(`["no"]`)); app.KindOf(err) != app.Invalid {
		t.Fatalf("a bad vector file: %v", err)
	}
}
