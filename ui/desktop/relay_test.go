package desktop

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/relay"
)

// fastRelay paces the relay loop for tests; idle is long so that only
// stored operations (or errors) start rounds after the first.
var fastRelay = relayTiming{start: 0, idle: time.Minute, settle: 300 * time.Millisecond, firstRetry: 20 * time.Millisecond, maxRetry: 80 * time.Millisecond}

func startRelay(t *testing.T) *relay.Relay {
	t.Helper()
	r, err := relay.Start(relay.Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func TestValidRelayURL(t *testing.T) {
	for _, ok := range []string{"", "nats://relay.example.org:4222", "tls://10.0.0.5:4222", "nats://user:secret@relay:4222",
		"nats://r1:4222,nats://r2:4222, nats://r3:4222", "nats://[::1]:4222"} {
		if err := validRelayURL(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"relay.example.org:4222", "http://relay:4222", "nats://relay", "nats://:4222", "nats://relay:99999",
		"nats://relay:4222/x", "nats://r1:4222,", "nats:relay:4222"} {
		if err := validRelayURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s := redactURL("nats://user:secret@relay:4222,nats://token@r2:4222"); strings.Contains(s, "secret") || strings.Contains(s, "token") {
		t.Errorf("redacted: %s", s)
	}
}

func TestRelaySettingAndRound(t *testing.T) {
	rl := startRelay(t)
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	u.relayTiming = fastRelay
	if u.browser.relayStatus.Visible() {
		t.Fatal("relay status shown without a relay")
	}

	// An address of the wrong shape: a message, and nothing stored.
	s := u.openSettings()
	s.relay.SetText("http://" + strings.TrimPrefix(rl.URL(), "nats://"))
	if err := s.relay.Validate(); err == nil || !strings.Contains(err.Error(), "nats://host:4222") {
		t.Fatalf("invalid address: %v", err)
	}
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Save"))
	testQueue.drain()
	if got := svc.Setting(settingRelay); got != "" {
		t.Fatalf("invalid address stored: %q", got)
	}
	if top := u.win.Canvas().Overlays().Top(); top == nil {
		t.Fatal("no message for an invalid address")
	} else {
		test.Tap(findButton(t, top, "OK"))
	}

	// A record written before the relay is set goes up in the first round.
	first := add(t, svc, app.KindNote, "Written before the relay", "", "andes", "CO", "regional-cooperation")
	s = u.openSettings()
	s.relay.SetText(rl.URL())
	test.Tap(findButton(t, u.win.Canvas().Overlays().Top(), "Save"))
	if got := svc.Setting(settingRelay); got != rl.URL() {
		t.Fatalf("stored %q", got)
	}
	eventually(t, "relay connected", func() bool {
		return strings.Contains(u.browser.relayStatus.Text, "relay: connected · last contact ")
	})
	if !u.browser.relayStatus.Visible() || !strings.Contains(u.peers.relay.Text, "last round: ↑") {
		t.Fatalf("status %q, People tab %q", u.browser.relayStatus.Text, u.peers.relay.Text)
	}

	// Another laptop of the workspace, in another venue, gets it.
	other := newStore(t, false)
	ws := svc.Workspace()
	if _, err := other.Join(ws.ID, ws.Secret[:16], ws.Title); err != nil {
		t.Fatal(err)
	}
	has := func(id app.RecordID) bool {
		t.Helper()
		if _, err := relay.Sync(context.Background(), other, rl.URL(), relay.SyncOptions{}); err != nil {
			t.Fatal(err)
		}
		r, err := other.Get(id)
		return err == nil && r != nil
	}
	if !has(first) {
		t.Fatal("the record did not reach the relay")
	}

	// A record written now: "1 to upload", then uploaded soon after.
	second := add(t, svc, app.KindNote, "Written with the relay set", "", "andes", "CO", "regional-cooperation")
	eventually(t, "operations to upload", func() bool { return strings.Contains(u.browser.relayStatus.Text, "1 to upload") })
	eventually(t, "the upload", func() bool {
		return strings.Contains(u.browser.relayStatus.Text, "connected") && !strings.Contains(u.browser.relayStatus.Text, "to upload")
	})
	if !has(second) {
		t.Fatal("the record written after the first round did not reach the relay")
	}

	// The language changes: the screens are rebuilt, the relay part stays.
	u.setLanguage("es")
	if !strings.Contains(u.browser.relayStatus.Text, "relé: conectado") {
		t.Fatalf("status in Spanish: %q", u.browser.relayStatus.Text)
	}
	u.setLanguage("en")

	// Cleared: the loop stops and the status bar loses its relay part.
	if err := u.setRelay(""); err != nil {
		t.Fatal(err)
	}
	testQueue.drain()
	if u.relayStop != nil || u.browser.relayStatus.Visible() || svc.Setting(settingRelay) != "" {
		t.Fatal("the relay was not cleared")
	}
}

func TestRelayUnreachableRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	svc := newStore(t, true)
	u := newTestUI(t, svc)
	u.relayTiming = fastRelay
	if err := u.setRelay("nats://" + addr); err != nil {
		t.Fatal(err)
	}
	eventually(t, "unreachable", func() bool {
		return strings.Contains(u.browser.relayStatus.Text, "relay: unreachable, retrying in ")
	})
	if !strings.Contains(u.peers.relay.Text, "cannot connect") {
		t.Fatalf("People tab: %q", u.peers.relay.Text)
	}
	// It keeps trying, the pause doubling up to its maximum.
	eventually(t, "the back-off at its maximum", func() bool { return u.relay.retryIn == fastRelay.maxRetry })
	u.Close()
	if u.relayStop != nil {
		t.Fatal("the loop outlived the window")
	}
}

// The People tab's relay line says what the last round left: messages
// refused, and messages sealed with a key this laptop lacks.
func TestRelayDetailCounts(t *testing.T) {
	st := relayState{url: "nats://relay:4222", contacted: true, last: time.Now(),
		res: relay.Result{Uploaded: 2, Downloaded: 5, Refused: 1, Unopened: 3}}
	d := st.detail()
	for _, want := range []string{"↑2 ↓5", "refused: 1", "sealed with a key this laptop lacks: 3"} {
		if !strings.Contains(d, want) {
			t.Errorf("%q lacks %q", d, want)
		}
	}
	st.res = relay.Result{Uploaded: 2}
	if d := st.detail(); strings.Contains(d, "refused") || strings.Contains(d, "lacks") {
		t.Errorf("a clean round's line: %q", d)
	}
}
