package desktop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
)

// TestExportDialog: the secretariat filters the list, opens Export, picks
// Markdown and a file, and gets the file with the current filter applied
// and a message saying where it is.
func TestExportDialog(t *testing.T) {
	svc := newStore(t, true)
	add(t, svc, app.KindProposal, "Asilo en los Andes", "Texto andino.", "andes", "PE", "broad-protection")
	add(t, svc, app.KindProposal, "Asilo en Centroamérica", "Texto mesoamericano.", "mesoamerica", "GT", "broad-protection")
	u := newTestUI(t, svc)
	u.browser.filters.pick("subregion", "andes")
	e := u.showExport()
	if !e.current.Checked || !strings.Contains(e.current.Text, "(1)") {
		t.Fatalf("the current filter is not the default: %q", e.current.Text)
	}
	e.format.SetSelectedIndex(4) // Markdown
	if !strings.HasSuffix(e.path.Text, ".md") {
		t.Fatalf("the file name does not follow the format: %q", e.path.Text)
	}
	if !e.bom.Disabled() || !e.hxl.Disabled() {
		t.Fatal("spreadsheet options offered for Markdown")
	}
	path := filepath.Join(t.TempDir(), "consolidado.md")
	e.path.SetText(path)
	test.Tap(e.run)
	eventually(t, "the export to end", func() bool {
		select {
		case <-e.done:
			return true
		default:
			return false
		}
	})
	if !strings.Contains(e.message.Text, path) {
		t.Fatalf("message %q", e.message.Text)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Asilo en los Andes") || strings.Contains(string(b), "Centroamérica") {
		t.Fatalf("the export did not follow the list's filter:\n%s", b)
	}
	// A folder that does not exist: a message, no file.
	e.path.SetText(filepath.Join(t.TempDir(), "missing", "x.md"))
	test.Tap(e.run)
	eventually(t, "the failed export to end", func() bool {
		select {
		case <-e.done:
			return true
		default:
			return false
		}
	})
	if !strings.Contains(e.message.Text, "does not exist") {
		t.Fatalf("message %q", e.message.Text)
	}
}
