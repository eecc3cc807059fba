package app

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// decodeOp reads an operation from its canonical CBOR encoding without
// reflection. It is DecodeOp's first step, for the one type a first sync
// decodes a hundred thousand times: fxamacker/cbor's reflective decoder
// took 12 µs of the 90 µs of CPU each operation of a first sync cost both
// peers, and this reads the same bytes in about half of that, with a third
// of the allocations (one block for the operation, its patch and the
// patch's scalars, then one per string).
//
// It is not a CBOR decoder. It reads the few kinds of item an operation's
// fields use (unsigned integers, text and byte strings, arrays, maps of
// small integer keys, booleans) and refuses everything else: tags,
// indefinite lengths, floats, unknown fields, keys out of order. What it
// accepts is then checked by checkCanonical, which encodes the result with
// fxamacker/cbor and requires exactly the bytes read: the library stays
// the authority on what an operation's bytes are, and a field this decoder
// read wrongly, or a form it let through, fails that check instead of
// being stored. TestDecodeOpMatchesLibrary and FuzzDecodeOp hold the two
// decoders to the same answers.
func decodeOp(b []byte) (*Op, error) {
	d := cborIn{b: b}
	// One allocation for the operation, its patch and the patch's optional
	// scalars: they live and die together.
	blk := new(opBlock)
	o := &blk.op
	n := d.count(majorMap, maxOpFields)
	last := uint64(0)
	for range n {
		key := d.key(&last)
		switch key {
		case 1:
			o.Workspace = WorkspaceID(d.text())
		case 2:
			o.Device = DeviceID(d.text())
		case 3:
			o.Seq = d.uint()
		case 4:
			o.HLC = HLC(d.uint())
		case 5:
			o.Type = OpType(d.text())
		case 6:
			o.Record = RecordID(d.text())
		case 7:
			o.Kind = Kind(d.text())
		case 8:
			o.Patch = d.patch(blk)
		case 9:
			o.Base = d.opIDs()
		case 10:
			o.PubKey = d.bytes()
		case 11:
			o.Name = d.text()
		case 12:
			o.Prev = d.bytes()
		case 13:
			o.Auth = d.opIDs()
		case 14:
			o.Role = d.roleChange()
		case 15:
			o.Sig = d.bytes()
		default:
			d.unknown(key)
		}
		if d.err != nil {
			break
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the operation", len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	return o, nil
}

// opBlock holds an operation with its patch and the patch's scalars.
type opBlock struct {
	op    Op
	patch Patch
	strs  [13]string // the patch's *string-like fields point here
	used  int        // how many of strs hold a field
	sens  bool
	draft *draftBlock // a drafting record's fields, allocated when one comes
}

// draftBlock holds the scalars only drafting records have.
type draftBlock struct {
	strs  [9]string
	used  int
	nums  [3]uint64
	usedN int
}

// maxOpFields bounds an operation's and a patch's keys, as the library's
// MaxMapPairs does.
const maxOpFields = 64

func (d *cborIn) patch(blk *opBlock) *Patch {
	p := &blk.patch
	n := d.count(majorMap, maxOpFields)
	last := uint64(0)
	for range n {
		key := d.key(&last)
		switch key {
		case 1:
			p.Title = d.scalar(blk)
		case 2:
			p.Body = d.scalar(blk)
		case 3:
			p.Lang = (*Lang)(d.scalar(blk))
		case 4:
			p.Meeting = (*RecordID)(d.scalar(blk))
		case 5:
			p.SubRegion = (*SubRegion)(d.scalar(blk))
		case 6:
			p.Country = (*CountryCode)(d.scalar(blk))
		case 7:
			p.Stakeholder = (*StakeholderCode)(d.scalar(blk))
		case 8:
			p.Status = (*Status)(d.scalar(blk))
		case 9:
			p.Author = d.scalar(blk)
		case 10:
			p.Org = d.scalar(blk)
		case 11:
			p.Venue = d.scalar(blk)
		case 12:
			p.Date = d.scalar(blk)
		case 13:
			p.ReplyTo = (*RecordID)(d.scalar(blk))
		case 14:
			blk.sens = d.bool()
			p.Sensitive = &blk.sens
		case 20:
			p.AddThemes = texts[ThemeCode](d)
		case 21:
			p.DelThemes = texts[ThemeCode](d)
		case 22:
			p.AddPops = texts[PopulationCode](d)
		case 23:
			p.DelPops = texts[PopulationCode](d)
		case 24:
			p.AddTags = texts[TagCode](d)
		case 25:
			p.DelTags = texts[TagCode](d)
		case 26:
			p.AddSources = texts[RecordID](d)
		case 27:
			p.DelSources = texts[RecordID](d)
		case 28:
			p.AddMerged = texts[RecordID](d)
		case 29:
			p.DelMerged = texts[RecordID](d)
		case 30:
			p.AddContribs = texts[string](d)
		case 31:
			p.DelContribs = texts[string](d)
		case 32:
			p.AddSupport = texts[string](d)
		case 33:
			p.DelSupport = texts[string](d)
		default:
			d.draftingField(key, p, blk)
		}
		if d.err != nil {
			return nil
		}
	}
	return p
}

// draftingField reads a field only drafting records have (drafting.go),
// apart so that the fields every record has stay one switch.
func (d *cborIn) draftingField(key uint64, p *Patch, blk *opBlock) {
	switch key {
	case 15:
		p.Position = d.draftScalar(blk)
	case 16:
		p.Action = (*Action)(d.draftScalar(blk))
	case 17:
		p.After = (*RecordID)(d.draftScalar(blk))
	case 18:
		p.Rationale = d.draftScalar(blk)
	case 19:
		p.Part = (*Part)(d.draftScalar(blk))
	case 34:
		p.AltOf = (*RecordID)(d.draftScalar(blk))
	case 35:
		p.Numbering = (*Numbering)(d.draftScalar(blk))
	case 36:
		p.DocKind = (*DocKind)(d.draftScalar(blk))
	case 37:
		p.Base = d.number(blk)
	case 38:
		p.Rev = d.number(blk)
	case 39:
		p.Level = d.number(blk)
	case 40:
		p.AddOppose = texts[string](d)
	case 41:
		p.DelOppose = texts[string](d)
	default:
		d.unknown(key)
	}
}

// scalar reads a text into the next free scalar of blk and returns it.
func (d *cborIn) scalar(blk *opBlock) *string {
	if blk.used == len(blk.strs) { // a new field without room in opBlock
		d.fail("too many fields in a patch")
		return nil
	}
	blk.strs[blk.used] = d.text()
	blk.used++
	return &blk.strs[blk.used-1]
}

// draftScalar reads a text into the next free drafting scalar of blk.
func (d *cborIn) draftScalar(blk *opBlock) *string {
	b := blk.drafting()
	if b.used == len(b.strs) {
		d.fail("too many fields in a patch")
		return nil
	}
	b.strs[b.used] = d.text()
	b.used++
	return &b.strs[b.used-1]
}

// number reads an unsigned integer into the next free number of blk.
func (d *cborIn) number(blk *opBlock) *uint64 {
	b := blk.drafting()
	if b.usedN == len(b.nums) {
		d.fail("too many numbers in a patch")
		return nil
	}
	b.nums[b.usedN] = d.uint()
	b.usedN++
	return &b.nums[b.usedN-1]
}

func (blk *opBlock) drafting() *draftBlock {
	if blk.draft == nil {
		blk.draft = new(draftBlock)
	}
	return blk.draft
}

// The CBOR major types an operation uses (RFC 8949, section 3.1).
const (
	majorUint   = 0
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorSimple = 7
)

// cborIn reads CBOR items from b, which shrinks as they are read. The first
// error stops it: every later read returns zero values.
type cborIn struct {
	b   []byte
	err error
}

func (d *cborIn) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("operation: "+format, args...)
	}
}

// head reads an item's initial byte and argument. It refuses indefinite
// lengths and reserved values; it does not check that the argument is in
// its shortest form (checkCanonical does).
func (d *cborIn) head() (major byte, arg uint64) {
	if d.err != nil {
		return 0xff, 0
	}
	if len(d.b) == 0 {
		d.fail("truncated")
		return 0xff, 0
	}
	c := d.b[0]
	major, info := c>>5, c&31
	switch {
	case info < 24:
		d.b = d.b[1:]
		return major, uint64(info)
	case info <= 27:
		size := 1 << (info - 24)
		if len(d.b) < 1+size {
			d.fail("truncated")
			return 0xff, 0
		}
		switch size {
		case 1:
			arg = uint64(d.b[1])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(d.b[1:]))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(d.b[1:]))
		default:
			arg = binary.BigEndian.Uint64(d.b[1:])
		}
		d.b = d.b[1+size:]
		return major, arg
	}
	d.fail("indefinite length or reserved value (initial byte 0x%02x)", c)
	return 0xff, 0
}

// want reports an item of the wrong type.
func (d *cborIn) want(what string, major byte) {
	d.fail("%s expected, found an item of major type %d", what, major)
}

func (d *cborIn) uint() uint64 {
	m, arg := d.head()
	if m != majorUint {
		d.want("an unsigned integer", m)
		return 0
	}
	return arg
}

// key reads a field number, which must be above the one before, last:
// fields in order, none twice. No field is numbered 0.
func (d *cborIn) key(last *uint64) uint64 {
	k := d.uint()
	if d.err == nil && k != 0 && k <= *last {
		d.fail("field %d after field %d", k, *last)
	}
	*last = k
	return k
}

func (d *cborIn) unknown(key uint64) {
	d.fail("unknown field %d", key)
}

// count reads the head of an array or map of at most max entries, each of
// which takes at least a byte of what is left.
func (d *cborIn) count(major byte, max int) int {
	m, n := d.head()
	if m != major {
		what := "an array"
		if major == majorMap {
			what = "a map"
		}
		d.want(what, m)
		return 0
	}
	if n > uint64(max) || n > uint64(len(d.b)) {
		d.fail("%d entries: too many", n)
		return 0
	}
	return int(n)
}

// content reads a string's head and returns its bytes, not copied.
func (d *cborIn) content(major byte) []byte {
	m, n := d.head()
	if m != major {
		what := "a text string"
		if major == majorBytes {
			what = "a byte string"
		}
		d.want(what, m)
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated string")
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *cborIn) text() string {
	s := d.content(majorText)
	if !utf8.Valid(s) {
		d.fail("invalid UTF-8 in a text string")
		return ""
	}
	return string(s)
}

func (d *cborIn) bytes() []byte {
	s := d.content(majorBytes)
	if d.err != nil {
		return nil
	}
	return append([]byte{}, s...)
}

func (d *cborIn) bool() bool {
	m, v := d.head()
	if m != majorSimple || (v != 20 && v != 21) {
		d.want("a boolean", m)
		return false
	}
	return v == 21
}

// texts reads an array of text strings.
func texts[T ~string](d *cborIn) []T {
	n := d.count(majorArray, maxArray)
	if d.err != nil {
		return nil
	}
	out := make([]T, n)
	for i := range out {
		out[i] = T(d.text())
	}
	return out
}

// opIDs reads an array of operation addresses, each an array [device, seq].
func (d *cborIn) opIDs() []OpID {
	n := d.count(majorArray, maxArray)
	if d.err != nil {
		return nil
	}
	out := make([]OpID, n)
	for i := range out {
		if d.count(majorArray, 2) != 2 && d.err == nil {
			d.fail("an operation address is two items")
		}
		out[i] = OpID{Device: DeviceID(d.text()), Seq: d.uint()}
	}
	return out
}

// maxArray is the library decoder's MaxArrayElements.
const maxArray = 4096
