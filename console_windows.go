//go:build windows

package main

import (
	"log"
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole makes a command typed in a console print there. The
// Windows binary is linked as a GUI program (-H windowsgui) so that a
// double-click opens the window with no console beside it; such a program
// gets no console of its own, so when started from cmd or PowerShell it
// attaches to the one it was started from and writes to it, through
// CONOUT$, whichever of stdout and stderr was not redirected (a redirected
// one, "consulta list > records.txt", already has a handle and keeps it).
// Double-clicked, there is no parent console and nothing changes. See
// docs/INSTALL.md for why this rather than a second, console binary.
func attachConsole() {
	if !unset(os.Stdout) && !unset(os.Stderr) {
		return // both redirected: nothing to attach
	}
	if err := attachParentConsole(); err != nil {
		return // no parent console: started from Explorer
	}
	if unset(os.Stdout) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if unset(os.Stderr) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
			// The standard logger (and slog's default, through it) took
			// the old os.Stderr when the log package was initialised.
			log.SetOutput(f)
		}
	}
}

// unset reports whether f has no usable handle, as stdout and stderr of a
// GUI program started from a console without redirection have none.
func unset(f *os.File) bool {
	if f == nil {
		return true
	}
	h := windows.Handle(f.Fd())
	if h == 0 || h == windows.InvalidHandle {
		return true
	}
	t, err := windows.GetFileType(h)
	return err != nil || t == windows.FILE_TYPE_UNKNOWN
}

// attachParentConsole is kernel32's AttachConsole(ATTACH_PARENT_PROCESS),
// which golang.org/x/sys/windows does not wrap.
func attachParentConsole() error {
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	r, _, err := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole").Call(attachParentProcess)
	if r == 0 {
		return err
	}
	return nil
}
