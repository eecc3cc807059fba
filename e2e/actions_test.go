package e2e

import (
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// What a person does with the widgets, built on the harness: fill an entry,
// pick from a drop-down, tick a box of a group, wait for the records count.

const mainWin = "Consulta" // the main window's title starts so

// beside finds the node of type typ on the row of the form label lbl, as
// the last probe placed them (both move when the form scrolls).
func (r *running) beside(win, lbl, typ string) match {
	r.t.Helper()
	r.wait(win, text("Label", lbl))
	return match{typ, func(n desktop.ProbeNode) bool {
		l, _, ok := find(r.tree, win, text("Label", lbl))
		return ok && math.Abs(float64(n.Y-l.Y)) < 3 && n.X > l.X+l.W-2
	}, fmt.Sprintf("%s beside %q", typ, lbl)}
}

// fill clicks an entry, selects what it holds, types s and checks that the
// entry holds exactly s.
func (r *running) fill(win string, m match, s string) {
	r.t.Helper()
	r.reveal(win, m)
	r.click(win, m)
	r.key("ctrl+a", "BackSpace")
	r.typeText(s)
	var got string
	r.waitForDesc(func() string { return fmt.Sprintf("%s to hold %q (it holds %q)", m.desc, s, got) }, func(ws []desktop.ProbeWindow) bool {
		n, _, ok := find(ws, win, m)
		got = n.Text
		// A password entry shows (and the probe reports) a dot a letter.
		return ok && (n.Text == s || n.Text == strings.Repeat("•", utf8.RuneCountInString(s)))
	})
}

// pick opens a drop-down with a click and clicks one of its options in the
// pop-up menu, scrolling a long menu with the wheel.
func (r *running) pick(win string, m match, option string) {
	r.t.Helper()
	r.reveal(win, m)
	r.click(win, m)
	item := text("menuItem", option)
	for i := 0; ; i++ {
		var menu, it desktop.ProbeNode
		var title string
		r.waitFor("the drop-down's menu", func(ws []desktop.ProbeWindow) bool {
			var ok1, ok2 bool
			menu, title, ok1 = find(ws, win, match{"PopUpMenu", func(desktop.ProbeNode) bool { return true }, "menu"})
			it, _, ok2 = find(ws, win, item)
			return ok1 && ok2
		})
		if !it.Hidden && it.VH >= it.H-1 {
			r.clickNode(title, it, 1)
			break
		}
		if i == 80 {
			r.t.Fatalf("option %q stays out of the menu's view", option)
		}
		r.pointAt(title, menu.X+menu.W/2, menu.Y+menu.H/2)
		wheel := "5"
		if it.Y < menu.Y {
			wheel = "4"
		}
		xdo(r.t, "click", wheel)
	}
	r.waitFor(fmt.Sprintf("%s to show %q", m.desc, option), func(ws []desktop.ProbeWindow) bool {
		n, _, ok := find(ws, win, m)
		return ok && n.Text == option
	})
}

// tick clicks option of a check group (one of its boxes), scrolling the
// form with the wheel at scrollX (a place that scrolls it vertically: the
// group itself only scrolls sideways) until the box is in view.
func (r *running) tick(win string, m match, option string, scrollX float32) {
	r.t.Helper()
	for i := 0; ; i++ {
		g, title := r.wait(win, m)
		k := slices.Index(g.Options, option)
		if k < 0 {
			r.t.Fatalf("%s has no option %q: %q", m.desc, option, g.Options)
		}
		h := g.H / float32(len(g.Options))
		y := g.Y + float32(k)*h
		if y >= g.VY && y+h <= g.VY+g.VH {
			want := !slices.Contains(g.Selected, option)
			r.pointAt(title, g.X+14, y+h/2)
			xdo(r.t, "click", "1")
			r.waitFor(fmt.Sprintf("%q ticked", option), func(ws []desktop.ProbeWindow) bool {
				n, _, ok := find(ws, win, m)
				return ok && slices.Contains(n.Selected, option) == want
			})
			return
		}
		if i == 80 {
			r.t.Fatalf("%q of %s stays out of view", option, m.desc)
		}
		wheel := "5"
		if y < g.VY {
			wheel = "4"
		}
		r.pointAt(title, scrollX, 400)
		xdo(r.t, "click", wheel)
		time.Sleep(20 * time.Millisecond)
	}
}

// groupWith matches the check group that offers option.
func groupWith(option string) match {
	return match{"CheckGroup", func(n desktop.ProbeNode) bool { return slices.Contains(n.Options, option) },
		fmt.Sprintf("the boxes with %q", option)}
}

// count reads the "Records: N" line.
func (r *running) count() string {
	r.t.Helper()
	n, _ := r.wait(mainWin, prefix("Label", "Records: "))
	return strings.TrimPrefix(n.Text, "Records: ")
}

// waitCount waits for the "Records: N" line to say want.
func (r *running) waitCount(want int) {
	r.t.Helper()
	r.wait(mainWin, text("Label", fmt.Sprintf("Records: %d", want)))
}

// tab clicks a tab of the main window and waits for it to be selected.
func (r *running) tab(name string) {
	r.t.Helper()
	r.click(mainWin, text("Tab", name))
	r.wait(mainWin, match{"Tab", func(n desktop.ProbeNode) bool { return n.Text == name && n.Checked }, "tab " + name + " selected"})
}

// workspace makes a data directory with a workspace and sample data through
// the command line, as the secretariat does before a meeting.
func workspace(t *testing.T, records int) string {
	t.Helper()
	need(t)
	data := filepath.Join(t.TempDir(), "data")
	cli(t, data, "init", "--title", "Cartagena +40")
	if records > 0 {
		cli(t, data, "demo", "--records", fmt.Sprint(records))
	}
	return data
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve runs `consulta sync --listen addr` on data until stopped.
func serve(t *testing.T, data, addr string) (stop func()) {
	t.Helper()
	cmd := exec.Command(bin, "--data", data, "sync", "--listen", addr, "--no-mdns")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i == 200 {
			cmd.Process.Kill()
			t.Fatalf("sync did not listen on %s: %s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
}
