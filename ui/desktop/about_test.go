package desktop

import (
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/ui/buildinfo"
)

// Help > About names the build main gave.
func TestAboutNamesTheBuild(t *testing.T) {
	u := newTestUI(t, newStore(t, true))
	u.SetBuild(buildinfo.Info{Name: "Consulta", Version: "0.1.0", Build: 1, Revision: "2563859ab1c2d3e4", GoVersion: "go1.26.8", Platform: "windows/amd64"})
	var ran bool
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == "About Consulta" {
				it.Action()
				ran = true
			}
		}
	}
	if !ran {
		t.Fatal("no About Consulta in the main menu")
	}
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("About showed nothing")
	}
	if got := texts(top); !strings.Contains(got, "Consulta 0.1.0 (build 1), revision 2563859ab1c2") {
		t.Errorf("About says %q", got)
	}
}
