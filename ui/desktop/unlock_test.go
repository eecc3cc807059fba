package desktop

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
)

// TestUnlock: a wrong passphrase says so and asks again; the right one
// opens and closes the prompt.
func TestUnlock(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("Consulta")
	var tried []string
	u := newUnlock(w, "/datos", func(p []byte) error {
		tried = append(tried, string(p))
		if string(p) != "buena" {
			return &app.Error{Kind: app.Passphrase, Msg: "wrong passphrase"}
		}
		return nil
	})
	w.SetContent(u.content)
	w.Show()
	test.Type(u.pass, "mala")
	test.Tap(u.ok)
	if !strings.Contains(u.message.Text, "Wrong passphrase") || u.pass.Text != "" || u.ok.Disabled() {
		t.Fatalf("after a wrong passphrase: %q %q", u.message.Text, u.pass.Text)
	}
	test.Type(u.pass, "buena")
	u.pass.OnSubmitted(u.pass.Text) // Enter
	if len(tried) != 2 || tried[1] != "buena" {
		t.Fatalf("tried %v", tried)
	}
}
