package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/invite"
)

func init() {
	commands = append(commands,
		command{"invite", "print the join code other laptops join this workspace with", false, cmdInvite},
		command{"join", "join a workspace on a fresh data directory: join CODE [--peer HOST:PORT]...", true, cmdJoin},
		command{"sync", "sync with peers: sync [--listen ADDR] [--peer HOST:PORT]... [--once] [--no-mdns]; through a relay: sync --relay URL [--once] [--replicas N]", false, cmdSync},
		command{"peers", "list the peers this laptop has synced with: peers [--json]", false, cmdPeers},
	)
}

// addrList is a repeatable flag of peer addresses.
type addrList []string

func (l *addrList) String() string { return strings.Join(*l, ",") }
func (l *addrList) Set(s string) error {
	for _, a := range list(s) {
		if !strings.Contains(a, ":") {
			a += fmt.Sprintf(":%d", app.DefaultSyncPort)
		}
		*l = append(*l, a)
	}
	return nil
}

// replicator makes the sync service main provides.
func (c *ctx) replicator(o app.SyncOptions) (app.Replicator, error) {
	if c.env.Sync == nil {
		return nil, errors.New("sync: this build has no sync")
	}
	return c.env.Sync(c.svc, o)
}

// syncLog logs sync events to stderr for a person to read.
func syncLog(c *ctx) *slog.Logger {
	return slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func cmdInvite(c *ctx, args []string) error {
	fs := newFlags(c, "invite")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ws := c.svc.Workspace()
	if ws == nil {
		return &app.Error{Op: "invite", Kind: app.NotInitialized, Msg: "no workspace here yet"}
	}
	fmt.Fprintf(c.env.Stderr, "Join code of %q. Whoever has it can read and write everything in this workspace:\n", ws.Title)
	c.out("%s\n", invite.Encode(string(ws.ID), ws.Secret))
	fmt.Fprintf(c.env.Stderr, "On the other laptop: consulta join CODE --peer THIS-LAPTOP:%d\n", app.DefaultSyncPort)
	return nil
}

// cmdJoin makes this laptop a member of the workspace of a join code, and
// keeps the membership only once a member laptop has accepted the code and
// synced with it: only a member can tell a right code from one of another
// workspace, and a laptop left joined to nobody would hold an empty
// workspace named after an id and refuse the next join. So the workspace is
// joined in a new directory beside the data directory, which takes the
// data directory's place after the first sync; whatever fails, the data
// directory is as it was, and join can simply be run again. The exit
// statuses are in docs/CLI.md.
func cmdJoin(c *ctx, args []string) error {
	fs := newFlags(c, "join")
	var peers addrList
	fs.Var(&peers, "peer", "a member laptop to sync with first, HOST:PORT (repeatable; default: look on the local network)")
	noMDNS := fs.Bool("no-mdns", false, "do not look for peers on the local network")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("join needs the join code: consulta join CODE [--peer HOST:PORT]")
	}
	id, key, err := invite.Decode(strings.Join(pos, ""))
	if err != nil {
		return &app.Error{Op: "join", Kind: app.Invalid, Err: err}
	}
	dir := filepath.Clean(c.dir)
	replace, err := checkFresh(c, dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return &app.Error{Op: "join", Msg: "cannot create the data directory", Err: err}
	}
	stage, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".joining-")
	if err != nil {
		return &app.Error{Op: "join", Msg: "cannot create the data directory", Err: err}
	}
	defer os.RemoveAll(stage) // gone by then when the join succeeded
	svc, closeFn, err := c.env.Open(stage, c.pass)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			closeFn()
		}
	}()
	if _, err := svc.Join(app.WorkspaceID(id), key, ""); err != nil {
		return err
	}
	c.svc = svc
	r, err := c.replicator(app.SyncOptions{Log: syncLog(c)})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	peers = peersToSync(ctx, r, peers, *noMDNS)
	if len(peers) == 0 {
		how := "no member laptop of this workspace was found on the local network"
		if *noMDNS {
			how = "no member laptop was given with --peer, and --no-mdns looks for none"
		}
		return &statusError{status: exitNoPeer, err: fmt.Errorf("join: not joined: %s; nothing was kept. "+
			"Run join again once a member laptop runs Consulta on this network, or name one with --peer HOST:PORT", how)}
	}
	syncErr := r.SyncOnce(ctx, peers)
	failed := peerErrors(syncErr)
	if len(failed) >= len(peers) {
		hint := "check that the laptop there runs Consulta (the desktop app, or consulta sync) and that the address is right"
		for _, e := range failed {
			var op *net.OpError
			if !errors.As(e, &op) || op.Op != "dial" {
				hint = "a laptop that refuses the code is of another workspace, or the code is an old one: ask a member for it again (consulta invite)"
			}
		}
		return fmt.Errorf("join: not joined: no member laptop synced with this one; nothing was kept:\n  %s\n%s; then run join again",
			strings.Join(errorLines(failed), "\n  "), hint)
	}
	for _, e := range failed {
		fmt.Fprintf(c.env.Stderr, "consulta: join: %v\n", e)
	}
	ws := svc.Workspace()
	v, _ := svc.Vector()
	closed = true
	if err := closeFn(); err != nil {
		return err
	}
	if err := putInPlace(stage, dir, replace); err != nil {
		return &app.Error{Op: "join", Msg: "cannot put the joined workspace in place", Err: err}
	}
	fmt.Fprintf(c.env.Stderr, "joined workspace %q (%s) in %s and synced: this laptop holds %s\n",
		ws.Title, ws.ID, dir, count(total(v), "operation"))
	c.out("%s\n", ws.Title)
	return nil
}

// checkFresh returns nil when dir is somewhere to join a workspace into:
// it does not exist, it is empty, or it holds a store with no workspace
// (the desktop app's first run, left before creating or joining one), which
// the joined one is to replace.
func checkFresh(c *ctx, dir string) (replace bool, err error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) || err == nil && len(entries) == 0 {
		return false, nil
	}
	svc, closeFn, err := c.env.Open(dir, c.pass) // refuses a directory of other files
	if err != nil {
		return false, err
	}
	defer closeFn()
	if ws := svc.Workspace(); ws != nil {
		return false, &app.Error{Op: "join", Kind: app.Exist, Msg: fmt.Sprintf("this data directory already holds workspace %q (%s)", ws.Title, ws.ID)}
	}
	return true, nil
}

// putInPlace moves the joined store from stage to dir, where checkFresh
// found nothing, an empty directory or (replace) a store with no
// workspace.
func putInPlace(stage, dir string, replace bool) error {
	if !replace {
		if err := os.Remove(dir); err != nil && !os.IsNotExist(err) {
			return err
		}
		return os.Rename(stage, dir)
	}
	old := stage + ".replaced"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(stage, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}

// peerErrors returns one error per peer that SyncOnce failed with (it
// joins them with errors.Join).
func peerErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func errorLines(errs []error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = strings.ReplaceAll(e.Error(), "\n", "; ")
	}
	return out
}

func cmdSync(c *ctx, args []string) error {
	fs := newFlags(c, "sync")
	var peers addrList
	fs.Var(&peers, "peer", "a peer to sync with, HOST:PORT (repeatable)")
	fs.Var(&peers, "connect", "same as --peer")
	listen := fs.String("listen", fmt.Sprintf(":%d", app.DefaultSyncPort), "address to accept peers on; empty: none")
	once := fs.Bool("once", false, "sync with the peers until nothing is left to exchange, then exit")
	noMDNS := fs.Bool("no-mdns", false, "neither announce nor look for peers on the local network")
	relayURL := fs.String("relay", "", "sync through the relay at this NATS URL (nats://HOST:4222, tls://..., several comma-separated) instead of peers")
	replicas := fs.Int("replicas", 1, "--relay: copies of the workspace's stream when this laptop makes it, on a NATS server that is not a Consulta relay (a Consulta relay makes streams with its own --replicas)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *relayURL != "" {
		if *replicas < 1 || *replicas > 5 {
			return usagef("--replicas is 1 to 5, not %d", *replicas)
		}
		return syncRelay(c, *relayURL, *once, *replicas)
	}
	if *once {
		return syncOnce(c, peers, *noMDNS)
	}
	r, err := c.replicator(app.SyncOptions{Listen: *listen, Peers: peers, Discovery: !*noMDNS, Log: syncLog(c)})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(c.env.Stderr, "syncing workspace %q; Ctrl-C to stop\n", c.svc.Workspace().Title)
	return r.Serve(ctx)
}

// syncOnce syncs with peers, or with the remembered and discovered ones
// when none are given, until nothing is left to exchange.
func syncOnce(c *ctx, peers []string, noMDNS bool) error {
	r, err := c.replicator(app.SyncOptions{Log: syncLog(c)})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	peers = peersToSync(ctx, r, peers, noMDNS)
	if len(peers) == 0 {
		return errors.New("sync: no peer to sync with: give one with --peer HOST:PORT")
	}
	before, _ := c.svc.Vector()
	err = r.SyncOnce(ctx, peers)
	after, _ := c.svc.Vector()
	fmt.Fprintf(c.env.Stderr, "received %s; this laptop now holds %d\n", count(total(after)-total(before), "operation"), total(after))
	return err
}

// peersToSync returns peers, or when none are given the remembered ones
// and, unless noMDNS, those found on the local network.
func peersToSync(ctx context.Context, r app.Replicator, peers []string, noMDNS bool) []string {
	if len(peers) > 0 {
		return peers
	}
	if known, err := r.Peers(); err == nil {
		for _, p := range known {
			if p.Addr != "" {
				peers = append(peers, p.Addr)
			}
		}
	}
	if !noMDNS {
		found, _ := r.Discover(ctx, 3*time.Second)
		for _, a := range found {
			if !contains(peers, a) {
				peers = append(peers, a)
			}
		}
	}
	return peers
}

func total(v app.Vector) int {
	n := 0
	for _, k := range v {
		n += int(k)
	}
	return n
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func cmdPeers(c *ctx, args []string) error {
	fs := newFlags(c, "peers")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if c.svc.Workspace() == nil {
		return &app.Error{Op: "peers", Kind: app.NotInitialized, Msg: "no workspace here yet"}
	}
	r, err := c.replicator(app.SyncOptions{})
	if err != nil {
		return err
	}
	peers, err := r.Peers()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		if peers == nil {
			peers = []app.Peer{}
		}
		return enc.Encode(peers)
	}
	if len(peers) == 0 {
		fmt.Fprintln(c.env.Stderr, "no peers yet; sync with one: consulta sync --peer HOST:PORT")
		return nil
	}
	for _, p := range peers {
		addr := p.Addr
		if addr == "" {
			addr = "(does not listen)"
		}
		last := "never"
		if !p.LastSync.IsZero() {
			last = p.LastSync.Local().Format("2006-01-02 15:04")
		}
		c.out("%-16s %-22s %-24s last sync %s\n", p.Device, p.Name, addr, last)
	}
	return nil
}
