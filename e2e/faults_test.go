package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// Faults that are ordinary at a venue: no display, Ctrl+Q with a note half
// typed, a full disk under the window.

// TestNoDisplay: started over SSH or on a server, the app says in one line
// that it needs a display and how to use the command line, exits 1 and
// prints no stack.
func TestNoDisplay(t *testing.T) {
	need(t)
	data := workspace(t, 0)
	for _, c := range []struct{ name, display, want string }{
		{"unset", "", "none is set"},
		{"no server", ":987", "does not answer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, "--data", data)
			cmd.Env = append(withoutDisplay(), "DISPLAY="+c.display, "CONSULTA_NO_MDNS=1")
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], "needs a display") || !strings.Contains(lines[0], c.want) ||
				!strings.Contains(lines[0], "command line") || crash.Match(out) {
				t.Fatalf("want one clear line, got:\n%s", out)
			}
		})
	}
}

func withoutDisplay() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DISPLAY=") && !strings.HasPrefix(e, "WAYLAND_DISPLAY=") {
			env = append(env, e)
		}
	}
	return env
}

// TestQuitKeepsTheDraft: Ctrl+Q with a note half typed closes the app
// cleanly, and the next start gives the text back.
func TestQuitKeepsTheDraft(t *testing.T) {
	data := workspace(t, 50)
	r := startApp(t, data)
	r.key("ctrl+n")
	text := "Intervención de la delegación de Bolivia sobre integración local"
	r.fill(mainWin, hint("Entry", "Type the note here"), text)
	r.quit()

	r = startApp(t, data)
	r.wait(mainWin, match{"Entry", func(n desktop.ProbeNode) bool { return n.Text == text }, "the draft back in the form"})
	r.screenshot("draft-back")
	r.quit()
}
