package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"golang.org/x/crypto/argon2"
)

// A data directory protected by a passphrase is encrypted by Badger itself
// (AES-256; Badger encrypts its data keys with the key it is given, and
// every table, value log and write-ahead log with those). The key is
// derived from the passphrase with argon2id (golang.org/x/crypto/argon2);
// its salt and parameters are in KeyFileName, beside the store, with a
// check value so that a wrong passphrase is told apart before Badger opens
// anything. Everything in the store is under it: records, operations, the
// device's signing key and the workspace's join secret.

// KeyFileName is the file in a protected data directory that says how to
// derive its key from the passphrase. It holds no secret.
const KeyFileName = "consulta-key.json"

// kdfParams derive a 32-byte key from a passphrase.
type kdfParams struct {
	KDF     string `json:"kdf"` // argon2id
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memory_kib"`
	Threads uint8  `json:"threads"`
	Salt    []byte `json:"salt"`
	Check   []byte `json:"check"` // HMAC-SHA256(key, checkLabel): tells a wrong passphrase apart
}

const checkLabel = "consulta passphrase check"

// keyFile is KeyFileName's content.
type keyFile struct {
	Version int       `json:"version"`
	Current kdfParams `json:"current"`
	// Pending is a passphrase change under way: the new parameters, and
	// the old key sealed with the new one (AES-GCM). A change interrupted
	// at any point opens with the new passphrase, which finishes it.
	Pending *pendingKey `json:"pending,omitempty"`
}

type pendingKey struct {
	Params kdfParams `json:"params"`
	OldKey []byte    `json:"old_key"`
}

// The argon2id cost of new keys is the first choice of the OWASP Password
// Storage Cheat Sheet: 46 MiB and one pass (on two lanes, so that both cores
// fill the memory). On the 2-core machine here it takes 35 ms, or about
// 110 ms as the first call of a process, most of it the kernel mapping the
// memory; 64 MiB and three passes, used before, took 220 ms. The memory is
// what makes guessing on GPUs dear; more passes only add a fixed delay to
// every start. Existing key files keep their own costs.
var kdfCost = kdfParams{KDF: "argon2id", Time: 1, Memory: 46 << 10, Threads: 2}

func newParams(pass []byte) (kdfParams, []byte, error) {
	p := kdfCost
	p.Salt = make([]byte, 16)
	if _, err := rand.Read(p.Salt); err != nil {
		return p, nil, err
	}
	key := p.derive(pass)
	p.Check = checkValue(key)
	return p, key, nil
}

func (p kdfParams) derive(pass []byte) []byte {
	return argon2.IDKey(pass, p.Salt, p.Time, p.Memory, p.Threads, 32)
}

func checkValue(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(checkLabel))
	return m.Sum(nil)
}

// matches derives the key for pass and reports whether it is this one's.
func (p kdfParams) matches(pass []byte) ([]byte, bool) {
	if p.KDF != "argon2id" || len(p.Salt) < 16 || p.Time == 0 || p.Memory == 0 || p.Threads == 0 {
		return nil, false
	}
	key := p.derive(pass)
	return key, hmac.Equal(checkValue(key), p.Check)
}

// IsProtected reports whether the data directory dir is protected by a
// passphrase.
func IsProtected(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, KeyFileName))
	return err == nil
}

// DataDirs is app.DataDirs over this package's functions.
type DataDirs struct{}

var _ app.DataDirs = DataDirs{}

func (DataDirs) IsProtected(dir string) bool { return IsProtected(dir) }
func (DataDirs) Protect(dir string, pass []byte, progress func(string)) error {
	return Protect(dir, pass, progress)
}
func (DataDirs) ChangePassphrase(dir string, old, new []byte) error {
	return ChangePassphrase(dir, old, new)
}
func (DataDirs) Restore(dir string, r io.Reader, pass []byte) error { return Restore(dir, r, pass) }

func readKeyFile(dir string) (*keyFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, KeyFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &app.Error{Op: "open", Kind: app.Corrupt, Msg: fmt.Sprintf("cannot read %s", KeyFileName), Err: err}
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil || kf.Version != 1 {
		return nil, &app.Error{Op: "open", Kind: app.Corrupt, Msg: fmt.Sprintf("%s in %s is damaged; without it the data cannot be decrypted (restore a backup)", KeyFileName, dir), Err: err}
	}
	return &kf, nil
}

// writeKeyFile replaces the key file whole: a temporary file, fsync, rename.
func writeKeyFile(dir string, kf *keyFile) error {
	kf.Version = 1
	b, err := json.MarshalIndent(kf, "", " ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, KeyFileName+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, KeyFileName)); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func needPassphrase(dir string) error {
	return &app.Error{Op: "open", Kind: app.Passphrase, Msg: fmt.Sprintf("the data in %s is protected by a passphrase; give it (desktop: at start; command line: --passphrase-file F or CONSULTA_PASSPHRASE)", dir)}
}

func wrongPassphrase() error {
	return &app.Error{Op: "open", Kind: app.Passphrase, Msg: "wrong passphrase: nothing was opened or changed"}
}

// registryKey reports whether key opens the Badger key registry in dir.
func registryKey(dir string, key []byte) (bool, error) {
	reg, err := badger.OpenKeyRegistry(badger.KeyRegistryOptions{Dir: dir, ReadOnly: true, EncryptionKey: key})
	if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	reg.Close()
	return true, nil
}

// rotate re-encrypts the Badger key registry in dir from oldKey to newKey:
// Badger's data keys stay, so no data is rewritten.
func rotate(dir string, oldKey, newKey []byte) error {
	reg, err := badger.OpenKeyRegistry(badger.KeyRegistryOptions{Dir: dir, ReadOnly: true, EncryptionKey: oldKey})
	if err != nil {
		return err
	}
	defer reg.Close()
	return badger.WriteKeyRegistry(reg, badger.KeyRegistryOptions{Dir: dir, EncryptionKey: newKey})
}

// unlock returns the key that opens the protected store in dir, finishing
// a passphrase change that was interrupted.
func unlock(dir string, kf *keyFile, pass []byte) ([]byte, error) {
	if len(pass) == 0 {
		return nil, needPassphrase(dir)
	}
	if p := kf.Pending; p != nil {
		if newKey, ok := p.Params.matches(pass); ok {
			opens, err := registryKey(dir, newKey)
			if err != nil {
				return nil, err
			}
			if !opens {
				oldKey, err := unseal(newKey, p.OldKey)
				if err != nil {
					return nil, &app.Error{Op: "open", Kind: app.Corrupt, Msg: "the interrupted passphrase change cannot be finished", Err: err}
				}
				if err := rotate(dir, oldKey, newKey); err != nil {
					return nil, err
				}
			}
			if err := writeKeyFile(dir, &keyFile{Current: p.Params}); err != nil {
				return nil, err
			}
			return newKey, nil
		}
	}
	key, ok := kf.Current.matches(pass)
	if !ok {
		return nil, wrongPassphrase()
	}
	if kf.Pending != nil {
		if opens, err := registryKey(dir, key); err == nil && !opens {
			return nil, &app.Error{Op: "open", Kind: app.Passphrase, Msg: "the passphrase was being changed when Consulta stopped; give the new one"}
		}
	}
	return key, nil
}

// newGCM is AES-GCM under key, which seals a key with another.
func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func seal(key, plain []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plain, nil), nil
}

func unseal(key, sealed []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("sealed key too short")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], nil)
}

// ChangePassphrase re-keys the protected, closed store in dir from old to
// new without rewriting its data. It is safe to interrupt: the next start
// with the new passphrase finishes it.
func ChangePassphrase(dir string, old, new []byte) error {
	const op = "change passphrase"
	if len(new) == 0 {
		return &app.Error{Op: op, Kind: app.Invalid, Msg: "the new passphrase is empty"}
	}
	kf, err := readKeyFile(dir)
	if err != nil {
		return err
	}
	if kf == nil {
		return &app.Error{Op: op, Kind: app.Invalid, Msg: fmt.Sprintf("%s is not protected by a passphrase; protect it first", dir)}
	}
	lock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer lock.Close()
	oldKey, err := unlock(dir, kf, old)
	if err != nil {
		return err
	}
	p, newKey, err := newParams(new)
	if err != nil {
		return err
	}
	sealed, err := seal(newKey, oldKey)
	if err != nil {
		return err
	}
	cur, err := readKeyFile(dir) // unlock may have finished an earlier change
	if err != nil {
		return err
	}
	if err := writeKeyFile(dir, &keyFile{Current: cur.Current, Pending: &pendingKey{Params: p, OldKey: sealed}}); err != nil {
		return err
	}
	if err := rotate(dir, oldKey, newKey); err != nil {
		return err
	}
	return writeKeyFile(dir, &keyFile{Current: p})
}

// lockDir takes the lock Badger takes when it opens the store (see
// openLock), so that no Consulta opens the store while its key changes.
// Close releases it.
func lockDir(dir string) (io.Closer, error) {
	locked := &app.Error{Op: "change passphrase", Kind: app.Locked, Msg: fmt.Sprintf("the data directory %s is in use by another Consulta; close it first", dir)}
	f, err := openLock(dir)
	if err != nil {
		if heldElsewhere(err) {
			return nil, locked
		}
		return nil, err
	}
	if err := flock(f); err != nil {
		f.Close()
		if heldElsewhere(err) {
			return nil, locked
		}
		return nil, &app.Error{Op: "change passphrase", Kind: app.Locked, Msg: fmt.Sprintf("cannot lock the data directory %s", dir), Err: err}
	}
	return f, nil
}

// storeKey returns the encryption key of the store in dir: nil for an
// unprotected one, the key of a protected one, or, with a passphrase for a
// directory that holds no store yet, a new key, whose key file it writes.
func storeKey(dir string, pass []byte) ([]byte, error) {
	kf, err := readKeyFile(dir)
	if err != nil {
		return nil, err
	}
	if kf != nil {
		return unlock(dir, kf, pass)
	}
	if len(pass) == 0 {
		return nil, nil
	}
	if hasStore(dir) {
		return nil, &app.Error{Op: "open", Kind: app.Invalid, Msg: fmt.Sprintf("the data in %s is not protected by a passphrase; protect it first (consulta protect)", dir)}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p, key, err := newParams(pass)
	if err != nil {
		return nil, err
	}
	return key, writeKeyFile(dir, &keyFile{Current: p})
}

// hasStore reports whether dir holds a Badger store.
func hasStore(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil
}

// Protect encrypts the unprotected, closed store in dir under pass. Badger
// cannot encrypt a store in place, so the store is streamed into a new,
// encrypted one beside it, which then takes its place; the plaintext files
// are deleted (on a solid-state disk their blocks may survive until
// reused: protect a workspace when creating it where that matters).
func Protect(dir string, pass []byte, log func(string)) error {
	const op = "protect"
	switch {
	case len(pass) == 0:
		return &app.Error{Op: op, Kind: app.Invalid, Msg: "the passphrase is empty"}
	case IsProtected(dir):
		return &app.Error{Op: op, Kind: app.Invalid, Msg: fmt.Sprintf("%s is protected already; change its passphrase instead", dir)}
	case !hasStore(dir):
		return &app.Error{Op: op, Kind: app.NotInitialized, Msg: fmt.Sprintf("%s holds no Consulta data", dir)}
	}
	src, err := badger.Open(badgerOptions(dir, Options{}))
	if err != nil {
		return openError(dir, err)
	}
	tmp := dir + ".protecting"
	if err := os.RemoveAll(tmp); err != nil {
		src.Close()
		return err
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		src.Close()
		return err
	}
	fail := func(err error) error {
		os.RemoveAll(tmp)
		return &app.Error{Op: op, Msg: "the data could not be copied into an encrypted store; nothing was changed", Err: err}
	}
	p, key, err := newParams(pass)
	if err != nil {
		src.Close()
		return fail(err)
	}
	if err := writeKeyFile(tmp, &keyFile{Current: p}); err != nil {
		src.Close()
		return fail(err)
	}
	dst, err := badger.Open(badgerOptions(tmp, Options{}).WithEncryptionKey(key))
	if err != nil {
		src.Close()
		return fail(err)
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := src.Backup(pw, 0)
		pw.CloseWithError(err)
	}()
	err = dst.Load(pr, 256)
	pr.CloseWithError(err)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	old := dir + ".unprotected"
	if err := os.Rename(dir, old); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return fail(err)
	}
	if log != nil {
		log(fmt.Sprintf("deleting the unprotected copy %s", old))
	}
	return os.RemoveAll(old)
}
