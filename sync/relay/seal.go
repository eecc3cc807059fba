package relay

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/cartagena-c40/consulta/app"
)

const (
	// joinKeySize is how many bytes of the workspace secret invitations
	// carry (sync/transport.JoinKeySize): every member holds exactly those.
	joinKeySize = 16
	// keyInfo starts the HKDF info and the associated data; the workspace
	// id follows.
	keyInfo = "consulta relay v1"
	// nkeyInfo starts the HKDF info of the seed of the key a laptop
	// proves to a relay; the workspace id follows.
	nkeyInfo = "consulta relay nkey v1"
	// version is the first byte of every payload.
	version = 1
	// headerSeq names the sequence number of the operation a message
	// carries; the device is the subject's last token.
	headerSeq = "Consulta-Seq"
	// overhead is what a payload adds to the operation: version, key id,
	// nonce and tag.
	overhead = 1 + 8 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead
)

// names are the stream and subjects of one workspace on a relay: opaque,
// derived from a hash of the workspace id.
type names struct {
	hash   string // h: 16 lowercase hex digits
	stream string // CONSULTA_<H>, H in upper case
	prefix string // consulta.<h>
}

func namesOf(ws app.WorkspaceID) names {
	h := sha256.Sum256([]byte(ws))
	return namesOfHash(hex.EncodeToString(h[:8]))
}

// namesOfHash returns the names of the workspace whose hash is h.
func namesOfHash(h string) names {
	return names{hash: h, stream: "CONSULTA_" + strings.ToUpper(h), prefix: "consulta." + h}
}

// user is the user name a workspace's laptops connect to a relay as.
func (n names) user() string { return userPrefix + n.hash }

// inbox is the prefix of a workspace's laptops' inboxes.
func (n names) inbox() string { return inboxPrefix + n.hash }

func (n names) subject(dev app.DeviceID) string { return n.prefix + "." + string(dev) }

// device returns the device a subject of the workspace names, if it is
// one: 16 lowercase hex digits.
func (n names) device(subject string) (app.DeviceID, bool) {
	d, ok := strings.CutPrefix(subject, n.prefix+".")
	if !ok || len(d) != 16 || strings.Trim(d, "0123456789abcdef") != "" {
		return "", false
	}
	return app.DeviceID(d), true
}

// sealKey is the sealing key of one join key, and the id a payload names
// it by.
type sealKey struct {
	aead cipher.AEAD
	id   [8]byte
}

// keyring is the keys of a workspace: the current join key's first, then
// the past ones, newest first (a member's removal replaces the join key).
type keyring struct {
	ws    app.WorkspaceID
	epoch uint64 // the current key's
	keys  []*sealKey
	nkeys []nkeys.KeyPair // what a laptop proves to a relay, one per key, in the keys' order
}

func newKeyring(ws *app.Workspace) (*keyring, error) {
	kr := &keyring{ws: ws.ID, epoch: ws.Epoch}
	secrets := [][]byte{ws.Secret}
	for _, s := range slices.Backward(ws.Past) {
		secrets = append(secrets, s)
	}
	for _, secret := range secrets {
		if len(secret) < joinKeySize {
			return nil, &app.Error{Op: "relay", Kind: app.Invalid, Msg: "the workspace's join key is too short"}
		}
		out, err := hkdf.Key(sha256.New, secret[:joinKeySize], nil, keyInfo+string(ws.ID), chacha20poly1305.KeySize+8)
		if err != nil {
			return nil, err
		}
		aead, err := chacha20poly1305.NewX(out[:chacha20poly1305.KeySize])
		if err != nil {
			return nil, err
		}
		k := &sealKey{aead: aead}
		copy(k.id[:], out[chacha20poly1305.KeySize:])
		kr.keys = append(kr.keys, k)
		seed, err := hkdf.Key(sha256.New, secret[:joinKeySize], nil, nkeyInfo+string(ws.ID), 32)
		if err != nil {
			return nil, err
		}
		kp, err := nkeys.FromRawSeed(nkeys.PrefixByteUser, seed)
		if err != nil {
			return nil, err
		}
		kr.nkeys = append(kr.nkeys, kp)
	}
	return kr, nil
}

// nkey returns the public key a laptop connects to a relay with (its
// current join key's), and the signature callback that signs the
// relay's nonce with it and keeps, for proofs, the signatures of the
// nonce by the keys of its earlier join keys (at most maxKeys in all).
func (kr *keyring) nkey() (string, nats.SignatureHandler, func() string) {
	pub, _ := kr.nkeys[0].PublicKey()
	var proofs string
	sign := func(nonce []byte) ([]byte, error) {
		var others []string
		for _, kp := range kr.nkeys[1:min(len(kr.nkeys), maxKeys)] {
			p, _ := kp.PublicKey()
			sig, err := kp.Sign(nonce)
			if err != nil {
				return nil, err
			}
			others = append(others, p+"."+base64.RawURLEncoding.EncodeToString(sig))
		}
		proofs = strings.Join(others, ",")
		return kr.nkeys[0].Sign(nonce)
	}
	return pub, sign, func() string { return proofs }
}

// ad is the associated data of the operation at dev/seq: the operation's
// address in its workspace, so that a message moved to another subject,
// given another sequence number or put in another workspace's stream does
// not open.
func (kr *keyring) ad(dev app.DeviceID, seq uint64) []byte {
	b := make([]byte, 0, len(keyInfo)+len(kr.ws)+len(dev)+11)
	b = append(b, keyInfo...)
	b = append(b, 0)
	b = append(b, kr.ws...)
	b = append(b, 0)
	b = append(b, dev...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint64(b, seq)
}

// sealOp returns the payload carrying op, the encoded operation at
// dev/seq, sealed with the current key; a removal that started an epoch
// is sealed with the key before that epoch, so that laptops that have not
// heard of it yet open it, and take the new key from it.
func (kr *keyring) sealOp(dev app.DeviceID, seq uint64, op []byte) []byte {
	if o, err := app.DecodeOp(op); err == nil && o.Type == app.OpRole && o.Role != nil && o.Role.Epoch > 0 && o.Role.Epoch <= kr.epoch {
		if i := int(kr.epoch - o.Role.Epoch + 1); i < len(kr.keys) { // keys hold one per epoch, newest first, as far as this laptop went through them
			return kr.sealWith(kr.keys[i], dev, seq, op)
		}
	}
	return kr.seal(dev, seq, op)
}

// seal returns the payload carrying op, the encoded operation at dev/seq,
// sealed with the current key: version, key id, nonce, ciphertext.
func (kr *keyring) seal(dev app.DeviceID, seq uint64, op []byte) []byte {
	return kr.sealWith(kr.keys[0], dev, seq, op)
}

func (kr *keyring) sealWith(k *sealKey, dev app.DeviceID, seq uint64, op []byte) []byte {
	out := make([]byte, 1+8+chacha20poly1305.NonceSizeX, len(op)+overhead)
	out[0] = version
	copy(out[1:9], k.id[:])
	nonce := out[9:]
	rand.Read(nonce)
	return k.aead.Seal(out, nonce, op, kr.ad(dev, seq))
}

var (
	errVersion = errors.New("not a payload of this version of the relay format")
	errKey     = errors.New("sealed with a key this laptop does not hold (another workspace, or a join key it never had)")
	errOpen    = errors.New("does not open: damaged, or sealed for another address")
)

// open returns the operation a payload carries, if it was sealed with one
// of the workspace's keys for dev/seq.
func (kr *keyring) open(dev app.DeviceID, seq uint64, payload []byte) ([]byte, error) {
	if len(payload) < overhead || payload[0] != version {
		return nil, errVersion
	}
	for _, k := range kr.keys {
		if [8]byte(payload[1:9]) != k.id {
			continue
		}
		op, err := k.aead.Open(nil, payload[9:9+chacha20poly1305.NonceSizeX], payload[9+chacha20poly1305.NonceSizeX:], kr.ad(dev, seq))
		if err != nil {
			return nil, errOpen
		}
		return op, nil
	}
	return nil, errKey
}

// parseSeq reads a message's sequence header.
func parseSeq(s string) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}
