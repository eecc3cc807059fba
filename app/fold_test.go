package app

import (
	"bytes"
	"crypto/ed25519"
	"math/rand/v2"
	"testing"
	"time"
)

func sp[T any](v T) *T { return &v }

// randomOps makes a plausible history for one record: a create and a mix of
// updates and withdrawals from three devices with interleaved clocks.
func randomOps(rng *rand.Rand, id RecordID) []*Op {
	devs := []DeviceID{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"}
	seq := map[DeviceID]uint64{}
	themes := []ThemeCode{"broad-protection", "global-compact", "gcr-self-reliance", "regional-cooperation"}
	next := func(t OpType) *Op {
		d := devs[rng.IntN(len(devs))]
		seq[d]++
		return &Op{Workspace: "W", Device: d, Seq: seq[d], HLC: MakeHLC(1_700_000_000_000+rng.Int64N(50), uint16(rng.IntN(3))), Type: t, Record: id}
	}
	create := next(OpCreate)
	create.HLC = MakeHLC(1_600_000_000_000, 0) // the create happened before anything else
	create.Kind = KindProposal
	create.Patch = &Patch{Title: sp("t0"), Body: sp("b0"), AddThemes: themes[:1]}
	ops := []*Op{create}
	for i := 0; i < 2+rng.IntN(12); i++ {
		if rng.IntN(10) == 0 {
			ops = append(ops, next(OpWithdraw))
			continue
		}
		o := next(OpUpdate)
		p := &Patch{}
		switch rng.IntN(4) {
		case 0:
			p.Title = sp("title " + string(rune('a'+rng.IntN(26))))
		case 1:
			p.Body = sp("body " + string(rune('a'+rng.IntN(26))))
		case 2:
			p.AddThemes = []ThemeCode{themes[rng.IntN(len(themes))]}
		case 3:
			p.DelThemes = []ThemeCode{themes[rng.IntN(len(themes))]}
			p.Status = sp(StatusSubmitted)
		}
		o.Patch = p
		ops = append(ops, o)
	}
	return ops
}

// TestFoldOrderIndependent: the same operations applied in any order, with
// duplicates, give byte-identical state.
func TestFoldOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	for trial := 0; trial < 500; trial++ {
		ops := randomOps(rng, "01J00000000000000000000000")
		want, err := EncodeRecord(Fold(ops))
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 5; k++ {
			shuffled := append([]*Op(nil), ops...)
			shuffled = append(shuffled, ops[rng.IntN(len(ops))]) // a duplicate delivery
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got, err := EncodeRecord(Fold(shuffled))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("trial %d: order changed the state:\n%x\n%x", trial, got, want)
			}
		}
	}
}

func TestFoldSemantics(t *testing.T) {
	c := &Op{Device: "aaaaaaaaaaaaaaaa", Seq: 1, HLC: MakeHLC(1000, 0), Type: OpCreate, Record: "R", Kind: KindNote,
		Patch: &Patch{Title: sp("first"), AddThemes: []ThemeCode{"b", "a"}}}
	u1 := &Op{Device: "bbbbbbbbbbbbbbbb", Seq: 1, HLC: MakeHLC(2000, 0), Type: OpUpdate, Record: "R",
		Patch: &Patch{Title: sp("second"), AddThemes: []ThemeCode{"c"}}}
	u2 := &Op{Device: "aaaaaaaaaaaaaaaa", Seq: 2, HLC: MakeHLC(2000, 0), Type: OpUpdate, Record: "R",
		Patch: &Patch{Title: sp("tie, device a sorts first"), DelThemes: []ThemeCode{"a"}}}
	w := &Op{Device: "aaaaaaaaaaaaaaaa", Seq: 3, HLC: MakeHLC(3000, 0), Type: OpWithdraw, Record: "R"}

	r := Fold([]*Op{w, u1, u2, c})
	if r.Title != "second" {
		t.Errorf("title = %q; the later write in (HLC, device) order should win", r.Title)
	}
	if got := strs(r.Themes); len(got) != 2 || got[0] != "b" || got[1] != "c" {
		t.Errorf("themes = %v, want [b c]", got)
	}
	if r.Status != StatusWithdrawn || r.Ops != 4 || r.Version != w.ID() || r.Created != c.HLC || r.Updated != w.HLC {
		t.Errorf("bookkeeping wrong: %+v", r)
	}
	if r.Kind != KindNote || r.Device != c.Device {
		t.Errorf("kind/device wrong: %+v", r)
	}
	if Fold([]*Op{u1, u2}) != nil {
		t.Error("a record without its create must fold to nil")
	}
}

func TestOpSignAndDecode(t *testing.T) {
	id, err := NewIdentity("laptop")
	if err != nil {
		t.Fatal(err)
	}
	o := &Op{Workspace: "W", Device: id.Device, Seq: 1, HLC: MakeHLC(5, 1), Type: OpCreate,
		Record: RecordID(NewID(time.Now())), Kind: KindNote, Patch: &Patch{Title: sp("Migración")}}
	if err := o.Sign(id.Key); err != nil {
		t.Fatal(err)
	}
	b, err := EncodeOp(o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeOp(b)
	if err != nil {
		t.Fatal(err)
	}
	pub := id.Key.Public().(ed25519.PublicKey)
	if err := got.Verify(pub); err != nil {
		t.Fatalf("verify: %v", err)
	}
	got.Patch.Title = sp("altered")
	if err := got.Verify(pub); KindOf(err) != Corrupt {
		t.Fatalf("altered op verified: %v", err)
	}
	if _, err := DecodeOp(append(b[:len(b):len(b)], 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	if err := got.checkCanonical(b); err == nil {
		t.Fatal("the altered operation matches the original bytes")
	}
	if err := o.checkCanonical(b); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{nil, {0xff}, {0xa1, 0x01}, []byte("garbage")} {
		if _, err := DecodeOp(bad); KindOf(err) != Corrupt {
			t.Errorf("DecodeOp(%x) = %v, want Corrupt", bad, err)
		}
	}
}

func TestHLCMonotonic(t *testing.T) {
	fixed := time.UnixMilli(1000)
	c := &Clock{Now: func() time.Time { return fixed }}
	a, b := c.Tick(), c.Tick()
	if b <= a || a.Millis() != 1000 {
		t.Fatalf("ticks %v %v", a, b)
	}
	c.Observe(MakeHLC(5000, 7))
	if d := c.Tick(); d != MakeHLC(5000, 8) {
		t.Fatalf("after observing a later clock got %v", d)
	}
}

func TestPeekOpID(t *testing.T) {
	id, _ := NewIdentity("x")
	o := &Op{Workspace: "W", Device: id.Device, Seq: 7, HLC: 1, Type: OpWithdraw, Record: RecordID(NewID(time.Now())), Prev: make([]byte, 32)}
	o.Sign(id.Key)
	b, _ := EncodeOp(o)
	got, err := PeekOpID(b)
	if err != nil || got != o.ID() {
		t.Fatalf("peek: %v %v", got, err)
	}
	for _, bad := range [][]byte{nil, []byte("nope"), {0xa0}} {
		if _, err := PeekOpID(bad); KindOf(err) != Corrupt {
			t.Errorf("PeekOpID(%x) = %v", bad, err)
		}
	}
}
