// Command consulta is the desktop app and command line of Consulta, the tool
// delegates, rapporteurs and the secretariat use at the Cartagena +40
// consultations. With no command it opens the desktop app; see
// 'consulta help' for the commands.
package main

import (
	"log"
	"os"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
	"github.com/cartagena-c40/consulta/ui/cli"
)

func main() {
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Open: open}
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
