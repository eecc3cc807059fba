package invite

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

func TestRoundTrip(t *testing.T) {
	for i := 0; i < 200; i++ {
		id := ulid.MustNew(ulid.Timestamp(time.Now()), rand.Reader).String()
		secret := make([]byte, 32)
		rand.Read(secret)
		code := Encode(id, secret)
		if len(code) != 56+13 || strings.Count(code, "-") != 13 {
			t.Fatalf("code %q: want 14 groups of 4", code)
		}
		gotID, key, err := Decode(code)
		if err != nil || gotID != id || !bytes.Equal(key, secret[:KeySize]) {
			t.Fatalf("%q: %v %s %x", code, err, gotID, key)
		}
		// As typed by a person: lower case, spaces, confusable letters.
		typed := strings.NewReplacer("-", " ", "1", "l", "0", "o").Replace(strings.ToLower(code))
		if gotID, _, err := Decode(typed); err != nil || gotID != id {
			t.Fatalf("typed %q: %v", typed, err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	id := ulid.Make().String()
	code := Encode(id, bytes.Repeat([]byte{7}, 32))
	swap := []byte(code)
	if swap[0] == 'A' {
		swap[0] = 'B'
	} else {
		swap[0] = 'A'
	}
	typo := []byte(code)
	typo[20] = map[bool]byte{true: '2', false: '3'}[typo[20] == '3']
	cases := map[string]error{
		"":                                       ErrFormat,
		"hello":                                  ErrFormat,
		code[:len(code)-5]:                       ErrFormat,
		code + "-AAAA":                           ErrFormat,
		strings.Replace(code, code[5:6], "U", 1): ErrFormat,
		string(typo):                             ErrChecksum,
		string(swap):                             nil, // checked below: any error
	}
	for in, want := range cases {
		_, _, err := Decode(in)
		if err == nil {
			t.Errorf("%q: accepted", in)
			continue
		}
		if want != nil && !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", in, err, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(ulid.Make().String(), make([]byte, 16)))
	f.Add("0000-0000")
	f.Fuzz(func(t *testing.T, s string) {
		id, key, err := Decode(s)
		if err != nil {
			return
		}
		if Encode(id, key) == "" {
			t.Fatal("empty")
		}
	})
}
