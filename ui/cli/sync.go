package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
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
		command{"sync", "sync with peers: sync [--listen ADDR] [--peer HOST:PORT]... [--once] [--no-mdns]", false, cmdSync},
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
	svc, closeFn, err := c.env.Open(c.dir, c.pass)
	if err != nil {
		return err
	}
	defer closeFn()
	if _, err := svc.Join(app.WorkspaceID(id), key, ""); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "joined workspace %s in %s\n", id, c.dir)
	c.svc = svc
	if err := syncOnce(c, peers, *noMDNS); err != nil {
		fmt.Fprintf(c.env.Stderr, "this laptop is a member now; sync later with: consulta --data %s sync --once --peer HOST:PORT\n", c.dir)
		return err
	}
	c.out("%s\n", svc.Workspace().Title)
	return nil
}

func cmdSync(c *ctx, args []string) error {
	fs := newFlags(c, "sync")
	var peers addrList
	fs.Var(&peers, "peer", "a peer to sync with, HOST:PORT (repeatable)")
	fs.Var(&peers, "connect", "same as --peer")
	listen := fs.String("listen", fmt.Sprintf(":%d", app.DefaultSyncPort), "address to accept peers on; empty: none")
	once := fs.Bool("once", false, "sync with the peers until nothing is left to exchange, then exit")
	noMDNS := fs.Bool("no-mdns", false, "neither announce nor look for peers on the local network")
	if _, err := parse(fs, args); err != nil {
		return err
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
	if len(peers) == 0 {
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
	}
	if len(peers) == 0 {
		return errors.New("sync: no peer to sync with: give one with --peer HOST:PORT")
	}
	before, _ := c.svc.Vector()
	err = r.SyncOnce(ctx, peers)
	after, _ := c.svc.Vector()
	fmt.Fprintf(c.env.Stderr, "received %s; this laptop now holds %d\n", count(total(after)-total(before), "operation"), total(after))
	return err
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
