package desktop

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/invite"
)

// fakeSync stands in for sync/replication, the network boundary.
type fakeSync struct {
	peers []app.Peer
	added []string
}

func (f *fakeSync) Serve(ctx context.Context) error                           { <-ctx.Done(); return nil }
func (f *fakeSync) SyncOnce(context.Context, []string) error                  { return nil }
func (f *fakeSync) Discover(context.Context, time.Duration) ([]string, error) { return nil, nil }
func (f *fakeSync) AddPeer(addr string)                                       { f.added = append(f.added, addr) }
func (f *fakeSync) Peers() ([]app.Peer, error)                                { return f.peers, nil }

func TestJoinFromFirstRun(t *testing.T) {
	member := newStore(t, true)
	ws := member.Workspace()
	code := invite.Encode(string(ws.ID), ws.Secret)

	svc := newStore(t, false)
	u := newTestUI(t, svc)
	f := u.first
	test.Type(f.code, "not a code")
	test.Tap(f.join)
	if !f.message.Visible() || svc.Workspace() != nil {
		t.Fatal("a bad code was not refused with a message")
	}
	f.code.SetText(strings.ToLower(code)) // people type codes in lower case too
	test.Type(f.peer, "192.168.1.20")
	test.Tap(f.join)
	if got := svc.Workspace(); got == nil || got.ID != ws.ID {
		t.Fatalf("joined %+v, want workspace %s", got, ws.ID)
	}
	if u.browser == nil {
		t.Fatal("not on the main screen after joining")
	}
	// Sync starts after the join; the peer typed then is dialled.
	fs := &fakeSync{}
	u.AttachSync(fs)
	testQueue.drain()
	if len(fs.added) != 1 || fs.added[0] != "192.168.1.20:24040" {
		t.Fatalf("peers dialled: %v", fs.added)
	}
}

func TestPeersScreenAndInvite(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	fs := &fakeSync{peers: []app.Peer{
		{ID: "k1", Device: "aaaaaaaaaaaaaaaa", Name: "secretaria", Addr: "10.0.0.2:24040", Connected: true, LastSync: time.Now(), Pending: 37},
		{ID: "k2", Device: "bbbbbbbbbbbbbbbb", Name: "relatoria"},
	}}
	u.AttachSync(fs)
	testQueue.drain()
	if n := len(u.peers.list.Objects); n != 2 {
		t.Fatalf("%d peers shown", n)
	}
	if got := u.peers.list.Objects[0].(*widget.Label).Text; !strings.Contains(got, "secretaria") || !strings.Contains(got, "operations pending: 37") {
		t.Fatalf("connected peer shown as %q", got)
	}
	if got := u.browser.syncStatus.Text; !strings.Contains(got, "1 connected") {
		t.Fatalf("sync indicator: %q", got)
	}
	u.addPeer("10.0.0.9:24040")
	if len(fs.added) != 1 {
		t.Fatal("adding a peer did not reach sync")
	}
	// The invite carries this workspace's code, and a QR code of it.
	code := u.inviteCode()
	id, key, err := invite.Decode(code)
	if err != nil || id != string(svc.Workspace().ID) || string(key) != string(svc.Workspace().Secret[:invite.KeySize]) {
		t.Fatalf("invite code %q: %v", code, err)
	}
	if img, err := qrImage(code); err != nil || img.Bounds().Dx() < 200 {
		t.Fatalf("QR code: %v", err)
	}
	u.peers.showInvite()
	if u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no invite dialog")
	}
}

func TestSyncUnavailableIsShown(t *testing.T) {
	svc := newStore(t, true)
	u := newTestUI(t, svc)
	u.SyncUnavailable(errors.New("listen tcp :24040: address already in use"))
	testQueue.drain()
	if got := u.browser.syncStatus.Text; !strings.Contains(got, "address already in use") {
		t.Fatalf("status: %q", got)
	}
}
