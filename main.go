// Command consulta is the desktop app and command line of Consulta, the tool
// delegates, rapporteurs and the secretariat use at the Cartagena +40
// consultations. With no command it opens the desktop app; see
// 'consulta help' for the commands.
package main

import (
	"context"
	_ "embed"
	"errors"
	"log"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	fyneapp "fyne.io/fyne/v2/app"

	_ "github.com/cartagena-c40/consulta/ui/localeenv" // before Fyne reads the locale

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/sync/replication"
	"github.com/cartagena-c40/consulta/ui/buildinfo"
	"github.com/cartagena-c40/consulta/ui/cli"
	"github.com/cartagena-c40/consulta/ui/desktop"
)

// appID is the application id of FyneApp.toml.
const appID = "org.cartagena40.consulta"

// fyneAppTOML names the version `consulta version` and Help > About show,
// the one the packages carry (make dist).
//
//go:embed FyneApp.toml
var fyneAppTOML []byte

// build names this build.
var build = buildinfo.Read(fyneAppTOML)

func main() {
	// A command typed in a Windows console prints there (console_windows.go).
	if len(os.Args) > 1 {
		attachConsole()
	}
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Open: open, Desktop: runDesktop, Sync: replication.NewReplicator, Dirs: storage.DataDirs{}, Build: build}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		env.Stdin = os.Stdin
	}
	os.Exit(cli.Run(env, os.Args[1:]))
}

// open opens the data directory and the service over it; the returned
// function closes them in reverse order.
func open(dir string, pass []byte) (*app.Service, func() error, error) {
	st, err := storage.Open(dir, storage.Options{Log: log.New(os.Stderr, "", log.LstdFlags), Passphrase: pass})
	if err != nil {
		return nil, nil, err
	}
	svc, err := app.NewService(st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, st.Close, nil
}

// runDesktop opens the desktop app on dir and returns when its window closes.
// A protected data directory without a passphrase asks for it first.
func runDesktop(dir string, pass []byte) error {
	if err := checkDisplay(); err != nil {
		return err
	}
	a := fyneapp.NewWithID(appID)
	// The real-window tests (e2e/) read where the widgets are through this.
	if path := os.Getenv("CONSULTA_E2E_PROBE"); path != "" {
		stop, err := desktop.ServeProbe(a, path)
		if err != nil {
			return err
		}
		defer stop()
	}
	var (
		ui         *desktop.UI
		closeStore func() error
		stopSync   = func() {}
		syncDone   chan struct{}
		curPass    []byte
	)
	startSync := func(svc *app.Service) {
		ctx, cancel := context.WithCancel(context.Background())
		stopSync = cancel
		done := make(chan struct{})
		syncDone = done
		go func() {
			defer close(done)
			runSync(ctx, svc, ui)
		}()
	}
	// protect closes the store, protects it (or changes its passphrase)
	// and opens it again, with sync stopped meanwhile.
	protect := func(newPass []byte) (*app.Service, error) {
		stopSync()
		<-syncDone
		if err := closeStore(); err != nil {
			return nil, err
		}
		var perr error
		if storage.IsProtected(dir) {
			perr = storage.ChangePassphrase(dir, curPass, newPass)
		} else {
			perr = storage.Protect(dir, newPass, nil)
		}
		use := newPass
		if perr != nil {
			use = curPass
		}
		svc, closeFn, err := open(dir, use)
		if err != nil {
			return nil, errors.Join(perr, err)
		}
		closeStore, curPass = closeFn, use
		startSync(svc)
		return svc, perr
	}
	start := func(svc *app.Service, closeFn func() error, p []byte) {
		closeStore = closeFn
		if storage.IsProtected(dir) {
			curPass = p
		}
		w := a.NewWindow("Consulta")
		ui = desktop.New(a, w, svc)
		ui.SetBuild(build)
		ui.SetProtection(desktop.Protection{Passphrase: curPass, Restore: storage.Restore, Protect: protect})
		w.SetMaster()
		startSync(svc)
		ui.Show()
	}
	if storage.IsProtected(dir) && len(pass) == 0 {
		desktop.ShowUnlock(a, dir, func(p []byte) error {
			svc, closeFn, err := open(dir, p)
			if err != nil {
				return err
			}
			start(svc, closeFn, p)
			return nil
		})
	} else {
		svc, closeFn, err := open(dir, pass)
		if err != nil {
			// Whoever double-clicked the app has no terminal to read this in.
			desktop.ShowStartError(a, dir, err)
			return err
		}
		start(svc, closeFn, pass)
	}
	a.Run()
	if ui == nil {
		return nil // closed without unlocking
	}
	stopSync()
	<-syncDone
	ui.Close()
	return closeStore()
}

// runSync replicates with the workspace's peers in the background until
// ctx is cancelled, once there is a workspace (the first-run screen may
// still be creating or joining one).
func runSync(ctx context.Context, svc *app.Service, ui *desktop.UI) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for svc.Workspace() == nil {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	lg := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("part", "sync")
	// The usual port, or any free one when another program (another
	// Consulta on this machine) has it: mDNS announces the port in use.
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(replication.DefaultPort))
	if err != nil {
		lg.Warn("the usual sync port is taken; using another", "err", err)
		ln, err = net.Listen("tcp", ":0")
	}
	if err != nil {
		lg.Error("sync not started", "err", err)
		ui.SyncUnavailable(err)
		return
	}
	// CONSULTA_NO_MDNS=1 keeps the app off multicast (the real-window tests
	// set it: their laptops find each other by address).
	mdns := os.Getenv("CONSULTA_NO_MDNS") != "1"
	r, err := replication.New(svc, replication.Options{Listener: ln, Discovery: mdns, Log: lg})
	if err != nil {
		ln.Close()
		lg.Error("sync not started", "err", err)
		ui.SyncUnavailable(err)
		return
	}
	ui.AttachSync(r)
	if err := r.Serve(ctx); err != nil {
		lg.Error("sync stopped", "err", err)
		ui.SyncUnavailable(err)
	}
}
