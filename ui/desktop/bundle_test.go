package desktop

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/bundle"
)

// waitFor drains the UI queue until done is closed.
func waitFor(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	eventually(t, what, func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
}

// TestImportBundle: File, Import a bundle applies another laptop's bundle,
// the list follows, and the window says how many operations were new;
// File, Write a bundle writes one the other laptop imports.
func TestImportBundle(t *testing.T) {
	a := newStore(t, true)
	b := newStore(t, false)
	ws := a.Workspace()
	if _, err := b.Join(ws.ID, ws.Secret[:16], ws.Title); err != nil {
		t.Fatal(err)
	}
	add(t, a, app.KindNote, "Nota de Quito", "Texto.", "andes", "EC", "broad-protection")
	add(t, a, app.KindProposal, "Propuesta de Lima", "Texto.", "andes", "PE", "broad-protection")
	path := filepath.Join(t.TempDir(), "a.bundle")
	st, err := bundle.WriteFile(a, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, b)
	waitFor(t, "the import", u.importBundle(path))
	want := strconv.Itoa(st.Operations) + " new operations, 0 waiting for an earlier bundle."
	if got := texts(u.win.Canvas().Overlays().Top()); !strings.Contains(got, want) {
		t.Fatalf("the window says %q, not %q", got, want)
	}
	eventually(t, "the list", func() bool { return len(u.browser.records) == 2 })

	out := filepath.Join(t.TempDir(), "b.bundle")
	waitFor(t, "writing a bundle", u.writeBundle(out))
	if got := texts(u.win.Canvas().Overlays().Top()); !strings.Contains(got, "Bundle saved: "+out) {
		t.Fatalf("after writing, the window says %q", got)
	}
	if res, err := bundle.ImportFile(a, out); err != nil || res.New == 0 {
		t.Fatalf("a imports b's bundle: %+v, %v", res, err)
	}
}
