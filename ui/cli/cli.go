package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/ui/buildinfo"
)

// Env is what the CLI needs from its process.
type Env struct {
	Stdin  io.Reader // nil when stdin is a terminal: no body is read from it
	Stdout io.Writer
	Stderr io.Writer
	// Open opens the data directory dir, with its passphrase if it is
	// protected (nil otherwise; given for a new directory, it creates it
	// protected), and returns the service over it and a function that
	// closes it.
	Open func(dir string, passphrase []byte) (*app.Service, func() error, error)
	// Desktop starts the desktop app over dir; nil where there is none. A
	// nil passphrase for a protected directory makes it ask for one.
	Desktop func(dir string, passphrase []byte) error
	// Sync makes the service that syncs with peers (sync/replication).
	Sync app.NewReplicator
	// Dirs protects, re-keys and restores data directories while they are
	// closed (storage.DataDirs); nil where there is none.
	Dirs app.DataDirs
	// Build names this build (consulta version).
	Build buildinfo.Info
}

// Exit statuses.
const (
	exitOK     = 0
	exitError  = 1
	exitUsage  = 2
	exitNoPeer = 3 // join found no member laptop to join through: nothing was kept; try again later
)

// statusError is an error that exits with a status of its own.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// usageError is a mistake in how a command was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// DefaultDataDir is where the workspace lives unless --data says otherwise:
// a folder "consulta" in the user's configuration directory, as
// os.UserConfigDir names it (%AppData% on Windows, ~/Library/Application
// Support on macOS, $XDG_CONFIG_HOME or ~/.config elsewhere).
func DefaultDataDir() string { return dataDir(runtime.GOOS, os.Getenv) }

// dataDir is DefaultDataDir for the system goos with the environment
// getenv, so that a test on Linux can check where a Windows laptop keeps its
// data. It follows os.UserConfigDir and joins with goos's own separator;
// without the variables it needs, the data stays in "consulta-data" in the
// working directory.
func dataDir(goos string, getenv func(string) string) string {
	const name, fallback = "consulta", "consulta-data"
	var base string
	switch goos {
	case "windows":
		base = getenv("AppData")
		if base == "" {
			return fallback
		}
		// Windows accepts both separators; a trailing one ("C:\") stays.
		if !strings.HasSuffix(base, `\`) && !strings.HasSuffix(base, "/") {
			base += `\`
		}
		return base + name
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			base = path.Join(h, "Library", "Application Support")
		}
	case "plan9":
		if h := getenv("home"); h != "" {
			base = path.Join(h, "lib")
		}
	default:
		base = getenv("XDG_CONFIG_HOME")
		if base == "" {
			if h := getenv("HOME"); h != "" {
				base = path.Join(h, ".config")
			}
		} else if !path.IsAbs(base) {
			base = "" // os.UserConfigDir refuses a relative one
		}
	}
	if base == "" {
		return fallback
	}
	return path.Join(base, name)
}

type command struct {
	name    string
	summary string
	noStore bool // runs without opening the data directory
	run     func(c *ctx, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"init", "create the workspace: init --title T", false, cmdInit},
		{"add", "add a record: add meeting|note|proposal|input --title T [fields]", false, cmdAdd},
		{"list", "list records: list [filters] [--limit N] [--json]", false, cmdList},
		{"show", "show one record: show ID [--json] [--history]", false, cmdShow},
		{"edit", "change fields of a record: edit ID [fields]", false, cmdEdit},
		{"withdraw", "withdraw a record: withdraw ID", false, cmdWithdraw},
		{"stats", "count records per theme, sub-region, kind, status: stats [filters] [--json]", false, cmdStats},
		{"taxonomy", "print the themes, sub-regions, countries and groups: taxonomy [--json] [--lang L]", true, cmdTaxonomy},
		{"demo", "load sample data: demo --records N [--seed S]", false, cmdDemo},
		{"merge", "merge proposals or inputs into a consolidated proposal: merge ID ID... --title T [--body B | --body-file F]", false, cmdMerge},
		{"unmerge", "undo a merge: unmerge ID (of the consolidated proposal)", false, cmdUnmerge},
		{"conflicts", "list the records that need attention: conflicts [--json]", false, cmdConflicts},
		{"resolve", "settle a conflict: resolve ID (--body B | --body-file F | --take N)", false, cmdResolve},
		{"comment", "comment on a record: comment ID --body B", false, cmdComment},
		{"support", "support (endorse) a proposal or input: support ID [--name N] [--undo]", false, cmdSupport},
		{"export", "export as a document or spreadsheet: export --format docx|pdf|xlsx|csv|json|md --out FILE [filters] [--lang L] [--include-notes] [--include-withdrawn] [--hxl] [--bom]; a drafting document: export --doc compilation|revision|changes|status ... (draft export)", false, cmdExport},
		{"import", "read a bundle or a JSON export into this data directory: import FILE", false, cmdImport},
		{"bundle", "write the operations another laptop lacks to a file for a USB stick: bundle --out FILE [--since VECTOR-FILE]", false, cmdBundle},
		{"vector", "write what this laptop holds, for bundle --since on another: vector [--out FILE]", false, cmdVector},
	}
}

// ctx carries one invocation's environment and open service.
type ctx struct {
	env  *Env
	dir  string
	pass []byte // the data directory's passphrase, if given
	svc  *app.Service
}

// readPassphrase reads a passphrase from file (its first line), or else
// from the environment variable env; nil when neither is given.
func readPassphrase(file, env string) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, &app.Error{Op: "passphrase", Kind: app.Invalid, Msg: fmt.Sprintf("cannot read the passphrase file %s", file), Err: err}
		}
		line, _, _ := strings.Cut(string(b), "\n")
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			return nil, &app.Error{Op: "passphrase", Kind: app.Invalid, Msg: fmt.Sprintf("the passphrase file %s is empty", file)}
		}
		return []byte(line), nil
	}
	if v := os.Getenv(env); v != "" {
		return []byte(v), nil
	}
	return nil, nil
}

func (c *ctx) out(format string, a ...any) { fmt.Fprintf(c.env.Stdout, format, a...) }

// Run runs the command line args (without the program name) and returns
// the exit status.
func Run(env *Env, args []string) int {
	global := flag.NewFlagSet("consulta", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	dir := global.String("data", DefaultDataDir(), "data directory holding the workspace")
	passFile := global.String("passphrase-file", "", "file holding the passphrase of a protected data directory (or set CONSULTA_PASSPHRASE)")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(env.Stdout)
			return exitOK
		}
		fmt.Fprintf(env.Stderr, "consulta: %v\n", err)
		usage(env.Stderr)
		return exitUsage
	}
	args = global.Args()
	pass, err := readPassphrase(*passFile, "CONSULTA_PASSPHRASE")
	if err != nil {
		return report(env, err)
	}
	if len(args) == 0 {
		if env.Desktop == nil {
			usage(env.Stdout)
			return exitOK
		}
		if err := env.Desktop(*dir, pass); err != nil {
			fmt.Fprintf(env.Stderr, "consulta: %v\n", err)
			return exitError
		}
		return exitOK
	}
	if args[0] == "help" || args[0] == "-h" {
		usage(env.Stdout)
		return exitOK
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == args[0] {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(env.Stderr, "consulta: unknown command %q\n", args[0])
		usage(env.Stderr)
		return exitUsage
	}
	c := &ctx{env: env, dir: *dir, pass: pass}
	if !cmd.noStore {
		if _, err := os.Stat(*dir); os.IsNotExist(err) && cmd.name != "init" && cmd.name != "demo" && cmd.name != "import" && cmd.name != "restore" {
			fmt.Fprintf(env.Stderr, "consulta: no workspace in %s yet; create one with: consulta --data %s init --title \"Cartagena +40\"\n", *dir, *dir)
			return exitUsage
		}
		svc, closeFn, err := env.Open(*dir, pass)
		if err != nil {
			return report(env, err)
		}
		defer closeFn()
		c.svc = svc
	}
	return report(env, cmd.run(c, args[1:]))
}

// report prints err and maps it to an exit status.
func report(env *Env, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(env.Stderr, "consulta: %v\n", err)
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	switch app.KindOf(err) {
	case app.Invalid, app.NotFound, app.Exist, app.NotInitialized, app.Passphrase, app.Forbidden:
		return exitUsage
	}
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Consulta: consultation notes, proposals and inputs for the Cartagena +40 process.")
	fmt.Fprintln(w, "\nUsage: consulta [--data DIR] [COMMAND [flags]]")
	fmt.Fprintln(w, "With no command, consulta opens the desktop app.")
	fmt.Fprintf(w, "--data defaults to %s\n\nCommands:\n", DefaultDataDir())
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'consulta COMMAND -h' for a command's flags. See docs/CLI.md.")
}

// newFlags returns a flag set for a command whose errors are returned, not
// printed and exited on.
func newFlags(c *ctx, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	return fs
}

// parse parses flags that may come before or after positional arguments,
// and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// list splits a comma-separated flag value.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
