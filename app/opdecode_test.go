package app

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app/roles"
)

// decodeOpLibrary is DecodeOp as it was before decodeOp: fxamacker/cbor's
// reflective decoder, then the same checks. It is the reference decodeOp
// is held to.
func decodeOpLibrary(b []byte) (*Op, error) {
	var o Op
	if err := decMode.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	if err := o.checkCanonical(b); err != nil {
		return nil, err
	}
	if err := o.checkShape(); err != nil {
		return nil, err
	}
	return &o, nil
}

// sameAnswer fails t unless DecodeOp and the library's decoder both refuse
// b, or both accept it with equal operations.
func sameAnswer(t testing.TB, b []byte) (accepted bool) {
	t.Helper()
	got, err := DecodeOp(b)
	want, wantErr := decodeOpLibrary(b)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("%x:\nDecodeOp: %v\nlibrary: %v", b, err, wantErr)
	case err != nil:
		if KindOf(err) != Corrupt {
			t.Fatalf("%x: DecodeOp's error is not Corrupt: %v", b, err)
		}
		return false
	case !reflect.DeepEqual(got, want):
		t.Fatalf("%x:\nDecodeOp: %+v\nlibrary:  %+v", b, got, want)
	}
	return true
}

// randomOp makes an operation of a valid shape with a random selection of
// every kind of field an operation has.
func randomOp(r *rand.Rand) *Op {
	words := []string{"", "a", "Migración", "protección", "refúgio", "réfugié", "日本", "🙂", "x\u0301",
		strings.Repeat("texto largo ", 40), "andes", "CO", "ACNUR", "2024-05-03"}
	str := func() string { return words[r.IntN(len(words))] }
	maybe := func() bool { return r.IntN(2) == 0 }
	sp := func() *string {
		if maybe() {
			return nil
		}
		s := str()
		return &s
	}
	list := func() []string {
		if maybe() {
			return nil
		}
		out := make([]string, 1+r.IntN(4))
		for i := range out {
			out[i] = str()
		}
		return out
	}
	id := func() RecordID { return RecordID(NewID(time.UnixMilli(r.Int64N(1 << 40)))) }
	o := &Op{Workspace: WorkspaceID(id()), Device: DeviceID(strings.Repeat("d", 16)),
		Seq: 1 + r.Uint64N(1<<40), HLC: HLC(r.Uint64())}
	if o.Seq > 1 {
		o.Prev = bytes.Repeat([]byte{byte(r.IntN(256))}, 32)
	}
	if maybe() {
		o.Sig = bytes.Repeat([]byte{7}, 64)
	}
	if maybe() {
		for range 1 + r.IntN(3) {
			o.Auth = append(o.Auth, OpID{Device: DeviceID(strings.Repeat("f", 16)), Seq: 1 + r.Uint64N(1<<20)})
		}
	}
	switch r.IntN(5) {
	case 0:
		o.Type, o.PubKey, o.Name = OpDevice, bytes.Repeat([]byte{9}, 32), str()
		return o
	case 4:
		o.Type = OpRole
		c := &RoleChange{Kind: roles.KindGrant, Member: strings.Repeat("a", 16), Role: roles.Rapporteur}
		switch r.IntN(4) {
		case 1:
			c.Kind, c.Role = roles.KindRevoke, roles.Secretariat
		case 2:
			c.Kind, c.Role, c.Epoch = roles.KindRemove, "", 1+r.Uint64N(9)
			c.Keys = []SealedKey{{Device: DeviceID(strings.Repeat("b", 16)), Box: bytes.Repeat([]byte{3}, 48)}}
		case 3:
			c.Kind, c.Role, c.Member, c.Founders = RoleFound, "", "", list()
			c.Founders = slices.DeleteFunc(c.Founders, func(f string) bool { return f == "" || len(f) > 64 })
		}
		if maybe() {
			c.Seen = append(c.Seen, OpID{Device: DeviceID(strings.Repeat("c", 16)), Seq: 1 + r.Uint64N(99)})
		}
		if o.Seq > 1 {
			c.Seen = append(c.Seen, OpID{Device: o.Device, Seq: o.Seq - 1})
		}
		for range c.Seen {
			c.SeenHash = append(c.SeenHash, bytes.Repeat([]byte{byte(r.IntN(256))}, 32))
		}
		o.Role = c
		return o
	case 1:
		o.Type, o.Kind = OpCreate, KindNote
	case 2:
		o.Type = OpUpdate
		for range r.IntN(3) {
			o.Base = append(o.Base, OpID{Device: DeviceID(strings.Repeat("e", 16)), Seq: r.Uint64()})
		}
	default:
		o.Type = OpWithdraw
	}
	o.Record = id()
	if maybe() {
		return o
	}
	p := &Patch{Title: sp(), Body: sp(), Lang: (*Lang)(sp()), Meeting: (*RecordID)(sp()),
		SubRegion: (*SubRegion)(sp()), Country: (*CountryCode)(sp()), Stakeholder: (*StakeholderCode)(sp()),
		Status: (*Status)(sp()), Author: sp(), Org: sp(), Venue: sp(), Date: sp(), ReplyTo: (*RecordID)(sp()),
		AddContribs: list(), DelContribs: list(), AddSupport: list(), DelSupport: list()}
	if maybe() {
		s := maybe()
		p.Sensitive = &s
	}
	codes := func() []string { return list() }
	p.AddThemes, p.DelThemes = toCodes[ThemeCode](codes()), toCodes[ThemeCode](codes())
	p.AddPops, p.DelPops = toCodes[PopulationCode](codes()), toCodes[PopulationCode](codes())
	p.AddTags, p.DelTags = toCodes[TagCode](codes()), toCodes[TagCode](codes())
	p.AddSources, p.DelSources = toCodes[RecordID](codes()), toCodes[RecordID](codes())
	p.AddMerged, p.DelMerged = toCodes[RecordID](codes()), toCodes[RecordID](codes())
	p.Position, p.Action, p.After, p.Rationale = sp(), (*Action)(sp()), (*RecordID)(sp()), sp()
	p.Part, p.AltOf, p.Numbering, p.DocKind = (*Part)(sp()), (*RecordID)(sp()), (*Numbering)(sp()), (*DocKind)(sp())
	num := func() *uint64 {
		if maybe() {
			return nil
		}
		n := r.Uint64N(1 << uint(r.IntN(40)))
		return &n
	}
	p.Base, p.Rev, p.Level = num(), num(), num()
	p.AddOppose, p.DelOppose = list(), list()
	o.Patch = p
	return o
}

func toCodes[T ~string](s []string) []T {
	var out []T
	for _, v := range s {
		out = append(out, T(v))
	}
	return out
}

// TestDecodeOpMatchesLibrary: for random operations of every field, and for
// those bytes damaged (a byte changed, bytes cut, a byte added), DecodeOp
// gives what fxamacker/cbor's decoder and the same checks give.
func TestDecodeOpMatchesLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	accepted, refused := 0, 0
	for range 3000 {
		enc, err := EncodeOp(randomOp(r))
		if err != nil {
			t.Fatal(err)
		}
		if !sameAnswer(t, enc) {
			t.Fatalf("a well-formed operation refused: %x", enc)
		}
		accepted++
		for range 10 {
			bad := bytes.Clone(enc)
			i := r.IntN(len(bad))
			switch r.IntN(3) {
			case 0:
				bad[i] ^= byte(1 + r.IntN(255))
			case 1:
				bad = bad[:i]
			default:
				bad = append(bad[:i:i], append([]byte{byte(r.IntN(256))}, enc[i:]...)...)
			}
			if !sameAnswer(t, bad) {
				refused++
			}
		}
	}
	if refused < 20000 {
		t.Errorf("only %d of 30,000 damaged operations refused", refused)
	}
	t.Logf("%d accepted, %d damaged refused", accepted, refused)
}

// TestDecodeOpRefuses: forms a canonical operation never has are refused
// with a Corrupt error, by decodeOp itself or by the canonical check after
// it.
func TestDecodeOpRefuses(t *testing.T) {
	o := &Op{Workspace: "w", Device: DeviceID(strings.Repeat("d", 16)), Seq: 1, HLC: 5, Type: OpCreate,
		Record: RecordID(NewID(time.UnixMilli(1))), Kind: KindNote, Patch: &Patch{Title: sp("t")}}
	good, err := EncodeOp(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeOp(good); err != nil {
		t.Fatalf("the operation itself: %v", err)
	}
	// good begins a9 01 61 77 (a map of 9, field 1, text "w").
	cases := map[string][]byte{
		"not a map":             append([]byte{0x89}, good[1:]...),
		"indefinite-length map": append([]byte{0xbf}, good[1:]...),
		"a tag":                 append([]byte{0xd8, 0x18}, good...),
		"a longer head":         append([]byte{0xb8, 0x09}, good[1:]...),
		"bytes after it":        append(bytes.Clone(good), 0x00),
		"cut short":             good[:len(good)-1],
		"field 1 twice":         append([]byte{0xaa, 0x01, 0x61, 0x77}, good[1:]...),
		"a field out of order":  append([]byte{0xaa, 0x02, 0x61, 0x77}, good[1:]...),
		"an unknown field":      append([]byte{0xaa, 0x01, 0x61, 0x77, 0x0d, 0x00}, good[4:]...),
		"a text key":            append([]byte{0xa9, 0x61, 0x31, 0x61, 0x77}, good[4:]...),
		"invalid UTF-8":         append([]byte{0xa9, 0x01, 0x61, 0xff}, good[4:]...),
		"a byte string as text": append([]byte{0xa9, 0x01, 0x41, 0x77}, good[4:]...),
		"a huge string length":  append([]byte{0xa9, 0x01, 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, good[4:]...),
		"a huge map":            {0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"empty":                 {},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := DecodeOp(b); KindOf(err) != Corrupt {
				t.Fatalf("DecodeOp(%x): %v", b, err)
			}
			sameAnswer(t, b)
		})
	}
}

// FuzzDecodeOp holds DecodeOp to the library's answer on any bytes.
func FuzzDecodeOp(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		enc, err := EncodeOp(randomOp(r))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameAnswer(t, b) })
}
