package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

func init() {
	commands = append(commands,
		command{"protect", "protect the data with a passphrase, or change it: [--passphrase-file F] protect [--new-passphrase-file F2]", true, cmdProtect},
	)
}

// dirs is what protects, re-keys and restores data directories, which
// main wires (Env.Dirs).
func (c *ctx) dirs(op string) (app.DataDirs, error) {
	if c.env.Dirs == nil {
		return nil, &app.Error{Op: op, Msg: "this build cannot protect, back up or restore a data directory"}
	}
	return c.env.Dirs, nil
}

// cmdProtect encrypts an unprotected data directory under the passphrase
// given globally, or changes a protected one's passphrase (the global one
// is the current passphrase, --new-passphrase-file or
// CONSULTA_NEW_PASSPHRASE the new one).
func cmdProtect(c *ctx, args []string) error {
	fs := newFlags(c, "protect")
	newFile := fs.String("new-passphrase-file", "", "file holding the new passphrase (or set CONSULTA_NEW_PASSPHRASE), to change it")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("protect takes no arguments")
	}
	dirs, err := c.dirs("protect")
	if err != nil {
		return err
	}
	if !dirs.IsProtected(c.dir) {
		if len(c.pass) == 0 {
			return usagef("give the passphrase to protect the data with: consulta --passphrase-file F protect (or set CONSULTA_PASSPHRASE)")
		}
		if err := dirs.Protect(c.dir, c.pass, func(s string) { fmt.Fprintln(c.env.Stderr, s) }); err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stderr, "%s is protected: it opens only with the passphrase. Keep the passphrase safe: without it the data cannot be read.\n", c.dir)
		return nil
	}
	newPass, err := readPassphrase(*newFile, "CONSULTA_NEW_PASSPHRASE")
	if err != nil {
		return err
	}
	if len(newPass) == 0 {
		return &app.Error{Op: "protect", Kind: app.Invalid, Msg: fmt.Sprintf("%s is protected already; to change its passphrase give the new one with --new-passphrase-file F (or CONSULTA_NEW_PASSPHRASE)", c.dir)}
	}
	if err := dirs.ChangePassphrase(c.dir, c.pass, newPass); err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stderr, "the passphrase is changed")
	return nil
}

func init() {
	commands = append(commands,
		command{"backup", "write a backup of the data directory: backup --out FILE", false, cmdBackup},
		command{"restore", "recreate a data directory from a backup: [--data NEW-DIR] restore FILE", true, cmdRestore},
		command{"check", "verify the store: operations, records, indexes: check [--json]", false, cmdCheck},
	)
}

func cmdBackup(c *ctx, args []string) error {
	fs := newFlags(c, "backup")
	out := fs.String("out", "", "the backup file to write")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *out == "" {
		return usagef("backup needs --out FILE and no arguments")
	}
	dirs, err := c.dirs("backup")
	if err != nil {
		return err
	}
	var pass []byte
	if dirs.IsProtected(c.dir) {
		pass = c.pass // a protected workspace's backup is encrypted under the same passphrase
	}
	started := time.Now()
	if err := export.WriteFile(*out, func(w io.Writer) error { return c.svc.Backup(w, pass) }); err != nil {
		return err
	}
	if err := c.svc.BackupDone(started); err != nil {
		return err
	}
	st, _ := os.Stat(*out)
	how := "not encrypted (the data directory is not protected)"
	if pass != nil {
		how = "encrypted under the workspace's passphrase"
	}
	fmt.Fprintf(c.env.Stderr, "wrote %s (%d bytes), %s\n", *out, st.Size(), how)
	return nil
}

func cmdRestore(c *ctx, args []string) error {
	pos, err := parse(newFlags(c, "restore"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("restore needs one backup file: consulta --data NEW-DIR restore FILE")
	}
	dirs, err := c.dirs("restore")
	if err != nil {
		return err
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return &app.Error{Op: "restore", Kind: app.Invalid, Msg: fmt.Sprintf("cannot read %s", pos[0]), Err: err}
	}
	defer f.Close()
	if err := dirs.Restore(c.dir, f, c.pass); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "restored into %s\n", c.dir)
	return nil
}

func cmdCheck(c *ctx, args []string) error {
	fs := newFlags(c, "check")
	asJSON := fs.Bool("json", false, "print a JSON object")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	rep, err := c.svc.Check()
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(c.env.Stdout, rep); err != nil {
			return err
		}
	} else {
		c.out("%s of %s (%s checked, the hash chains vouch for the rest), %s\n",
			count(rep.Operations, "operation"), count(rep.Devices, "device"),
			count(rep.Signatures, "signature"), count(rep.Records, "record"))
		for _, p := range rep.Problems {
			c.out("PROBLEM: %s\n", p)
		}
		if len(rep.Problems) == 0 {
			c.out("no problems found\n")
		}
	}
	if len(rep.Problems) > 0 {
		return &app.Error{Op: "check", Kind: app.Corrupt, Msg: fmt.Sprintf("%d problems found", len(rep.Problems))}
	}
	return nil
}

// count is n and noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
