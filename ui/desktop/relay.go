package desktop

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/relay"
)

// settingRelay names the local setting that keeps the relay's URL (with
// its credentials, nats://user:password@host:4222); empty means no relay.
const settingRelay = "relay-url"

// relayTiming paces the relay loop: as `consulta sync --relay URL` does
// (ui/cli/relay.go), a round every idle, and soon (settle) after this
// laptop stores operations; after an error, again in firstRetry, doubling
// up to maxRetry. Tests shorten them.
type relayTiming struct {
	start      time.Duration // before the first round
	idle       time.Duration
	settle     time.Duration // after operations were stored, before the round
	firstRetry time.Duration
	maxRetry   time.Duration
}

var defaultRelayTiming = relayTiming{
	start:      time.Second,
	idle:       10 * time.Second,
	settle:     500 * time.Millisecond,
	firstRetry: time.Second,
	maxRetry:   60 * time.Second,
}

// relayState is what the status bar and the People tab show of the relay.
// It belongs to the UI goroutine; the loop sends copies through dispatch.
type relayState struct {
	url       string
	contacted bool          // the last round succeeded
	failed    error         // the last round's error, nil after a success
	retryIn   time.Duration // when failed: the pause before the next round
	last      time.Time     // the last successful round's end
	res       relay.Result  // what the last successful round moved
	toUpload  int           // operations stored here since then; -1 unknown
}

// validRelayURL checks the shape of a relay address: one or more
// comma-separated nats:// or tls:// URLs with a host and a port.
func validRelayURL(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	bad := errors.New(lang.L("A relay address looks like nats://host:4222 or tls://host:4222 (with user:password@ before the host if the relay asks for them; several separated by commas)."))
	for _, part := range strings.Split(s, ",") {
		u, err := url.Parse(strings.TrimSpace(part))
		if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Hostname() == "" || u.Opaque != "" {
			return bad
		}
		if p, err := strconv.Atoi(u.Port()); err != nil || p < 1 || p > 65535 {
			return bad
		}
		if u.Path != "" && u.Path != "/" {
			return bad
		}
	}
	return nil
}

// setRelay stores the relay's URL and (re)starts or stops the loop. Call
// it on the UI goroutine.
func (u *UI) setRelay(raw string) error {
	raw = strings.TrimSpace(raw)
	if err := validRelayURL(raw); err != nil {
		return err
	}
	if raw == u.svc.Setting(settingRelay) && (raw == "") == (u.relayStop == nil) {
		return nil
	}
	if err := u.svc.SetSetting(settingRelay, raw); err != nil {
		return err
	}
	u.startRelay()
	return nil
}

// startRelay runs the relay loop for the stored URL, stopping the one
// that ran before; no URL, no loop. Call it on the UI goroutine.
func (u *UI) startRelay() {
	if u.relayStop != nil {
		u.relayStop()
		u.relayStop = nil
	}
	url := u.svc.Setting(settingRelay)
	u.relay = relayState{url: url, toUpload: -1}
	u.showRelay()
	if url == "" || u.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	u.relayStop = cancel
	go u.runRelay(ctx, url, u.relayTiming)
}

// runRelay does relay rounds with url until ctx is cancelled.
func (u *UI) runRelay(ctx context.Context, url string, tm relayTiming) {
	st := relayState{url: url, toUpload: -1}
	var base uint64 // the vector's total after the last successful round
	retry := tm.firstRetry
	pause := tm.start
	var changed <-chan struct{} // nil before the first round and after an error: only the timer
	for {
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-changed:
			t.Stop()
			if st.contacted {
				st.toUpload = max(0, int(vectorTotal(u.svc)-base))
				u.publishRelay(ctx, st)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(tm.settle):
			}
		}
		changed = u.svc.OpsChanged()
		res, err := relay.Sync(ctx, u.svc, url, relay.SyncOptions{})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			st.contacted, st.failed, st.retryIn = false, err, retry
			if st.toUpload >= 0 {
				st.toUpload = max(0, int(vectorTotal(u.svc)-base))
			}
			pause, retry = retry, min(2*retry, tm.maxRetry)
			changed = nil // keep the back-off
		} else {
			base = vectorTotal(u.svc)
			st = relayState{url: url, contacted: true, last: time.Now(), res: res}
			pause, retry = tm.idle, tm.firstRetry
		}
		u.publishRelay(ctx, st)
	}
}

// publishRelay shows st, unless the loop was stopped meanwhile.
func (u *UI) publishRelay(ctx context.Context, st relayState) {
	dispatch(func() {
		if ctx.Err() != nil {
			return
		}
		u.relay = st
		u.showRelay()
	})
}

// vectorTotal counts the operations stored here.
func vectorTotal(svc *app.Service) uint64 {
	v, err := svc.Vector()
	if err != nil {
		return 0
	}
	var n uint64
	for _, s := range v {
		n += s
	}
	return n
}

// stopRelay stops the loop (the app quits).
func (u *UI) stopRelay() {
	if u.relayStop != nil {
		u.relayStop()
		u.relayStop = nil
	}
}

// relayText is the status bar's relay part, "" without a relay.
func (s relayState) text() string {
	if s.url == "" {
		return ""
	}
	var parts []string
	switch {
	case s.contacted:
		parts = append(parts, lang.L("relay: connected · last contact {{.Time}}", map[string]any{"Time": s.last.Local().Format("15:04")}))
	case s.failed != nil:
		parts = append(parts, lang.L("relay: unreachable, retrying in {{.N}} s", map[string]any{"N": int((s.retryIn + time.Second - 1) / time.Second)}))
		if !s.last.IsZero() {
			parts = append(parts, lang.L("last contact {{.Time}}", map[string]any{"Time": s.last.Local().Format("15:04")}))
		}
	default:
		parts = append(parts, lang.L("relay: connecting…"))
	}
	if s.toUpload > 0 {
		parts = append(parts, lang.L("{{.N}} to upload", map[string]any{"N": s.toUpload}))
	}
	return strings.Join(parts, " · ")
}

// detail is the People tab's longer account: the last round's counts, or
// why the relay could not be reached.
func (s relayState) detail() string {
	if s.url == "" {
		return lang.L("No relay between venues (set one in Settings).")
	}
	text := lang.L("Relay between venues") + ": " + redactURL(s.url) + "\n" + s.text()
	if s.failed != nil {
		text += "\n" + s.failed.Error()
	} else if s.contacted {
		text += "\n" + lang.L("last round: ↑{{.Up}} ↓{{.Down}}", map[string]any{"Up": s.res.Uploaded, "Down": s.res.Downloaded})
		if s.res.Refused > 0 {
			text += " · " + lang.L("refused: {{.N}}", map[string]any{"N": s.res.Refused})
		}
		if s.res.Unopened > 0 {
			text += " · " + lang.L("sealed with a key this laptop lacks: {{.N}}", map[string]any{"N": s.res.Unopened})
		}
	}
	return text
}

// redactURL hides a password or token in the relay's URL.
func redactURL(s string) string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		u, err := url.Parse(strings.TrimSpace(part))
		if err != nil || u.User == nil {
			out = append(out, part)
			continue
		}
		u.User = url.User("***")
		out = append(out, u.String())
	}
	return strings.Join(out, ",")
}

// showRelay shows u.relay in the status bar and the People tab.
func (u *UI) showRelay() {
	text := u.relay.text()
	if b := u.browser; b != nil && b.relayStatus != nil {
		b.relayStatus.SetText(text)
		if text == "" {
			b.relayStatus.Hide()
		} else {
			b.relayStatus.Show()
		}
	}
	if p := u.peers; p != nil && p.relay != nil {
		p.relay.SetText(u.relay.detail())
	}
}
