package e2e

import (
	"testing"

	"github.com/cartagena-c40/consulta/ui/desktop"

	"github.com/cartagena-c40/consulta/sync/relay"
)

// TestRelaySettings: the relay between venues set in Settings, the real
// window reaching an embedded relay, and the status bar saying so.
func TestRelaySettings(t *testing.T) {
	rl, err := relay.Start(relay.Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rl.Close)
	data := workspace(t, 20)
	r := startApp(t, data)
	settings := match{"Button", func(n desktop.ProbeNode) bool { return n.Text == "" && n.Y < 120 }, "the settings button"}

	r.click(mainWin, settings)
	r.fill(mainWin, r.beside(mainWin, "Relay between venues", "Entry"), rl.URL())
	r.screenshot("settings-relay")
	r.click(mainWin, text("Button", "Save"))
	r.wait(mainWin, prefix("Label", "relay: connected · last contact "))
	r.screenshot("relay-connected")
	r.quit()
}
