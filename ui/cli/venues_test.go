package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/sync/relay"
)

// TestThreeVenues is the walkthrough: a relay started with one
// call; Bogotá's and Brasília's laptops, which joined the workspace in one
// room before the week, each write in their own venue and sync only
// through the relay; the Caribbean laptop, with no network, gets all of it
// on a USB stick (a bundle of what it lacks); all three hold the same
// records, drafts and roles.
func TestThreeVenues(t *testing.T) {
	rl, err := relay.Start(relay.Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	bogota, brasilia, caribe := newHarness(t), newHarness(t), newHarness(t)
	bogota.ok("init", "--title", "Cartagena +40")
	joinOverLAN(t, bogota, brasilia)
	joinOverLAN(t, bogota, caribe)

	bogota.ok("add", "proposal", "--title", "Sistemas de asilo en Bogotá", "--subregion", "andes", "--theme", "broad-protection", "--body", "Texto de Bogotá.")
	bogota.ok("grant", strings.Fields(brasilia.ok("whoami"))[0], "rapporteur")
	brasilia.ok("add", "input", "--title", "Integração local em Brasília", "--subregion", "southern-cone", "--theme", "broad-protection", "--body", "Texto de Brasília.")
	for _, h := range []*harness{bogota, brasilia, bogota} {
		h.ok("sync", "--relay", rl.URL(), "--once")
	}
	vector := filepath.Join(t.TempDir(), "caribe.vector")
	caribe.ok("vector", "--out", vector)
	stick := filepath.Join(t.TempDir(), "caribe.bundle") // the USB stick
	bogota.ok("bundle", "--since", vector, "--out", stick)
	if out := caribe.ok("import", stick); !strings.Contains(out, "imported") {
		t.Fatalf("import: %s", out)
	}
	titles := func(h *harness) []string {
		var out []string
		for _, r := range h.listJSON() {
			out = append(out, r["title"].(string))
		}
		slices.Sort(out)
		return out
	}
	want := titles(bogota)
	if !slices.Contains(want, "Integração local em Brasília") {
		t.Fatalf("Brasília's input did not reach Bogotá through the relay: %v", want)
	}
	for name, h := range map[string]*harness{"Brasília": brasilia, "the Caribbean": caribe} {
		if got := titles(h); !slices.Equal(got, want) {
			t.Fatalf("%s holds %v, Bogotá %v", name, got, want)
		}
		if out := h.ok("members"); !strings.Contains(out, "rapporteur") {
			t.Fatalf("%s does not know Brasília's role:\n%s", name, out)
		}
	}
}
