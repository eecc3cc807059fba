package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// TestFutureDateNotShown: a note written on a laptop whose clock was two
// years ahead is shown by show and history as written at the latest now,
// and show marks it.
func TestFutureDateNotShown(t *testing.T) {
	h := newHarness(t)
	h.ok("init", "--title", "Cartagena +40")
	svc, closeStore, err := openStore(h.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetWallClock(func() time.Time { return time.Now().AddDate(2, 0, 0) })
	title := "Del futuro"
	id, err := svc.Create(app.KindNote, app.Patch{Title: &title, AddThemes: []app.ThemeCode{"broad-protection"}})
	if err != nil {
		t.Fatal(err)
	}
	closeStore()
	future := time.Now().AddDate(2, 0, 0).Format("2006-")
	out := h.ok("show", string(id))
	if strings.Contains(out, future) || !strings.Contains(out, "clock was ahead") {
		t.Fatalf("show prints:\n%s", out)
	}
	if out := h.ok("show", string(id), "--history"); strings.Contains(out, future) {
		t.Fatalf("show --history prints:\n%s", out)
	}
	var shown struct {
		Created time.Time `json:"created"`
		History []struct {
			Time time.Time `json:"time"`
		} `json:"history"`
	}
	if err := json.Unmarshal([]byte(h.ok("show", string(id), "--json", "--history")), &shown); err != nil {
		t.Fatal(err)
	}
	if len(shown.History) != 1 || shown.History[0].Time.After(time.Now()) || shown.Created.After(time.Now()) {
		t.Fatalf("show --json --history: %+v", shown)
	}
}
