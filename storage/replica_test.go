package storage

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
	"github.com/fxamacker/cbor/v2"
)

// pair returns two services over two stores of the same workspace, as after
// a join: the second starts from the first's workspace record.
func pair(t *testing.T) (*app.Service, *Store, *app.Service, *Store) {
	a, sa := newService(t, "")
	b, sb := joined(t, a)
	return a, sa, b, sb
}

// trusted is pair where the founder has made the second laptop
// secretariat and both hold everything: both may do everything, as the
// tests of concurrent edits of one record assume.
func trusted(t *testing.T) (*app.Service, *Store, *app.Service, *Store) {
	a, sa, b, sb := pair(t)
	pull(t, b, a)
	if err := a.Grant(string(b.Device()), roles.Secretariat); err != nil {
		t.Fatal(err)
	}
	pull(t, a, b)
	return a, sa, b, sb
}

// joined returns a service over a new store in memory that has joined a's
// workspace.
func joined(t *testing.T, a *app.Service) (*app.Service, *Store) {
	sb, err := Open("", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	b, err := app.NewService(sb)
	if err != nil {
		t.Fatal(err)
	}
	ws := a.Workspace()
	if _, err := b.Join(ws.ID, ws.Secret, ws.Title); err != nil {
		t.Fatal(err)
	}
	return b, sb
}

// pull copies to dst what src has and dst lacks, the way sync does.
func pull(t *testing.T, src *app.Service, dst *app.Service) int {
	t.Helper()
	have, _ := dst.Vector()
	want, _ := src.Vector()
	total := 0
	for _, from := range have.Missing(want) {
		raw, err := src.OpsAfter(from.Device, from.Seq, 100, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		n, err := dst.Receive(raw)
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

func TestReceiveReplicates(t *testing.T) {
	a, _, b, _ := pair(t)
	for i := 0; i < 250; i++ {
		if _, err := a.Create(app.KindNote, note("nota", "texto", "andes", "CO", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	if n := pull(t, a, b); n != 100 {
		t.Fatalf("first chunk: %d", n)
	}
	for pull(t, a, b) > 0 { // resumes where it stopped
	}
	va, _ := a.Vector()
	vb, _ := b.Vector()
	if !vb.Covers(va) {
		t.Fatalf("b lacks some of a: %v %v", va, vb)
	}
	res, _ := b.List(app.Filter{Text: "nota"}, 0)
	if res.Total != 250 {
		t.Fatalf("b holds %d notes", res.Total)
	}
	// b writes; a pulls it back; applying twice changes nothing.
	id, err := b.Create(app.KindProposal, note("propuesta", "texto", "caribbean", "HT", "global-compact"))
	if err != nil {
		t.Fatal(err)
	}
	pull(t, b, a)
	if n := pull(t, b, a); n != 0 {
		t.Fatalf("second pull brought %d", n)
	}
	if _, err := a.Get(id); err != nil {
		t.Fatal(err)
	}
	va, _ = a.Vector()
	vb, _ = b.Vector()
	if !va.Covers(vb) || !vb.Covers(va) {
		t.Fatalf("after exchanging both ways the vectors differ: %v %v", va, vb)
	}
}

func TestReceiveRejectsBadOps(t *testing.T) {
	a, sa, b, _ := pair(t)
	id, _ := a.Create(app.KindNote, note("nota", "texto", "andes", "CO", "broad-protection"))
	ops, _ := sa.Ops(id)
	good := ops[0]

	tampered := *good
	tampered.Patch = &app.Patch{Title: ptrTo("otra cosa"), AddThemes: []app.ThemeCode{"broad-protection"}}
	other := *good
	other.Workspace = "01HZZZZZZZZZZZZZZZZZZZZZZZ"
	unknownDev := *good
	unknownDev.Device = "0000000000000000"
	badCode := *good
	badCode.Patch = &app.Patch{Title: ptrTo("x"), AddThemes: []app.ThemeCode{"nope"}}
	key, _ := app.NewIdentity("mallory")
	badCode.Sign(key.Key)

	enc := func(o *app.Op) []byte { b, _ := app.EncodeOp(o); return b }
	cases := map[string][][]byte{
		"garbage":          {[]byte("not cbor at all")},
		"altered":          {enc(&tampered)},
		"other workspace":  {enc(&other)},
		"unknown device":   {enc(&unknownDev)},
		"unknown theme":    {enc(&badCode)},
		"good then forged": nil,
	}
	// The device announcement is needed first; b does not have it.
	dev, _ := a.OpsAfter(good.Device, 0, 1, 1<<20)
	cases["good then forged"] = [][]byte{dev[0], enc(good), enc(&tampered)}
	for name, raw := range cases {
		if _, err := b.Receive(raw); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if res, _ := b.List(app.Filter{}, 0); res.Total != 0 {
			t.Fatalf("%s: %d records stored", name, res.Total)
		}
		if v, _ := b.Vector(); len(v) != 1 { // only b's own device
			t.Fatalf("%s: vector changed: %v", name, v)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestReceiveChecksTheChain: one signature per chunk vouches for the
// operations before it only through the hash chain, so a change anywhere
// in a chunk, or a chunk that does not follow what is held, is refused.
func TestReceiveChecksTheChain(t *testing.T) {
	a, _, b, _ := pair(t)
	for i := 0; i < 6; i++ {
		if _, err := a.Create(app.KindNote, note(fmt.Sprint("nota ", i), "texto", "andes", "CO", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	dev := a.Device()
	raw, err := a.OpsAfter(dev, 0, 100, 1<<20) // seq 1 (device) to 7
	if err != nil || len(raw) != 7 {
		t.Fatalf("%d ops, %v", len(raw), err)
	}
	alter := func(i int) [][]byte {
		c := append([][]byte(nil), raw...)
		o, err := app.DecodeOp(c[i])
		if err != nil {
			t.Fatal(err)
		}
		o.Patch.Title = ptrTo("cambiado")
		c[i], _ = app.EncodeOp(o)
		return c
	}
	cases := map[string][][]byte{
		"a middle operation altered":           alter(3),
		"the last operation altered":           alter(6),
		"an operation left out":                append(append([][]byte(nil), raw[:3]...), raw[4:]...),
		"a chunk that skips what comes before": raw[2:],
	}
	for name, c := range cases {
		if _, err := b.Receive(c); app.KindOf(err) != app.Corrupt {
			t.Errorf("%s: %v", name, err)
		}
		if v, _ := b.Vector(); v[dev] != 0 {
			t.Fatalf("%s: stored %d operations", name, v[dev])
		}
	}
	// In two chunks, in order, the same operations are accepted.
	if _, err := b.Receive(raw[:4]); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Receive(raw[4:]); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Vector(); v[dev] != 7 {
		t.Fatalf("vector %v", v)
	}
}

// TestReceiveLegacyUnchainedOps: operations written before the hash chain
// (no Prev) are still accepted, each on its own signature, and refused when
// that signature is wrong.
func TestReceiveLegacyUnchainedOps(t *testing.T) {
	a, _, b, _ := pair(t)
	id, _ := app.NewIdentity("old laptop")
	ws := a.Workspace()
	mk := func(seq uint64, typ app.OpType, rec app.RecordID, p *app.Patch) *app.Op {
		o := &app.Op{Workspace: ws.ID, Device: id.Device, Seq: seq, HLC: app.MakeHLC(1_700_000_000_000+int64(seq), 0), Type: typ, Record: rec, Patch: p}
		if typ == app.OpDevice {
			o.PubKey = id.Key.Public().(ed25519.PublicKey)
		}
		if typ == app.OpCreate {
			o.Kind = app.KindNote
		}
		if err := o.Sign(id.Key); err != nil {
			t.Fatal(err)
		}
		return o
	}
	rec := app.RecordID(app.NewID(time.Now()))
	ops := []*app.Op{
		mk(1, app.OpDevice, "", nil),
		mk(2, app.OpCreate, rec, &app.Patch{Title: ptrTo("nota antigua"), AddThemes: []app.ThemeCode{"broad-protection"}}),
		mk(3, app.OpUpdate, rec, &app.Patch{Title: ptrTo("nota antigua, corregida")}),
	}
	enc := func(os []*app.Op) [][]byte {
		var out [][]byte
		for _, o := range os {
			b, _ := app.EncodeOp(o)
			out = append(out, b)
		}
		return out
	}
	forged := *ops[1]
	forged.Patch = &app.Patch{Title: ptrTo("falsificada"), AddThemes: []app.ThemeCode{"broad-protection"}}
	if _, err := b.Receive(enc([]*app.Op{ops[0], &forged, ops[2]})); app.KindOf(err) != app.Corrupt {
		t.Fatalf("a forged unchained operation: %v", err)
	}
	if _, err := b.Receive(enc(ops)); err != nil {
		t.Fatalf("unchained operations refused: %v", err)
	}
	if r, err := b.Get(rec); err != nil || r.Title != "nota antigua, corregida" {
		t.Fatalf("record: %+v %v", r, err)
	}
}

// reencode returns an operation's bytes with its map's pairs in reverse
// order: the same operation, not canonically encoded.
func reencode(t *testing.T, enc []byte) []byte {
	t.Helper()
	var m map[uint64]cbor.RawMessage
	if err := cbor.Unmarshal(enc, &m); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(m))
	slices.Reverse(keys)
	out := []byte{0xb8, byte(len(keys))}
	for _, k := range keys {
		kb, _ := cbor.Marshal(k)
		out = append(append(out, kb...), m[k]...)
	}
	if err := cbor.Wellformed(out); err != nil || string(out) == string(enc) {
		t.Fatalf("re-encoding: %v", err)
	}
	return out
}

// TestReceiveChecksEncodings: every operation's bytes must be canonical.
// A signature covers the canonical encoding, so a relaying peer that
// re-encodes a signed operation is refused; and an author's own
// non-canonical bytes inside its chain, which the next link vouches for,
// are refused too: a replica whose chunks end at them would refuse them
// later, and sync with it would stop there.
func TestReceiveChecksEncodings(t *testing.T) {
	a, _, b, _ := pair(t)
	for i := 0; i < 3; i++ {
		if _, err := a.Create(app.KindNote, note(fmt.Sprint("nota ", i), "texto", "andes", "CO", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	dev := a.Device()
	raw, err := a.OpsAfter(dev, 0, 100, 1<<20) // seq 1 (device) to 4
	if err != nil || len(raw) != 4 {
		t.Fatalf("%d ops, %v", len(raw), err)
	}
	with := func(i int) [][]byte {
		c := slices.Clone(raw)
		c[i] = reencode(t, c[i])
		return c
	}

	// A device whose second operation's bytes are not canonical, chained
	// and signed as they are.
	id, _ := app.NewIdentity("odd laptop")
	ws := a.Workspace()
	rec := app.RecordID(app.NewID(time.Now()))
	var odd [][]byte
	var prev []byte
	for seq, o := range []*app.Op{
		{Type: app.OpDevice, PubKey: id.Key.Public().(ed25519.PublicKey)},
		{Type: app.OpCreate, Record: rec, Kind: app.KindNote, Patch: &app.Patch{Title: ptrTo("nota rara"), Body: ptrTo("texto raro"), AddThemes: []app.ThemeCode{"broad-protection"}}},
		{Type: app.OpUpdate, Record: rec, Patch: &app.Patch{Title: ptrTo("nota rara, corregida")}},
	} {
		o.Workspace, o.Device, o.Seq, o.HLC, o.Prev = ws.ID, id.Device, uint64(seq+1), app.MakeHLC(1_800_000_000_000+int64(seq), 0), prev
		if err := o.Sign(id.Key); err != nil {
			t.Fatal(err)
		}
		enc, _ := app.EncodeOp(o)
		if seq == 1 {
			enc = reencode(t, enc)
		}
		odd, prev = append(odd, enc), app.HashOp(enc)
	}

	for name, c := range map[string][][]byte{
		"the signed operation re-encoded":         with(3),
		"a chained operation re-encoded":          with(2),
		"an author's non-canonical chained bytes": odd,
		"the same, ending a chunk (as relayed)":   odd[:2],
	} {
		if _, err := b.Receive(c); app.KindOf(err) != app.Corrupt {
			t.Errorf("%s: %v", name, err)
		}
		if v, _ := b.Vector(); v[dev] != 0 || v[id.Device] != 0 {
			t.Fatalf("%s: stored operations: %v", name, v)
		}
	}
	if _, err := b.Receive(raw); err != nil {
		t.Fatalf("the canonical operations: %v", err)
	}
}

// TestReceiveSplitsLargeBatch: a batch from a peer too large for one
// Badger transaction is stored in parts, not refused (a refusal would end
// every sync with that peer at the same chunk); a local write of that size
// is refused whole.
func TestReceiveSplitsLargeBatch(t *testing.T) {
	a, _, b, _ := pair(t)
	body := strings.Repeat("Acceso a documentación en tránsito y protección. ", 90) // 4.5 kB
	drafts := func(n int) []app.Draft {
		out := make([]app.Draft, n)
		for i := range out {
			out[i] = app.Draft{Kind: app.KindNote, Patch: note(fmt.Sprint("nota ", i), body, "andes", "CO", "broad-protection")}
		}
		return out
	}
	for range 5 {
		if _, err := a.CreateMany(drafts(300)); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := a.OpsAfter(a.Device(), 0, 2000, 64<<20)
	if err != nil || len(raw) != 1501 {
		t.Fatalf("%d operations, %v", len(raw), err)
	}
	if n, err := b.Receive(raw); err != nil || n != 1501 {
		t.Fatalf("received %d: %v", n, err)
	}
	if res, _ := b.List(app.Filter{Text: "tránsito"}, 0); res.Total != 1500 {
		t.Fatalf("b finds %d notes", res.Total)
	}
	if _, err := a.CreateMany(drafts(1500)); app.KindOf(err) != app.Invalid {
		t.Fatalf("a local write of 7 MB: %v", err)
	}
	if res, _ := a.List(app.Filter{}, 0); res.Total != 1500 {
		t.Fatalf("a holds %d notes after a refused write", res.Total)
	}
}

// TestUnannouncedDeviceAnnouncedOnOpen: a store that holds a workspace and
// an identity but no announcement of that device (a restored backup, or a
// crash between Init and the announcement) gets one when the app opens
// it; without it every peer would refuse the device's operations.
func TestUnannouncedDeviceAnnouncedOnOpen(t *testing.T) {
	st, err := Open("", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := app.NewIdentity("portátil de la relatoría")
	if err != nil {
		t.Fatal(err)
	}
	ws := &app.Workspace{ID: app.WorkspaceID(app.NewID(time.Now())), Title: "Consulta", Secret: make([]byte, 32)}
	if err := st.Init(ws, id); err != nil {
		t.Fatal(err)
	}
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := st.LastOp(id.Device)
	if err != nil || o == nil || o.Type != app.OpDevice || o.Seq != 1 || o.Name != id.Name {
		t.Fatalf("announcement: %+v, %v", o, err)
	}
	if _, err := svc.Create(app.KindNote, note("primera nota", "texto", "andes", "CO", "broad-protection")); err != nil {
		t.Fatal(err)
	}
	if again, err := app.NewService(st); err != nil || again.Device() != id.Device {
		t.Fatalf("reopened: %v", err)
	}
	if o, _, _ := st.LastOp(id.Device); o.Seq != 2 {
		t.Fatalf("opening again announced the device again: last operation %d", o.Seq)
	}
}

// TestEachOpAfter: the operations after a sequence number come in order,
// bounded by count and by size (but at least one), and an error from the
// callee stops the walk and is returned.
func TestEachOpAfter(t *testing.T) {
	a, sa, _, _ := pair(t)
	for i := range 6 {
		if _, err := a.Create(app.KindNote, note(fmt.Sprint("nota ", i), "texto", "andes", "CO", "broad-protection")); err != nil {
			t.Fatal(err)
		}
	}
	dev := a.Device()
	seqs := func(after uint64, limit, maxBytes int) []uint64 {
		var out []uint64
		err := sa.EachOpAfter(dev, after, limit, maxBytes, func(enc []byte) error {
			o, err := app.DecodeOp(enc)
			if err != nil {
				return err
			}
			out = append(out, o.Seq)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := seqs(2, 3, 1<<20); !slices.Equal(got, []uint64{3, 4, 5}) {
		t.Errorf("3 after 2: %v", got)
	}
	if got := seqs(5, 100, 1<<20); !slices.Equal(got, []uint64{6, 7}) {
		t.Errorf("all after 5: %v", got)
	}
	if got := seqs(0, 100, 1); !slices.Equal(got, []uint64{1}) {
		t.Errorf("one byte's worth: %v", got)
	}
	stop := errors.New("enough")
	calls := 0
	err := sa.EachOpAfter(dev, 0, 100, 1<<20, func([]byte) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("an error from the callee: %v after %d calls", err, calls)
	}
}
