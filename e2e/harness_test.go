package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

var (
	bin     string // the real binary, from CONSULTA_E2E_BIN
	display string // the Xvfb display the tests share
	outDir  string // screenshots
)

func TestMain(m *testing.M) {
	bin = os.Getenv("CONSULTA_E2E_BIN")
	if bin == "" {
		fmt.Println("e2e: CONSULTA_E2E_BIN is not set, so the real-window tests are skipped (make e2e runs them)")
		os.Exit(m.Run())
	}
	if abs, err := filepath.Abs(bin); err == nil {
		bin = abs
	}
	outDir = os.Getenv("E2E_OUT")
	if outDir == "" {
		outDir, _ = os.MkdirTemp("", "consulta-e2e-")
	}
	os.MkdirAll(outDir, 0o755)
	fmt.Println("e2e: screenshots in", outDir)
	stop, err := startXvfb()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func need(t *testing.T) {
	t.Helper()
	if bin == "" {
		t.Skip("CONSULTA_E2E_BIN is not set (make e2e builds the binary and runs these)")
	}
}

// startXvfb starts an X server on a free display, 1400×900 like a laptop
// (-noreset: a server that resets when its last client leaves forgets the
// key map),
// and maps the accented letters the consultations write onto spare keys,
// so that xdotool types them as real key presses instead of remapping a
// key for each (which GLFW sometimes misses).
func startXvfb() (func(), error) {
	n := 90
	for ; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); os.IsNotExist(err) {
			break
		}
	}
	display = fmt.Sprintf(":%d", n)
	cmd := exec.Command("Xvfb", display, "-screen", "0", "1400x900x24", "-nolisten", "tcp", "-noreset")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start Xvfb (.ci/install-deps --test-tools installs it): %w", err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			os.Setenv("DISPLAY", display)
			return stop, mapAccents()
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return nil, fmt.Errorf("Xvfb on %s did not come up", display)
}

var accents = []string{"aacute Aacute", "eacute Eacute", "iacute Iacute", "oacute Oacute", "uacute Uacute",
	"ntilde Ntilde", "ccedilla Ccedilla", "atilde Atilde", "otilde Otilde", "acircumflex Acircumflex",
	"ecircumflex Ecircumflex", "ocircumflex Ocircumflex", "agrave Agrave", "egrave Egrave", "udiaeresis Udiaeresis",
	"questiondown exclamdown", "ediaeresis idiaeresis", "ucircumflex icircumflex", "ugrave ocircumflex",
	"emdash endash", "guillemotleft guillemotright", "ordfeminine masculine"}

func mapAccents() error {
	var args []string
	for i, a := range accents {
		args = append(args, "-e", fmt.Sprintf("keycode %d = %s", 255-i, a))
	}
	if out, err := exec.Command("xmodmap", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("xmodmap (package x11-xserver-utils): %v: %s", err, out)
	}
	return nil
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// crash matches what a Go panic, a runtime fatal error or a signal prints.
var crash = regexp.MustCompile(`(?m)^panic: |^fatal error: |SIGSEGV|SIGBUS|SIGABRT|^goroutine \d+ \[`)

// running is one run of the desktop app on a data directory.
type running struct {
	t      *testing.T
	data   string
	home   string
	sock   string
	cmd    *exec.Cmd
	out    *lockedBuffer
	done   chan struct{}
	status error
	shots  int
	tree   []desktop.ProbeWindow // the last one read
	client *http.Client
	xids   map[string]string // X window ids by title
}

// startApp starts the desktop app on data and waits for a window that shows
// something.
func startApp(t *testing.T, data string, env ...string) *running {
	t.Helper()
	need(t)
	home := filepath.Join(filepath.Dir(data), "home-"+filepath.Base(data))
	r := &running{t: t, data: data, home: home, sock: filepath.Join(home, "probe.sock"), out: &lockedBuffer{}, done: make(chan struct{})}
	os.MkdirAll(home, 0o700)
	r.cmd = exec.Command(bin, "--data", data)
	r.cmd.Env = append(os.Environ(), "DISPLAY="+display, "CONSULTA_E2E_PROBE="+r.sock,
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"HOME="+home, "CONSULTA_NO_MDNS=1", "FYNE_SCALE=1", "LANGUAGE=en", "LANG=en_US.UTF-8", "LC_ALL=")
	r.cmd.Env = append(r.cmd.Env, env...)
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.status = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() {
			t.Logf("the app's output:\n%s", r.out.String())
		}
	})
	r.waitFor("a window with content", func(ws []desktop.ProbeWindow) bool {
		return len(ws) > 0 && len(ws[0].Nodes) > 0
	})
	return r
}

// probe reads the widgets of every window, or nil while the probe is not up.
func (r *running) probe() []desktop.ProbeWindow {
	if r.client == nil {
		r.client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", r.sock)
			}}}
	}
	resp, err := r.client.Get("http://probe/tree")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var ws []desktop.ProbeWindow
	if json.NewDecoder(resp.Body).Decode(&ws) != nil {
		return nil
	}
	r.tree = ws
	return ws
}

// exited reports whether the app has stopped.
func (r *running) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// waitFor polls the probe until cond holds, for at most 20 s; it fails
// the test at once if the app exits or prints a crash.
func (r *running) waitFor(what string, cond func([]desktop.ProbeWindow) bool) []desktop.ProbeWindow {
	r.t.Helper()
	return r.waitForDesc(func() string { return what }, cond)
}

// waitForDesc is waitFor with a description made when it fails.
func (r *running) waitForDesc(desc func() string, cond func([]desktop.ProbeWindow) bool) []desktop.ProbeWindow {
	r.t.Helper()
	return r.waitUntil(time.Now().Add(20*time.Second), desc, cond)
}

// waitWithin is wait with a deadline of its own, for what takes real work.
func (r *running) waitWithin(d time.Duration, win string, m match) desktop.ProbeNode {
	r.t.Helper()
	var n desktop.ProbeNode
	r.waitUntil(time.Now().Add(d), func() string { return m.desc }, func(ws []desktop.ProbeWindow) bool {
		var ok bool
		n, _, ok = find(ws, win, m)
		return ok
	})
	return n
}

// waitUntil is waitForDesc with its deadline.
func (r *running) waitUntil(deadline time.Time, desc func() string, cond func([]desktop.ProbeWindow) bool) []desktop.ProbeWindow {
	r.t.Helper()
	for {
		if r.exited() {
			r.t.Fatalf("the app exited (%v) while waiting for %s", r.status, desc())
		}
		if crash.MatchString(r.out.String()) {
			r.t.Fatalf("the app crashed while waiting for %s", desc())
		}
		if ws := r.probe(); ws != nil && cond(ws) {
			return ws
		}
		if time.Now().After(deadline) {
			r.screenshot("timeout")
			r.t.Fatalf("timed out waiting for %s; windows: %s", desc(), describe(r.tree))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// describe summarises windows for a failure message.
func describe(ws []desktop.ProbeWindow) string {
	var b strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&b, "\n[%s]", w.Title)
		for _, n := range w.Nodes {
			switch {
			case n.Type == "Label": // what the app told the person: whole
				fmt.Fprintf(&b, " %s:%q", n.Type, clip(n.Text, 300))
			case n.Type == "Button" || n.Type == "Tab" || strings.HasPrefix(n.Type, "missing"):
				fmt.Fprintf(&b, " %s:%q", n.Type, clip(n.Text, 40))
			}
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// match selects nodes: its type, and a test of the node.
type match struct {
	typ  string
	test func(desktop.ProbeNode) bool
	desc string
}

func text(typ, s string) match {
	return match{typ, func(n desktop.ProbeNode) bool { return n.Text == s }, fmt.Sprintf("%s %q", typ, s)}
}

func prefix(typ, s string) match {
	return match{typ, func(n desktop.ProbeNode) bool { return strings.HasPrefix(n.Text, s) }, fmt.Sprintf("%s %q…", typ, s)}
}

func hint(typ, s string) match {
	return match{typ, func(n desktop.ProbeNode) bool { return strings.HasPrefix(n.Hint, s) }, fmt.Sprintf("%s hinted %q", typ, s)}
}

// find returns the first node m selects in the window whose title starts
// with win ("" for any), preferring what is in an overlay (a dialog or a
// pop-up covers the rest).
func find(ws []desktop.ProbeWindow, win string, m match) (desktop.ProbeNode, string, bool) {
	for _, overlay := range []bool{true, false} {
		for _, w := range ws {
			if !strings.HasPrefix(w.Title, win) {
				continue
			}
			for _, n := range w.Nodes {
				if n.Overlay == overlay && n.Type == m.typ && m.test(n) {
					return n, w.Title, true
				}
			}
		}
	}
	return desktop.ProbeNode{}, "", false
}

// wait waits for a node and returns it with its window's title.
func (r *running) wait(win string, m match) (desktop.ProbeNode, string) {
	r.t.Helper()
	var n desktop.ProbeNode
	var title string
	r.waitFor(m.desc, func(ws []desktop.ProbeWindow) bool {
		var ok bool
		n, title, ok = find(ws, win, m)
		return ok
	})
	return n, title
}

// xwindow finds the X window of a window title, from a cache that
// forgets titles whose window is gone.
func (r *running) xwindow(title string) string {
	r.t.Helper()
	if id, ok := r.xids[title]; ok {
		if exec.Command("xdotool", "getwindowname", id).Run() == nil {
			return id
		}
	}
	r.xids = map[string]string{}
	out, _ := exec.Command("xdotool", "search", "--name", ".").Output()
	for _, id := range strings.Fields(string(out)) {
		name, _ := exec.Command("xdotool", "getwindowname", id).Output()
		r.xids[strings.TrimSpace(string(name))] = id
	}
	if id, ok := r.xids[title]; ok {
		return id
	}
	r.t.Fatalf("no X window is titled %q", title)
	return ""
}

func xdo(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
}

// pointAt moves the pointer to (x, y) of window title, in Fyne units.
func (r *running) pointAt(title string, x, y float32) {
	r.t.Helper()
	scale := float32(1)
	for _, w := range r.tree {
		if w.Title == title && w.Scale > 0 {
			scale = w.Scale
		}
	}
	xdo(r.t, "mousemove", "--window", r.xwindow(title), strconv.Itoa(int(x*scale)), strconv.Itoa(int(y*scale)))
}

// click waits for an enabled node, scrolls it into view and clicks the
// middle of what shows of it (a check box on its box: Fyne ignores a tap
// beside a check's label).
func (r *running) click(win string, m match) desktop.ProbeNode {
	r.t.Helper()
	m2 := m
	m2.test = func(n desktop.ProbeNode) bool { return !n.Disabled && m.test(n) }
	n := r.reveal(win, m2)
	n, title := r.wait(win, m2)
	r.clickNode(title, n, 1)
	return n
}

func (r *running) clickNode(title string, n desktop.ProbeNode, button int) {
	r.t.Helper()
	x := n.VX + n.VW/2
	if n.Type == "Check" {
		x = n.VX + min(14, n.VW/2)
	}
	r.pointAt(title, x, n.VY+n.VH/2)
	xdo(r.t, "click", strconv.Itoa(button))
}

// reveal scrolls with the wheel until the node is inside its scrolled area.
// It turns the wheel near the left edge of the vertical scroll holding the
// node, where no sideways scroll inside it takes the wheel instead.
func (r *running) reveal(win string, m match) desktop.ProbeNode {
	r.t.Helper()
	n, title := r.wait(win, m)
	for i := 0; n.Hidden || n.VH < n.H-1; i++ {
		if i == 80 {
			r.t.Fatalf("could not scroll %s into view", m.desc)
		}
		s, ok := r.scrollOf(title, n)
		if !ok {
			r.t.Fatalf("%s is out of view and in no scrolled area", m.desc)
		}
		wheel := "5" // down
		if n.Y < s.Y {
			wheel = "4"
		}
		r.pointAt(title, s.X+6, s.Y+s.H/2)
		xdo(r.t, "click", wheel)
		time.Sleep(20 * time.Millisecond)
		n, title = r.wait(win, m)
	}
	return n
}

// scrollOf is the smallest vertical scroll whose columns hold node n.
func (r *running) scrollOf(title string, n desktop.ProbeNode) (desktop.ProbeNode, bool) {
	var best desktop.ProbeNode
	found := false
	for _, w := range r.tree {
		if w.Title != title {
			continue
		}
		for _, s := range w.Nodes {
			if s.Type != "Scroll" || (s.Text != "vertical" && s.Text != "both") || s.Hidden || s.Overlay != n.Overlay {
				continue
			}
			if n.X+1 >= s.X && n.X+1 <= s.X+s.W && (!found || s.W*s.H < best.W*best.H) {
				best, found = s, true
			}
		}
	}
	return best, found
}

// key presses keys (xdotool names: ctrl+n, Escape, Return, Down).
func (r *running) key(keys ...string) {
	r.t.Helper()
	xdo(r.t, append([]string{"key", "--clearmodifiers", "--delay", "40"}, keys...)...)
}

// typeText types s as key presses.
func (r *running) typeText(s string) {
	r.t.Helper()
	xdo(r.t, "type", "--clearmodifiers", "--delay", "12", "--", s)
}

// screenshot saves the screen as E2E_OUT/<test>-NN-name.png.
func (r *running) screenshot(name string) string {
	r.shots++
	p := filepath.Join(outDir, fmt.Sprintf("%s-%02d-%s.png", strings.ReplaceAll(r.t.Name(), "/", "_"), r.shots, name))
	if out, err := exec.Command("import", "-display", display, "-window", "root", p).CombinedOutput(); err != nil {
		r.t.Logf("screenshot %s: %v: %s", p, err, out)
	}
	return p
}

// quit presses Ctrl+Q and expects a clean exit: status 0 and no crash.
func (r *running) quit() {
	r.t.Helper()
	// The main window's menu takes Ctrl+Q wherever its focus is; give it
	// the keyboard (there is no window manager to do so).
	for _, w := range r.probe() {
		if strings.HasPrefix(w.Title, mainWin) {
			xdo(r.t, "windowfocus", "--sync", r.xwindow(w.Title))
			break
		}
	}
	r.key("ctrl+q")
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		r.t.Fatal("Ctrl+Q did not close the app within 20 s")
	}
	if r.status != nil {
		r.t.Fatalf("the app exited with %v after Ctrl+Q", r.status)
	}
	if crash.MatchString(r.out.String()) {
		r.t.Fatal("the app printed a crash")
	}
}

// cli runs the command line on a data directory and returns its output;
// it fails the test on a non-zero exit.
func cli(t *testing.T, data string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, append([]string{"--data", data}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("consulta %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// record is what `list --json` and `show --json` say of a record.
type record struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	Lang        string   `json:"lang"`
	Meeting     string   `json:"meeting"`
	SubRegion   string   `json:"subregion"`
	Country     string   `json:"country"`
	Themes      []string `json:"themes"`
	Populations []string `json:"populations"`
	Tags        []string `json:"tags"`
	Stakeholder string   `json:"stakeholder"`
	Status      string   `json:"status"`
	Author      string   `json:"author"`
	Sources     []string `json:"sources"`
	MergedInto  []string `json:"merged_into"`
	Supporters  int      `json:"supporters"`
	SupportedBy []string `json:"supported_by"`
	Comments    int      `json:"comments"`
	Conflict    []any    `json:"conflict"`
}

func list(t *testing.T, data string, args ...string) []record {
	t.Helper()
	var rs []record
	if err := json.Unmarshal([]byte(cli(t, data, append([]string{"list", "--json", "--limit", "0"}, args...)...)), &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

func show(t *testing.T, data, id string) record {
	t.Helper()
	var r record
	if err := json.Unmarshal([]byte(cli(t, data, "show", id, "--json")), &r); err != nil {
		t.Fatal(err)
	}
	return r
}
