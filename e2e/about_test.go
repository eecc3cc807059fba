package e2e

import (
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// TestAboutNamesTheBuild: Help › About in the real window names the build
// as `consulta version` does. The main menu bar is drawn by Fyne's driver
// outside the canvas the probe reads, so the test opens File, the bar's
// first menu, where it always is, and goes by keyboard as a person may:
// right twice to Help, down to its item, Return.
func TestAboutNamesTheBuild(t *testing.T) {
	data := workspace(t, 5)
	r := startApp(t, data)
	_, title := r.wait(mainWin, text("Tab", "Records"))
	r.pointAt(title, 20, 12)
	xdo(t, "click", "1")
	r.key("Right")
	r.key("Right")
	r.key("Down")
	r.screenshot("help-menu")
	r.key("Return")
	want := strings.TrimSpace(cli(t, data, "version"))
	r.wait(mainWin, match{"Label", func(n desktop.ProbeNode) bool { return n.Overlay && n.Text == want }, "the About dialog naming " + want})
	r.screenshot("about")
	r.click(mainWin, text("Button", "OK"))
	r.quit()
}
