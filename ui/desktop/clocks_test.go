package desktop

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// TestClockWarningsShown: the Peers tab and the status line under the
// records name the laptop whose clock is off, and say when it is this one.
func TestClockWarningsShown(t *testing.T) {
	const year = 365 * 24 * time.Hour
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	fs := &fakeSync{peers: []app.Peer{
		{ID: "k1", Device: "aaaaaaaaaaaaaaaa", Name: "secretaria", Connected: true, ClockKnown: true, Clock: 2 * year},
		{ID: "k2", Device: "bbbbbbbbbbbbbbbb", Name: "relatoria", Connected: true, ClockKnown: true, Clock: 30 * time.Second},
	}}
	u.AttachSync(fs)
	testQueue.drain()
	want := "The clock of secretaria is 2 years ahead of the others'."
	if !u.peers.clocks.Visible() || !strings.Contains(u.peers.clocks.Text, want) {
		t.Fatalf("Peers tab: %q (shown %v)", u.peers.clocks.Text, u.peers.clocks.Visible())
	}
	if got := u.browser.syncStatus.Text; !strings.Contains(got, want) {
		t.Fatalf("status line: %q", got)
	}
	// Seen from the laptop whose clock is behind: it is this one.
	fs.peers[0].Clock, fs.peers[1].Clock = 3*30*24*time.Hour, 3*30*24*time.Hour+time.Minute
	u.peers.refresh()
	if want := "This laptop's clock is 3 months behind the others'"; !strings.Contains(u.peers.clocks.Text, want) {
		t.Fatalf("Peers tab: %q", u.peers.clocks.Text)
	}
	// Set right: the warning goes.
	fs.peers[0].Clock, fs.peers[1].Clock = 0, time.Second
	u.peers.refresh()
	if u.peers.clocks.Visible() || strings.Contains(u.browser.syncStatus.Text, "clock") {
		t.Fatalf("warning stays: %q / %q", u.peers.clocks.Text, u.browser.syncStatus.Text)
	}
}

// TestFutureDateNotShown: a note written on a laptop whose clock was two
// years ahead is shown as written at the latest now, marked, in the detail
// and its history.
func TestFutureDateNotShown(t *testing.T) {
	svc := newStore(t, true)
	svc.SetWallClock(func() time.Time { return time.Now().AddDate(2, 0, 0) })
	title := "Del futuro"
	id, err := svc.Create(app.KindNote, app.Patch{Title: &title, AddThemes: []app.ThemeCode{"broad-protection"}})
	if err != nil {
		t.Fatal(err)
	}
	svc.SetWallClock(nil)
	u := newTestUI(t, svc)
	r, err := svc.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	d := u.browser.detail
	d.show(r)
	future := time.Now().AddDate(2, 0, 0).Local().Format("2006-")
	var meta []string
	for _, o := range d.meta.Objects {
		meta = append(meta, o.(*widget.Label).Text)
	}
	text := strings.Join(meta, "\n")
	if strings.Contains(text, future) || !strings.Contains(text, "⚠") || !strings.Contains(text, "clock was ahead") {
		t.Fatalf("detail shows:\n%s", text)
	}
	for _, o := range d.history.Objects[1:] {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, future) {
			t.Fatalf("history shows %q", l.Text)
		}
	}
}
