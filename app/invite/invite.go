// Package invite writes and reads join codes: what a member of a workspace
// reads aloud, types or shows as a QR code so that another laptop can join.
//
// A code holds the workspace id (a ULID, 16 bytes) and the join key (the
// first 16 bytes, 128 bits, of the workspace secret), after a version byte
// and followed by a two-byte checksum (the start of their SHA-256): 35
// bytes, written as 56 characters of Crockford's base32 in groups of four:
//
//	1R5K-7Y2C-...-XQ4M   (14 groups)
//
// Crockford's alphabet has no I, L, O or U; reading is case-insensitive,
// takes I and L for 1 and O for 0, and ignores dashes and spaces, so a code
// survives being read over a noisy room and typed by hand. The checksum
// catches a mistyped character with a probability of 65535 in 65536.
//
//	code := invite.Encode(ws.ID, ws.Secret)
//	id, key, err := invite.Decode(typed)
package invite

import (
	"crypto/sha256"
	"errors"
	"strings"

	"github.com/oklog/ulid/v2"
)

// KeySize is the length of the join key a code carries.
const KeySize = 16

const (
	version  = 1
	rawSize  = 1 + 16 + KeySize + 2
	alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	group    = 4
)

// Errors of Decode.
var (
	ErrFormat   = errors.New("this is not a join code: it should be 56 letters and digits, in groups of four")
	ErrChecksum = errors.New("the join code has a typing mistake (its checksum does not match)")
	ErrVersion  = errors.New("the join code was made by a newer version of Consulta")
)

// Encode returns the join code of workspace id with secret. id must be a
// ULID and secret at least KeySize bytes; Encode panics otherwise.
func Encode(id string, secret []byte) string {
	u, err := ulid.ParseStrict(id)
	if err != nil || len(secret) < KeySize {
		panic("invite: bad workspace id or secret")
	}
	raw := make([]byte, 0, rawSize)
	raw = append(raw, version)
	raw = append(raw, u[:]...)
	raw = append(raw, secret[:KeySize]...)
	sum := sha256.Sum256(raw)
	raw = append(raw, sum[:2]...)
	s := base32(raw)
	var b strings.Builder
	for i := 0; i < len(s); i += group {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+group, len(s))])
	}
	return b.String()
}

// Decode reads a join code and returns the workspace id and join key.
// Errors: ErrFormat, ErrChecksum, ErrVersion.
func Decode(code string) (id string, key []byte, err error) {
	var clean []byte
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n':
			continue
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'O':
			r = '0'
		}
		if r > 0x7f || strings.IndexByte(alphabet, byte(r)) < 0 {
			return "", nil, ErrFormat
		}
		clean = append(clean, byte(r))
	}
	raw, ok := unbase32(clean)
	if !ok || len(raw) != rawSize {
		return "", nil, ErrFormat
	}
	sum := sha256.Sum256(raw[:rawSize-2])
	if raw[rawSize-2] != sum[0] || raw[rawSize-1] != sum[1] {
		return "", nil, ErrChecksum
	}
	if raw[0] != version {
		return "", nil, ErrVersion
	}
	var u ulid.ULID
	copy(u[:], raw[1:17])
	return u.String(), append([]byte(nil), raw[17:17+KeySize]...), nil
}

// base32 encodes b in Crockford's alphabet, most significant bits first,
// the last character padded with zero bits.
func base32(b []byte) string {
	out := make([]byte, 0, (len(b)*8+4)/5)
	var acc uint32
	bits := 0
	for _, x := range b {
		acc = acc<<8 | uint32(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, alphabet[(acc>>bits)&31])
		}
	}
	if bits > 0 {
		out = append(out, alphabet[(acc<<(5-bits))&31])
	}
	return string(out)
}

// unbase32 decodes what base32 encoded; the padding bits must be zero.
func unbase32(s []byte) ([]byte, bool) {
	out := make([]byte, 0, len(s)*5/8)
	var acc uint32
	bits := 0
	for _, c := range s {
		acc = acc<<5 | uint32(strings.IndexByte(alphabet, c))
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if acc&(1<<bits-1) != 0 {
		return nil, false
	}
	return out, true
}
