package desktop

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/invite"
)

// AttachSync gives the window the service that syncs with peers: the
// People tab's peers and the sync indicator come alive. main calls it
// from the goroutine that starts sync, once a workspace exists.
func (u *UI) AttachSync(r app.Replicator) {
	dispatch(func() {
		u.sync = r
		for _, addr := range u.pendingPeers {
			r.AddPeer(addr)
		}
		u.pendingPeers = nil
		if u.peers != nil {
			u.peers.refresh()
		}
	})
	if u.syncTicking {
		return // attached again (the store was reopened): one ticker is enough
	}
	u.syncTicking = true
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-u.stopSync:
				return
			case <-t.C:
				dispatch(func() {
					if u.peers != nil {
						u.peers.refresh()
					}
				})
			}
		}
	}()
}

// SyncUnavailable tells the user that sync could not start or stopped, and
// why. It may be called from any goroutine.
func (u *UI) SyncUnavailable(err error) {
	dispatch(func() {
		text := lang.L("Sync is not running:") + " " + err.Error()
		if u.peers != nil {
			u.peers.status.SetText(text)
		}
		if u.browser != nil {
			u.browser.syncStatus.SetText(text)
		}
	})
}

// peersScreen is the People tab: the workspace's members with their
// roles and laptops (members.go), and the laptops this one syncs with,
// adding one by address and showing the join code other laptops need.
type peersScreen struct {
	u       *UI
	content fyne.CanvasObject
	list    *fyne.Container
	status  *widget.Label // also shown under the record list
	clocks  *widget.Label // whose clock is off, when one is
	relay   *widget.Label // the relay between venues, and why it failed (relay.go)
	add     *widget.Button
	invite  *widget.Button

	whoami     *widget.Label   // who this laptop is, and its role
	found      *widget.Button  // a workspace without roles: give it roles (app.Service.Found)
	roleNote   *widget.Label   // why this laptop's member may not grant or remove
	members    *fyne.Container // one memberRow's box per member
	rows       []*memberRow
	membersSig string // what members shows, to rebuild it only when that changes
}

func newPeersScreen(u *UI) *peersScreen {
	p := &peersScreen{u: u, list: container.NewVBox(), status: widget.NewLabel(""), clocks: widget.NewLabel("")}
	p.clocks.Wrapping = fyne.TextWrapWord
	p.clocks.Importance = widget.WarningImportance
	p.clocks.Hide()
	p.relay = widget.NewLabel("")
	p.relay.Wrapping = fyne.TextWrapWord
	p.add = widget.NewButtonWithIcon(lang.L("Add a peer by address"), theme.ContentAddIcon(), p.showAdd)
	p.invite = widget.NewButtonWithIcon(lang.L("Invite a laptop"), theme.ComputerIcon(), p.showInvite)
	intro := widget.NewLabel(lang.L("Laptops of this workspace on the same network find each other by themselves. If the network blocks that, add a peer by its address (host:port)."))
	intro.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(heading(lang.L("Laptops this one syncs with")), intro, container.NewHBox(p.add, p.invite), p.clocks, p.relay, widget.NewSeparator())
	sync := container.NewBorder(top, nil, nil, nil, container.NewVScroll(p.list))

	p.whoami = widget.NewLabel("")
	p.whoami.Wrapping = fyne.TextWrapWord
	p.roleNote = newRoleNote()
	p.members = container.NewVBox()
	p.found = widget.NewButtonWithIcon(lang.L("Give this workspace roles…"), theme.AccountIcon(), p.confirmFound)
	p.found.Hide()
	people := container.NewBorder(container.NewVBox(heading(lang.L("Members")), p.whoami, container.NewHBox(p.found), p.roleNote, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(p.members))
	split := container.NewHSplit(people, sync)
	split.Offset = 0.55
	p.content = container.NewBorder(nil, p.status, nil, nil, split)
	p.refreshMembers()
	p.refresh()
	return p
}

// refresh shows the peers as the sync service sees them now.
func (p *peersScreen) refresh() {
	r := p.u.sync
	if r == nil {
		p.status.SetText(lang.L("Sync: starting…"))
		return
	}
	peers, err := r.Peers()
	if err != nil {
		p.status.SetText(lang.L("Sync") + ": " + err.Error())
		return
	}
	connected := 0
	var last time.Time
	p.list.Objects = nil
	for _, pe := range peers {
		state := lang.L("not connected")
		if pe.Connected {
			state = lang.L("connected")
			connected++
		}
		synced := lang.L("never")
		if !pe.LastSync.IsZero() {
			synced = pe.LastSync.Local().Format("2006-01-02 15:04:05")
			if pe.LastSync.After(last) {
				last = pe.LastSync
			}
		}
		name := pe.Name
		if name == "" {
			name = string(pe.Device)
		}
		addr := pe.Addr
		if addr == "" {
			addr = lang.L("(does not accept connections)")
		}
		line := fmt.Sprintf("%s — %s\n%s · %s: %s", name, state, addr, lang.L("last sync"), synced)
		if pe.Connected {
			line += " · " + lang.L("operations pending: {{.N}}", map[string]any{"N": pe.Pending})
		}
		if pe.Outdated {
			line += "\n" + lang.L("This laptop runs an older Consulta that cannot read drafts: it gets no draft, nor what their authors wrote after them, until Consulta is updated there.")
		}
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		p.list.Add(l)
	}
	if len(peers) == 0 {
		p.list.Add(widget.NewLabel(lang.L("No peer yet.")))
	}
	p.list.Refresh()
	text := lang.L("Sync: {{.N}} connected", map[string]any{"N": connected})
	if !last.IsZero() {
		text += " · " + lang.L("last sync") + " " + last.Local().Format("15:04:05")
	}
	if warn := clockWarnings(app.ClockSkews(peers)); len(warn) > 0 {
		p.clocks.SetText(strings.Join(warn, "\n"))
		p.clocks.Show()
		text += " · " + strings.Join(warn, " ")
	} else {
		p.clocks.Hide()
		p.relay = widget.NewLabel("")
		p.relay.Wrapping = fyne.TextWrapWord
	}
	p.status.SetText(text)
	if b := p.u.browser; b != nil {
		b.syncStatus.SetText(text)
	}
	if ws := p.u.svc.Workspace(); ws != nil {
		p.u.win.SetTitle("Consulta · " + ws.Title)
	}
}

func (p *peersScreen) showAdd() {
	entry := widget.NewEntry()
	entry.SetPlaceHolder(fmt.Sprintf("192.168.1.20:%d", app.DefaultSyncPort))
	dialog.ShowForm(lang.L("Add a peer by address"), lang.L("Add"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Address"), entry)}, func(ok bool) {
			if ok {
				p.u.addPeer(entry.Text)
			}
		}, p.u.win)
}

// addPeer dials addr now if sync runs, or as soon as it starts.
func (u *UI) addPeer(addr string) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return
	}
	if !strings.Contains(addr, ":") {
		addr = fmt.Sprintf("%s:%d", addr, app.DefaultSyncPort)
	}
	if u.sync != nil {
		u.sync.AddPeer(addr)
	} else {
		u.pendingPeers = append(u.pendingPeers, addr)
	}
}

// inviteCode is this workspace's join code.
func (u *UI) inviteCode() string {
	ws := u.svc.Workspace()
	return invite.Encode(string(ws.ID), ws.Secret)
}

func (p *peersScreen) showInvite() {
	code := p.u.inviteCode()
	text := widget.NewLabel(code)
	text.TextStyle.Monospace = true
	text.Selectable = true
	warn := widget.NewLabel(lang.L("Whoever has this code can read and write everything in this workspace. Give it only to the people of the consultation."))
	warn.Wrapping = fyne.TextWrapWord
	var qr fyne.CanvasObject = widget.NewLabel("")
	if img, err := qrImage(code); err == nil {
		c := canvas.NewImageFromImage(img)
		c.FillMode = canvas.ImageFillContain
		c.SetMinSize(fyne.NewSize(240, 240))
		qr = c
	}
	d := dialog.NewCustom(lang.L("Invite a laptop"), lang.L("Close"), container.NewVBox(qr, text, warn), p.u.win)
	d.Resize(fyne.NewSize(560, 480))
	d.Show()
}

// qrImage draws code as a QR code.
func qrImage(code string) (image.Image, error) {
	b, err := qrcode.Encode(code, qrcode.Medium, 256)
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(b))
}
