package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// TestRandomRun clicks, double-clicks, types, scrolls, presses Esc and
// Ctrl+N anywhere in the windows, from a seed, and fails on any crash; then
// quits and checks the store. E2E_SEEDS lists the seeds (default "1 2 3"),
// E2E_EVENTS the events of each run (default 500). A failure names its seed:
// E2E_SEEDS=7 go test -run TestRandomRun ./e2e replays it.
func TestRandomRun(t *testing.T) {
	need(t)
	seeds := strings.Fields(os.Getenv("E2E_SEEDS"))
	if len(seeds) == 0 {
		seeds = []string{"1", "2", "3"}
	}
	events := 500
	if n, err := strconv.Atoi(os.Getenv("E2E_EVENTS")); err == nil && n > 0 {
		events = n
	}
	for _, s := range seeds {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("E2E_SEEDS: %q is not a number", s)
		}
		t.Run("seed="+s, func(t *testing.T) { randomRun(t, seed, events) })
	}
}

// avoid are buttons a random run leaves alone: protecting the store with a
// passphrase nobody knows would lock the final check out, and restoring
// needs a folder of its own.
var avoid = []string{"Protect", "passphrase", "Restore", "Change the passphrase"}

// typed is what the random run types: the consultations' four languages.
var typed = []string{"Acceso a documentación", "protección internacional", "Integração local", "apatridia ", "réfugiés",
	"¿Quién?", "niñas, niños y adolescentes", "12", "\t", "Solidarity resettlement", "ção", "—"}

func randomRun(t *testing.T, seed uint64, events int) {
	data := workspace(t, 300) // with the sample draft plan
	r := startApp(t, data)
	if seed%2 == 0 { // even seeds start in the Draft tab, the others in Records
		r.tab("Draft")
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var log []string
	perTab := map[string]int{} // events while each tab was shown
	defer func() { t.Logf("seed %d, events per tab shown: %v", seed, perTab) }()
	defer func() {
		if t.Failed() {
			t.Logf("seed %d, last events:\n%s", seed, strings.Join(log[max(0, len(log)-25):], "\n"))
		}
	}()
	for i := 0; i < events; i++ {
		ws := r.probe()
		if r.exited() && r.status == nil && !crash.MatchString(r.out.String()) {
			// A click found Quit in the main menu: start again, as a
			// person would, and go on.
			log = append(log, fmt.Sprintf("%3d the app quit; started again", i))
			r = startApp(t, data)
			continue
		}
		if r.exited() || crash.MatchString(r.out.String()) {
			r.screenshot(fmt.Sprintf("seed%d-crash", seed))
			t.Fatalf("seed %d: the app crashed or exited (%v) after %d events", seed, r.status, i)
		}
		if ws == nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		for _, w := range ws {
			if w.W > 1400 || w.H > 900 {
				r.screenshot(fmt.Sprintf("seed%d-too-big", seed))
				t.Fatalf("seed %d: after %d events the window %q is %.0f×%.0f, larger than the 1400×900 screen", seed, i, w.Title, w.W, w.H)
			}
		}
		perTab[shownTab(ws)]++
		log = append(log, fmt.Sprintf("%3d %s", i, r.randomEvent(rng, ws)))
		time.Sleep(time.Duration(10+rng.IntN(40)) * time.Millisecond)
	}
	r.screenshot(fmt.Sprintf("seed%d-end", seed))
	for _, w := range r.probe() {
		t.Logf("window %q: %.0f×%.0f", w.Title, w.W, w.H)
	}
	r.quit()
	if out := cli(t, data, "check"); !strings.Contains(out, "no problems found") {
		t.Fatalf("seed %d: check after the run:\n%s", seed, out)
	}
}

// shownTab is the main window's selected tab.
func shownTab(ws []desktop.ProbeWindow) string {
	n, _, ok := find(ws, mainWin, match{"Tab", func(n desktop.ProbeNode) bool { return n.Checked }, "the tab shown"})
	if !ok {
		return "none"
	}
	return n.Text
}

// randomEvent does one thing a person might do and says what.
func (r *running) randomEvent(rng *rand.Rand, ws []desktop.ProbeWindow) string {
	w := ws[rng.IntN(len(ws))]
	switch p := rng.IntN(100); {
	case p < 60: // a click on something clickable
		var targets []desktop.ProbeNode
		for _, n := range w.Nodes {
			if clickable(n) {
				targets = append(targets, n)
			}
		}
		if len(targets) == 0 {
			return "nothing to click"
		}
		n := targets[rng.IntN(len(targets))]
		r.clickNode(w.Title, n, 1)
		return fmt.Sprintf("click %s %q in %q", n.Type, clip(n.Text+n.Hint, 30), w.Title)
	case p < 68: // anywhere in the window
		x, y := somewhere(rng, w)
		r.pointAt(w.Title, x, y)
		xdo(r.t, "click", "1")
		return fmt.Sprintf("click at %.0f,%.0f in %q", x, y, w.Title)
	case p < 72:
		x, y := somewhere(rng, w)
		r.pointAt(w.Title, x, y)
		xdo(r.t, "click", "--repeat", "2", "--delay", "60", "1")
		return fmt.Sprintf("double click at %.0f,%.0f", x, y)
	case p < 77:
		x, y := rng.Float32()*w.W, rng.Float32()*w.H
		r.pointAt(w.Title, x, y)
		xdo(r.t, "click", "--repeat", strconv.Itoa(1+rng.IntN(5)), []string{"4", "5"}[rng.IntN(2)])
		return "wheel"
	case p < 88:
		s := typed[rng.IntN(len(typed))]
		r.typeText(s)
		return fmt.Sprintf("type %q", s)
	case p < 93:
		r.key("Escape")
		return "Esc"
	case p < 96:
		r.key("ctrl+n")
		return "Ctrl+N"
	default:
		k := []string{"Return", "Down", "Up", "Tab", "ctrl+s", "ctrl+f", "BackSpace"}[rng.IntN(7)]
		r.key(k)
		return k
	}
}

// somewhere is a random point of w that is not on a button to avoid.
func somewhere(rng *rand.Rand, w desktop.ProbeWindow) (float32, float32) {
	for {
		x, y := rng.Float32()*w.W, rng.Float32()*w.H
		ok := true
		for _, n := range w.Nodes {
			if !clickable(n) && n.Type == "Button" && !n.Hidden && x >= n.VX-2 && x <= n.VX+n.VW+2 && y >= n.VY-2 && y <= n.VY+n.VH+2 {
				ok = false
			}
		}
		if ok {
			return x, y
		}
	}
}

// clickable is a node worth a random click.
func clickable(n desktop.ProbeNode) bool {
	if n.Hidden || n.Disabled || n.VW < 2 || n.VH < 2 {
		return false
	}
	for _, a := range avoid {
		if strings.Contains(n.Text, a) {
			return false
		}
	}
	switch n.Type {
	case "Button", "Check", "CheckGroup", "Entry", "Select", "RecordRow", "DraftRow", "Tab", "AccordionHeader", "menuItem", "Hyperlink", "List":
		return true
	}
	return false
}
