package storage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"
	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
	"github.com/klauspost/compress/s2"
)

// A backup file is backupMagic followed by Badger's backup stream (every
// key and value at one read timestamp: a consistent snapshot taken while
// people keep writing), compressed with S2. When the data directory is
// protected the whole file is encrypted with age (filippo.io/age) under
// the same passphrase (scrypt), so a backup gives away no more than the
// laptop it came from.
const backupMagic = "CONSULTA-BACKUP 1\n"

const ageMagic = "age-encryption.org/v1"

// Backup writes a backup of the store to w, encrypted under pass when pass
// is set (give the store's passphrase for a protected store).
func (s *Store) Backup(w io.Writer, pass []byte) error {
	out := w
	var enc io.WriteCloser
	if len(pass) > 0 {
		r, err := age.NewScryptRecipient(string(pass))
		if err != nil {
			return err
		}
		r.SetWorkFactor(16) // about 0.2 s here: a backup is opened rarely
		if enc, err = age.Encrypt(w, r); err != nil {
			return err
		}
		out = enc
	}
	if _, err := io.WriteString(out, backupMagic); err != nil {
		return err
	}
	zw := s2.NewWriter(out)
	s.dbMu.RLock()
	_, err := s.db.Backup(zw, 0)
	s.dbMu.RUnlock()
	if err != nil {
		return &app.Error{Op: "backup", Msg: "reading the store for the backup", Err: err}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if enc != nil {
		return enc.Close()
	}
	return nil
}

// Restore recreates, in dir, which must be empty or not exist, the store a
// backup holds: the identical workspace, written from now on by a new
// device. The laptop the backup came from may still be writing (a backup
// copied to a colleague's laptop), or peers may hold what it wrote after
// the backup: with its identity, the restored directory would write new
// operations at sequence numbers those already use, and every peer would
// refuse them and stop syncing with it. The new device is named after
// this computer, as any new one is, and the app announces it when it opens
// the directory. An encrypted backup needs its passphrase, and gives a
// protected data directory under it. Errors: app.Passphrase, app.Invalid
// (not a backup, or dir not empty), app.Corrupt (a damaged backup; dir is
// removed).
func Restore(dir string, r io.Reader, pass []byte) error {
	const op = "restore"
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return &app.Error{Op: op, Kind: app.Invalid, Msg: fmt.Sprintf("%s is not empty; restore into a new folder", dir)}
	}
	in, encrypted, err := openBackup(r, pass)
	if err != nil {
		return err
	}
	created := false
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &app.Error{Op: op, Kind: app.Invalid, Msg: fmt.Sprintf("cannot create %s", dir), Err: err}
	}
	var restorePass []byte
	if encrypted {
		restorePass = pass
	}
	st, err := loadBackup(dir, in, restorePass)
	if err != nil {
		cleanUpRestore(dir, created)
		return &app.Error{Op: op, Kind: app.Corrupt, Msg: "the backup could not be read whole; nothing was restored", Err: err}
	}
	if err := newDevice(st); err != nil {
		cleanUpRestore(dir, created)
		return &app.Error{Op: op, Msg: fmt.Sprintf("the restored store could not be given a device of its own in %s; nothing was restored", dir), Err: err}
	}
	return nil
}

// openBackup reads a backup's head from r: it returns the backup stream
// after backupMagic, decrypted under pass when the backup is encrypted.
func openBackup(r io.Reader, pass []byte) (in io.Reader, encrypted bool, err error) {
	const op = "restore"
	br := bufio.NewReader(r)
	head, _ := br.Peek(len(ageMagic))
	in = br
	encrypted = string(head) == ageMagic
	if encrypted {
		if len(pass) == 0 {
			return nil, true, &app.Error{Op: op, Kind: app.Passphrase, Msg: "the backup is encrypted; give the passphrase of the workspace it was made from"}
		}
		id, err := age.NewScryptIdentity(string(pass))
		if err != nil {
			return nil, true, err
		}
		if in, err = age.Decrypt(br, id); err != nil {
			var nm *age.NoIdentityMatchError
			if errors.As(err, &nm) || errors.Is(err, age.ErrIncorrectIdentity) {
				return nil, true, &app.Error{Op: op, Kind: app.Passphrase, Msg: "wrong passphrase for this backup"}
			}
			return nil, true, &app.Error{Op: op, Kind: app.Corrupt, Msg: "the backup cannot be decrypted", Err: err}
		}
	}
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(in, magic); err != nil && encrypted {
		return nil, true, &app.Error{Op: op, Kind: app.Corrupt, Msg: "the backup is damaged or cut short", Err: err}
	} else if err != nil || !bytes.Equal(magic, []byte(backupMagic)) {
		return nil, encrypted, &app.Error{Op: op, Kind: app.Invalid, Msg: "the file is not a Consulta backup"}
	}
	return in, encrypted, nil
}

// loadBackup writes the backup stream in into a new store in dir,
// protected under pass when it is set, and opens it: it must hold a
// workspace.
func loadBackup(dir string, in io.Reader, pass []byte) (*Store, error) {
	key, err := storeKey(dir, pass)
	if err != nil {
		return nil, err
	}
	bo := badgerOptions(dir, Options{})
	if key != nil {
		bo = bo.WithEncryptionKey(key)
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, err
	}
	if err := db.Load(s2.NewReader(in), 256); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	st, err := Open(dir, Options{Passphrase: pass})
	if err != nil {
		return nil, err
	}
	if _, err := st.Workspace(); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// newDevice gives the restored store st a new identity, named after this
// computer, and closes it.
func newDevice(st *Store) error {
	old, err := st.Identity()
	if err == nil {
		name, herr := os.Hostname() // as for any new device (app.Service.Init)
		if herr != nil || name == "" {
			name = old.Name
		}
		var id *app.Identity
		if id, err = app.NewIdentity(name); err == nil {
			err = st.setIdentity(id)
		}
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// cleanUpRestore leaves nothing half restored behind in dir: it removes
// dir if Restore created it, else what Restore wrote into it.
func cleanUpRestore(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
	} else if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		for _, e := range entries {
			os.RemoveAll(dir + string(os.PathSeparator) + e.Name())
		}
	}
}
