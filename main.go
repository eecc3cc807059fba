// Command consulta is the desktop app and command line of Consulta, the tool
// delegates, rapporteurs and the secretariat use at the Cartagena +40
// consultations. With no command it opens the desktop app; see
// 'consulta help' for the commands.
package main

import (
	"log"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	_ "github.com/cartagena-c40/consulta/ui/localeenv" // before Fyne reads the locale

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/ui/cli"
	"github.com/cartagena-c40/consulta/ui/desktop"
)

// appID is the application id of FyneApp.toml.
const appID = "org.cartagena40.consulta"

func main() {
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Open: open, Desktop: runDesktop}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		env.Stdin = os.Stdin
	}
	os.Exit(cli.Run(env, os.Args[1:]))
}

// open opens the data directory and the service over it; the returned
// function closes them in reverse order.
func open(dir string) (*app.Service, func() error, error) {
	st, err := storage.Open(dir, storage.Options{Log: log.New(os.Stderr, "", log.LstdFlags)})
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
func runDesktop(dir string) error {
	svc, closeStore, err := open(dir)
	if err != nil {
		return err
	}
	a := fyneapp.NewWithID(appID)
	w := a.NewWindow("Consulta")
	ui := desktop.New(a, w, svc)
	w.SetMaster()
	ui.Show()
	a.Run()
	ui.Close()
	return closeStore()
}
