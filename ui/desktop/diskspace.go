package desktop

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cartagena-c40/consulta/app"
)

// diskCheckEvery is how often the banner asks whether the disk has room
// again; asking is also what opens a read-only store for writing again.
const diskCheckEvery = 5 * time.Second

// diskBanner says, above the list, that the disk is full: what is free,
// what is needed, and that saving and receiving from peers wait until
// there is room. It hides itself when the space is back.
type diskBanner struct {
	u       *UI
	label   *widget.Label
	content fyne.CanvasObject
	stop    chan struct{}
}

func newDiskBanner(u *UI) *diskBanner {
	d := &diskBanner{u: u, label: widget.NewLabel(""), stop: make(chan struct{})}
	d.label.Importance = widget.DangerImportance
	d.label.Wrapping = fyne.TextWrapWord
	d.label.Hide()
	d.content = d.label
	d.show(u.svc.Room())
	go d.watch()
	return d
}

// watch checks the disk every diskCheckEvery until close.
func (d *diskBanner) watch() {
	t := time.NewTicker(diskCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			err := d.u.svc.Room()
			dispatch(func() { d.show(err) })
		}
	}
}

func (d *diskBanner) close() {
	select {
	case <-d.stop:
	default:
		close(d.stop)
	}
}

// show shows the banner for err, a DiskFull error, or hides it for nil.
// It runs on the UI goroutine.
func (d *diskBanner) show(err error) {
	if app.KindOf(err) != app.DiskFull {
		d.label.Hide()
		return
	}
	d.label.SetText(diskFullText(err) + " " + lang.L("Until then nothing can be saved and nothing is received from other laptops; everything already saved can be read."))
	d.label.Show()
}

// diskFullText is a DiskFull error worded for the window, without the
// operation's name.
func diskFullText(err error) string {
	if e, ok := err.(*app.Error); ok {
		return lang.L("The disk is full:") + " " + e.Msg + "."
	}
	return err.Error()
}
