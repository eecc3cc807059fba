package protocol

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"reflect"
	"testing"
)

func TestMessagesRoundTrip(t *testing.T) {
	a, b := net.Pipe()
	ca, cb := NewConn(a), NewConn(b)
	defer ca.Close()
	defer cb.Close()
	msgs := []Message{
		&Auth{MAC: bytes.Repeat([]byte{1}, 32)},
		&Info{Device: "0123456789abcdef", Name: "laptop", Title: "Cartagena +40", Listen: 24040, Time: 1773133200000},
		&Info{Device: "0123456789abcdef", Time: -946684800000}, // a clock reset to 1940
		&Vector{Has: map[string]uint64{"0123456789abcdef": 7, "fedcba9876543210": 1}},
		&Ops{Ops: [][]byte{{0xa1, 1, 2}, {0xa0}}},
		&Ping{},
		&Ping{Time: 1836205200000},
		&Close{Reason: "bye"},
		&Have{Has: map[string]uint64{"0123456789abcdef": 8}},
		&Prune{},
		&Graft{},
		&Addrs{List: []string{"192.168.1.20:24040", "[fe80::1]:24040"}},
		&Addrs{List: []string{}},
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for _, m := range msgs {
			if err := ca.Send(m); err != nil {
				t.Error(err)
			}
		}
	}()
	for _, want := range msgs {
		got, err := cb.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %#v, want %#v", got, want)
		}
	}
	<-sent
	if cb.BytesIn() != ca.BytesOut() || cb.BytesIn() == 0 {
		t.Fatalf("byte counts: in %d out %d", cb.BytesIn(), ca.BytesOut())
	}
}

func TestHelloVersionMismatchBothSides(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	errB := make(chan error, 1)
	go func() {
		_, err := ExchangeHello(b, Version+1, Features)
		errB <- err
	}()
	_, errA := ExchangeHello(a, Version, Features)
	var va, vb *VersionError
	if !errors.As(errA, &va) || va.Local != Version || va.Remote != Version+1 || !errors.Is(errA, ErrVersion) {
		t.Fatalf("older side: %v", errA)
	}
	if !errors.As(<-errB, &vb) || vb.Local != Version+1 || vb.Remote != Version {
		t.Fatalf("newer side: %v", vb)
	}
	t.Logf("older side: %v", errA)
	t.Logf("newer side: %v", vb)
}

// TestHelloFeatures: a connection uses the features both sides offer, so
// a build that offers none (an older build of this version) gets none.
func TestHelloFeatures(t *testing.T) {
	for _, c := range []struct{ a, b, want uint16 }{
		{Features, Features, Features},
		{Features, 0, 0},
		{0, Features, 0},
		{FeatureRoom | 1<<7, FeatureRoom, FeatureRoom},
	} {
		a, b := net.Pipe()
		got := make(chan uint16, 1)
		go func() {
			f, err := ExchangeHello(b, Version, c.b)
			if err != nil {
				t.Error(err)
			}
			got <- f
		}()
		fa, err := ExchangeHello(a, Version, c.a)
		if err != nil {
			t.Fatal(err)
		}
		if fb := <-got; fa != c.want || fb != c.want {
			t.Errorf("offers %#x and %#x: got %#x and %#x, want %#x", c.a, c.b, fa, fb, c.want)
		}
		a.Close()
		b.Close()
	}
}

func TestHelloBadMagic(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	go io.Copy(io.Discard, b)
	go b.Write([]byte("GET / HTTP/1.1\r\n"))
	if _, err := ExchangeHello(a, Version, Features); !errors.Is(err, ErrBadMagic) {
		t.Fatalf("got %v", err)
	}
	b.Close()
}

func TestFrameErrors(t *testing.T) {
	frame := func(n uint32, body []byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, n), body...)
	}
	good, _ := Encode(&Ping{})
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty stream", nil, io.EOF},
		{"zero length", frame(0, nil), ErrFrameSize},
		{"oversized", frame(MaxFrame+1, nil), ErrFrameSize},
		{"huge", frame(0xffffffff, nil), ErrFrameSize},
		{"truncated header", []byte{0, 0}, io.ErrUnexpectedEOF},
		{"truncated body", frame(100, []byte("short")), io.ErrUnexpectedEOF},
		{"unknown type", frame(2, []byte{99, 0x80}), ErrMalformed},
		{"garbage body", frame(4, []byte{byte(TypeVector), 0xff, 0xff, 0xff}), ErrMalformed},
		{"trailing bytes", frame(uint32(len(good)+1), append(good, 0)), ErrMalformed},
		{"short mac", frame(4, []byte{byte(TypeAuth), 0x81, 0x41, 0}), ErrMalformed},
		{"empty ops", frame(3, []byte{byte(TypeOps), 0x81, 0x80}), ErrMalformed},
		{"indefinite length", frame(5, []byte{byte(TypeOps), 0x81, 0x9f, 0x40, 0xff}), ErrMalformed},
		{"empty have", frame(3, []byte{byte(TypeHave), 0x81, 0xa0}), ErrMalformed},
		{"prune with a field", frame(3, []byte{byte(TypePrune), 0x81, 0x00}), ErrMalformed},
		{"empty address", frame(4, []byte{byte(TypeAddrs), 0x81, 0x81, 0x60}), ErrMalformed},
		{"too many addresses", frame(uint32(3+2*(MaxAddrs+1)), append([]byte{byte(TypeAddrs), 0x81, 0x98, MaxAddrs + 1}, bytes.Repeat([]byte{0x61, 'a'}, MaxAddrs+1)...)), ErrMalformed},
	}
	for _, c := range cases {
		_, err := NewConn(struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(c.in), io.Discard}).Recv()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	// A vector claiming more devices than allowed fails before allocating them.
	b := []byte{byte(TypeVector), 0x81, 0xba}
	b = binary.BigEndian.AppendUint32(b, MaxDevices+1)
	if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v", err)
	}
	ops := &Ops{Ops: make([][]byte, MaxOps+1)}
	for i := range ops.Ops {
		ops.Ops[i] = []byte{0}
	}
	p, _ := Encode(ops)
	if _, err := Decode(p); !errors.Is(err, ErrMalformed) {
		t.Fatalf("too many ops: %v", err)
	}
}

func TestSendTooLarge(t *testing.T) {
	c := NewConn(struct {
		io.Reader
		io.Writer
	}{nil, io.Discard})
	big := make([]byte, MaxFrame) // random: compression cannot shrink it under the limit
	rand.Read(big)
	if err := c.Send(&Ops{Ops: [][]byte{big}}); !errors.Is(err, ErrFrameSize) {
		t.Fatalf("got %v", err)
	}
}

// TestOpsCompressed: operations travel compressed when that is smaller,
// uncompressed otherwise, come back identical, and a compressed frame that claims to unpack to
// more than a frame may hold is refused before anything is allocated.
func TestOpsCompressed(t *testing.T) {
	text := bytes.Repeat([]byte("Las delegaciones piden protocolos comunes de recepción. "), 40)
	m := &Ops{Ops: [][]byte{text, text[:100]}}
	p, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if Type(p[0]) != TypeOpsZ || len(p) > len(text)/2 {
		t.Fatalf("not compressed: type %s, %d bytes for %d", Type(p[0]), len(p), len(text))
	}
	got, err := Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	if o := got.(*Ops); len(o.Ops) != 2 || !bytes.Equal(o.Ops[0], text) || !bytes.Equal(o.Ops[1], text[:100]) {
		t.Fatal("operations changed on the way")
	}
	// Random bytes do not shrink: they travel as they are.
	noise := make([]byte, 4096)
	rand.Read(noise)
	if p, err = Encode(&Ops{Ops: [][]byte{noise}}); err != nil || Type(p[0]) != TypeOps {
		t.Fatalf("incompressible operations: %v, type %s", err, Type(p[0]))
	}
	if got, err := Decode(p); err != nil || !bytes.Equal(got.(*Ops).Ops[0], noise) {
		t.Fatalf("incompressible operations changed on the way: %v", err)
	}
	// A stream header claiming 1 GiB decoded.
	bomb := append([]byte{byte(TypeOpsZ)}, binary.AppendUvarint(nil, 1<<30)...)
	bomb = append(bomb, 0, 0, 0)
	if _, err := Decode(bomb); !errors.Is(err, ErrMalformed) {
		t.Fatalf("bomb: %v", err)
	}
}

// sameOps fails t unless Decode's answer for an Ops body, m and err, is
// fxamacker/cbor's: both refuse it, or both give the same operations.
// Decode may refuse more: forms Encode never makes and the library takes,
// such as an operation written as an array of small integers.
func sameOps(t *testing.T, body []byte, m Message, err error) {
	t.Helper()
	var want Ops
	wantErr := decMode.Unmarshal(body, &want)
	if wantErr == nil {
		wantErr = check(&want)
	}
	if wantErr == nil && err != nil {
		if canon, _ := encMode.Marshal(&want); !bytes.Equal(canon, body) {
			return // a form Encode never makes: refusing it is right
		}
	}
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("%x:\nDecode: %v\nlibrary: %v", body, err, wantErr)
	case err == nil && !reflect.DeepEqual(m.(*Ops).Ops, want.Ops):
		t.Fatalf("%x: Decode gave %x, the library %x", body, m.(*Ops).Ops, want.Ops)
	case err != nil && !errors.Is(err, ErrMalformed):
		t.Fatalf("%x: %v is not ErrMalformed", body, err)
	}
}

// TestReadOps: an Ops body is read as the library reads it, with the
// operations left in the frame's buffer, each capped at its end.
func TestReadOps(t *testing.T) {
	ops := [][]byte{[]byte("first"), bytes.Repeat([]byte{7}, 300), {1}}
	body, err := encMode.Marshal(&Ops{Ops: ops})
	if err != nil {
		t.Fatal(err)
	}
	p := append([]byte{byte(TypeOps)}, body...) // type, 0x81, 0x83, 0x45 "first"
	m, err := Decode(p)
	sameOps(t, body, m, err)
	got := m.(*Ops).Ops
	if &got[0][0] != &p[4] || cap(got[0]) != len(ops[0]) {
		t.Errorf("the first operation is not a capped slice of the frame")
	}
	_ = append(got[0], 'x')
	if !bytes.Equal(got[1], ops[1]) {
		t.Errorf("an append to one operation changed the next")
	}
	for name, b := range map[string][]byte{
		"empty":                {},
		"not an array":         {0xa1, 0x01, 0x02},
		"two fields":           {0x82, 0x81, 0x41, 0x01, 0x00},
		"no operations":        {0x81, 0x80},
		"a text operation":     {0x81, 0x81, 0x61, 0x61},
		"an empty operation":   {0x81, 0x81, 0x40},
		"null operations":      {0x81, 0xf6},
		"cut short":            {0x81, 0x82, 0x41, 0x01, 0x42, 0x01},
		"trailing bytes":       {0x81, 0x81, 0x41, 0x01, 0x00},
		"too many":             {0x81, 0x99, 0x10, 0x01},
		"a longer head":        {0x81, 0x98, 0x01, 0x58, 0x01, 0x07},
		"indefinite length":    {0x81, 0x9f, 0x41, 0x01, 0xff},
		"a huge string length": {0x81, 0x81, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := Decode(append([]byte{byte(TypeOps)}, b...))
			sameOps(t, b, m, err)
		})
	}
}

// FuzzDecode: no input makes Decode panic, what decodes re-encodes to the
// same bytes (the encoding is canonical), and an Ops body decodes as the
// library decodes it.
func FuzzDecode(f *testing.F) {
	for _, m := range []Message{&Auth{MAC: make([]byte, 32)}, &Info{Device: "d", Listen: 1}, &Info{Device: "d", Time: 1773133200000}, &Ping{Time: -1}, &Vector{Has: map[string]uint64{"a": 1}}, &Ops{Ops: [][]byte{{1}}}, &Ops{Ops: [][]byte{bytes.Repeat([]byte("texto "), 50)}}, &Ping{}, &Close{Reason: "x"}} {
		p, _ := Encode(m)
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		m, err := Decode(p)
		if len(p) > 0 && Type(p[0]) == TypeOps {
			sameOps(t, p[1:], m, err)
		}
		if err != nil {
			return
		}
		again, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(again); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
	})
}

// FuzzReadFrame: framing never panics nor allocates beyond its bound.
func FuzzReadFrame(f *testing.F) {
	p, _ := Encode(&Ping{})
	f.Add(AppendFrame(AppendHello(nil, Version, Features), p))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		if _, err := ParseHello(b); err == nil {
			r.Seek(helloSize, io.SeekStart)
		}
		for {
			p, err := ReadFrame(r, 1<<16)
			if err != nil {
				return
			}
			if len(p) > 1<<16 {
				t.Fatalf("frame of %d bytes", len(p))
			}
			Decode(p)
		}
	})
}

// TestOpsBodyMatchesLibrary: an Ops body built an operation at a time is
// the library's canonical encoding of the same list, for counts and sizes
// on each side of a head's length, and SendOps writes the frame Send
// writes.
func TestOpsBodyMatchesLibrary(t *testing.T) {
	for _, n := range []int{1, 23, 24, 255, 256, MaxOps} {
		for _, size := range []int{0, 23, 24, 255, 256, 1500, 65536} {
			if n*size > MaxFrame/2 {
				continue
			}
			ops := make([][]byte, n)
			for i := range ops {
				ops[i] = bytes.Repeat([]byte{byte(i)}, size)
			}
			want, err := encMode.Marshal(&Ops{Ops: ops})
			if err != nil {
				t.Fatal(err)
			}
			var body OpsBody
			body.Add([]byte("left over from the last chunk"))
			body.Reset()
			for _, op := range ops {
				body.Add(op)
			}
			if got, err := body.bytes(); err != nil || body.Len() != n || !bytes.Equal(got, want) {
				t.Fatalf("%d operations of %d bytes: the body differs from the library's", n, size)
			}
			var viaSend, viaSendOps bytes.Buffer
			if err := NewConn(&rw{w: &viaSend}).Send(&Ops{Ops: ops}); err != nil {
				t.Fatal(err)
			}
			if err := NewConn(&rw{w: &viaSendOps}).SendOps(&body); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(viaSend.Bytes(), viaSendOps.Bytes()) {
				t.Fatalf("%d operations of %d bytes: SendOps wrote another frame than Send", n, size)
			}
			if size == 0 {
				continue // an empty operation is refused by Decode
			}
			m, err := Decode(viaSendOps.Bytes()[4:])
			if err != nil || !reflect.DeepEqual(m.(*Ops).Ops, ops) {
				t.Fatalf("%d operations of %d bytes: the frame decodes to something else (%v)", n, size, err)
			}
		}
	}
}

// TestOpsOverLimits: a message of more operations than a peer takes, or
// larger than a frame, is an error, not a panic (at 65,536 operations the
// count's head outgrows the room kept for it), and the connection still
// sends after it.
func TestOpsOverLimits(t *testing.T) {
	var out bytes.Buffer
	c := NewConn(&rw{w: &out})
	for _, n := range []int{MaxOps + 1, 1 << 16, 1<<16 + 1} {
		ops := make([][]byte, n)
		for i := range ops {
			ops[i] = []byte{1}
		}
		if _, err := Encode(&Ops{Ops: ops}); !errors.Is(err, ErrTooManyOps) {
			t.Errorf("Encode of %d operations: %v", n, err)
		}
		var body OpsBody
		for _, op := range ops {
			body.Add(op)
		}
		if err := c.SendOps(&body); !errors.Is(err, ErrTooManyOps) {
			t.Errorf("SendOps of %d operations: %v", n, err)
		}
	}
	// Two operations of 3 MiB of random bytes: S2 cannot shrink them, and
	// the frame is over MaxFrame.
	big := make([]byte, 3<<20)
	rand.Read(big)
	var body OpsBody
	body.Add(big)
	body.Add(big)
	if err := c.SendOps(&body); !errors.Is(err, ErrFrameSize) {
		t.Errorf("an oversized frame: %v", err)
	}
	if out.Len() != 0 {
		t.Fatalf("%d bytes written for refused messages", out.Len())
	}
	body.Reset()
	body.Add([]byte("después"))
	if err := c.SendOps(&body); err != nil {
		t.Fatal(err)
	}
	m, err := Decode(out.Bytes()[4:])
	if err != nil || string(m.(*Ops).Ops[0]) != "después" {
		t.Fatalf("after the refusals: %v, %v", m, err)
	}
}

// rw is a writer standing for a stream.
type rw struct {
	io.Reader
	w io.Writer
}

func (s *rw) Write(p []byte) (int, error) { return s.w.Write(p) }
