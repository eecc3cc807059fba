//go:build !windows

package main

// attachConsole is for Windows' GUI-linked binary (console_windows.go);
// elsewhere a program started from a terminal writes to it already.
func attachConsole() {}
