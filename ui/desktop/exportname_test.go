package desktop

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// The file name the export dialog proposes is one Windows accepts, whatever
// the workspace is called.
func TestDefaultExportPathIsSafe(t *testing.T) {
	day := time.Now().Format(time.DateOnly)
	cases := []struct {
		title, what, want string
	}{
		{"Cartagena +40", "", "Cartagena +40 " + day + ".csv"},
		{`Plan 2025/2030: "Brasil"?`, "", "Plan 2025-2030- -Brasil-- " + day + ".csv"},
		{"Consulta", "Status table", "Consulta - Status table " + day + ".csv"},
	}
	for _, c := range cases {
		got := filepath.Base(defaultExportPath(&app.Workspace{Title: c.title}, c.what, "csv"))
		if got != c.want {
			t.Errorf("defaultExportPath(%q, %q) = %q, want %q", c.title, c.what, got, c.want)
		}
		if strings.ContainsAny(got, `<>:"/\|?*`) {
			t.Errorf("%q has a character Windows refuses", got)
		}
	}
}
