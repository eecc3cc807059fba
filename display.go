package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"time"
)

// errNoDisplay says why the desktop app cannot start here, and what to use
// instead; main prints it as one line.
var errNoDisplay = errors.New("the desktop app needs a display")

// checkDisplay reports, before Fyne's driver would panic inside GLFW, that
// there is no display to open a window on: no DISPLAY or WAYLAND_DISPLAY
// (over SSH, on a server), or an X server named by DISPLAY that does not
// answer. Windows and macOS always have one.
func checkDisplay() error {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return nil
	}
	hint := "; use the command line instead (consulta help lists the commands)"
	if w := os.Getenv("WAYLAND_DISPLAY"); w != "" {
		return nil
	}
	d := os.Getenv("DISPLAY")
	if d == "" {
		return fmt.Errorf("%w, and none is set (DISPLAY is empty)%s", errNoDisplay, hint)
	}
	if err := dialX(d); err != nil {
		return fmt.Errorf("%w, and the display %s does not answer (%v)%s", errNoDisplay, d, err, hint)
	}
	return nil
}

// dialX connects to the X server that DISPLAY names (":0", "unix:0",
// "host:0.0", "/path/to/socket:0" as XQuartz sets it) and hangs up.
func dialX(display string) error {
	i := strings.LastIndex(display, ":")
	if i < 0 {
		return fmt.Errorf("cannot read DISPLAY %q", display)
	}
	host, num := display[:i], display[i+1:]
	num, _, _ = strings.Cut(num, ".")
	var network, addr string
	switch {
	case strings.HasPrefix(host, "/"):
		network, addr = "unix", display
	case host == "" || host == "unix":
		network, addr = "unix", "/tmp/.X11-unix/X"+num
	default:
		var n int
		if _, err := fmt.Sscan(num, &n); err != nil {
			return fmt.Errorf("cannot read DISPLAY %q", display)
		}
		network, addr = "tcp", net.JoinHostPort(host, fmt.Sprint(6000+n))
	}
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		if network == "unix" && (host == "" || host == "unix") {
			// Linux's abstract socket, which some X servers listen on alone.
			if c2, err2 := net.DialTimeout("unix", "@"+addr, 2*time.Second); err2 == nil {
				return c2.Close()
			}
		}
		return err
	}
	return c.Close()
}
