// Package cli is Consulta's headless command line: the same use cases as
// the desktop app, for scripts, servers without a display and quick work in
// a terminal. It talks to package app only; main hands it a way to open the
// store.
//
//	consulta [--data DIR] COMMAND [flags]
//
// Exit status: 0 on success, 2 for bad input (an unknown code, an empty
// title, an unknown id, a bad flag), 1 for anything else (a directory in
// use, corrupt or foreign data). See docs/CLI.md.
package cli
