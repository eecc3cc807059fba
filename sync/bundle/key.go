package bundle

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/cartagena-c40/consulta/app"
)

// joinKeySize is how many bytes of the workspace secret invitations carry
// (sync/transport.JoinKeySize): every member holds exactly those.
const joinKeySize = 16

// keyInfo starts the HKDF info; the workspace id follows.
const keyInfo = "consulta bundle v1\x00"

// bundleKey is one join key's sealing key and the id a header names it by.
type bundleKey struct {
	aead    cipher.AEAD
	id      [8]byte
	current bool // the workspace's current key, not a past one
}

// deriveKey derives the bundle key of one workspace secret.
func deriveKey(ws app.WorkspaceID, secret []byte) (*bundleKey, error) {
	if len(secret) < joinKeySize {
		return nil, &app.Error{Kind: app.Invalid, Msg: "the workspace's join key is too short"}
	}
	out, err := hkdf.Key(sha256.New, secret[:joinKeySize], nil, keyInfo+string(ws), chacha20poly1305.KeySize+8)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(out[:chacha20poly1305.KeySize])
	if err != nil {
		return nil, err
	}
	k := &bundleKey{aead: aead}
	copy(k.id[:], out[chacha20poly1305.KeySize:])
	return k, nil
}

// keyring is the keys a laptop opens bundles with: the current one first,
// then the past ones, newest first.
func keyring(ws *app.Workspace) ([]*bundleKey, error) {
	secrets := [][]byte{ws.Secret}
	for _, s := range slices.Backward(ws.Past) {
		secrets = append(secrets, s)
	}
	var keys []*bundleKey
	for i, s := range secrets {
		k, err := deriveKey(ws.ID, s)
		if err != nil {
			return nil, err
		}
		k.current = i == 0
		keys = append(keys, k)
	}
	return keys, nil
}

// find returns the key whose id is id, or nil.
func find(keys []*bundleKey, id [8]byte) *bundleKey {
	for _, k := range keys {
		if k.id == id {
			return k
		}
	}
	return nil
}
