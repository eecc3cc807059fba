package cli

import (
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
)

func init() {
	commands = append(commands,
		command{"protect", "protect the data with a passphrase, or change it: [--passphrase-file F] protect [--new-passphrase-file F2]", true, cmdProtect},
	)
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
	if !storage.IsProtected(c.dir) {
		if len(c.pass) == 0 {
			return usagef("give the passphrase to protect the data with: consulta --passphrase-file F protect (or set CONSULTA_PASSPHRASE)")
		}
		if err := storage.Protect(c.dir, c.pass, func(s string) { fmt.Fprintln(c.env.Stderr, s) }); err != nil {
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
	if err := storage.ChangePassphrase(c.dir, c.pass, newPass); err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stderr, "the passphrase is changed")
	return nil
}
