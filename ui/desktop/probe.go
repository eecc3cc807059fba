package desktop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The probe tells the real-window tests (e2e/) where the app's widgets are,
// so that they can click and type with real X events (xdotool) into the real
// OpenGL window. It only reads: it moves nothing and presses nothing. It runs
// only when main is asked to start it (CONSULTA_E2E_PROBE names a Unix
// socket), and it is how those tests see the screen besides screenshots.
//
// Positions come from the driver's AbsolutePositionForObject, which in the
// real driver walks the canvas tree: a widget that the tree does not hold
// (the mistake that crashed the first drop-down click) is reported as
// missing rather than at a made-up place.

// listRows finds the rows a list made (a List's rows belong to its renderer,
// which no public API lists). Touched only on the UI goroutine.
var listRows = map[*widget.List]func() []fyne.CanvasObject{}

// ProbeNode is one widget as the probe reports it. Positions and sizes are in
// Fyne units relative to the window's canvas; Scale converts them to pixels.
type ProbeNode struct {
	Type     string   `json:"type"`
	Text     string   `json:"text,omitempty"`
	Hint     string   `json:"hint,omitempty"` // an entry's or select's placeholder
	Options  []string `json:"options,omitempty"`
	Selected []string `json:"selected,omitempty"`
	Checked  bool     `json:"checked,omitempty"`
	Disabled bool     `json:"disabled,omitempty"`
	Focused  bool     `json:"focused,omitempty"`
	X        float32  `json:"x"`
	Y        float32  `json:"y"`
	W        float32  `json:"w"`
	H        float32  `json:"h"`
	Overlay  bool     `json:"overlay,omitempty"` // in a pop-up or dialog
	// Hidden is set when no part of the node is inside the window and the
	// scrolled areas holding it; VX…VH is the part that is.
	Hidden bool    `json:"hidden,omitempty"`
	VX     float32 `json:"vx"`
	VY     float32 `json:"vy"`
	VW     float32 `json:"vw"`
	VH     float32 `json:"vh"`
}

// rect is a rectangle in canvas coordinates.
type rect struct{ x, y, w, h float32 }

func (r rect) intersect(o rect) rect {
	x0, y0 := max(r.x, o.x), max(r.y, o.y)
	x1, y1 := min(r.x+r.w, o.x+o.w), min(r.y+r.h, o.y+o.h)
	return rect{x0, y0, max(0, x1-x0), max(0, y1-y0)}
}

// ProbeWindow is one window and what it shows.
type ProbeWindow struct {
	Title string      `json:"title"`
	W     float32     `json:"w"`
	H     float32     `json:"h"`
	Scale float32     `json:"scale"`
	Nodes []ProbeNode `json:"nodes"`
}

// ServeProbe answers GET /tree on the Unix socket at path with every
// window's widgets as JSON ([]ProbeWindow). It returns a function that stops
// it.
func ServeProbe(a fyne.App, path string) (stop func(), err error) {
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/tree", func(w http.ResponseWriter, _ *http.Request) {
		var wins []ProbeWindow
		fyne.DoAndWait(func() { wins = probeWindows(a) })
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(wins)
	})
	srv := &http.Server{Handler: mux}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "consulta: probe:", err)
		}
	}()
	return func() { srv.Close(); os.Remove(path) }, nil
}

func probeWindows(a fyne.App) []ProbeWindow {
	var out []ProbeWindow
	for _, w := range a.Driver().AllWindows() {
		c := w.Canvas()
		pw := ProbeWindow{Title: w.Title(), W: c.Size().Width, H: c.Size().Height, Scale: c.Scale()}
		p := &prober{drv: a.Driver(), focused: c.Focused(), clip: rect{0, 0, c.Size().Width, c.Size().Height}}
		if c.Content() != nil {
			p.walk(c.Content())
		}
		p.overlay = true
		for _, o := range c.Overlays().List() {
			p.walk(o)
		}
		pw.Nodes = p.nodes
		out = append(out, pw)
	}
	return out
}

type prober struct {
	drv     fyne.Driver
	focused fyne.Focusable
	overlay bool
	clip    rect // what of the canvas the scrolled areas walked into show
	nodes   []ProbeNode
}

// within runs walk with the clip narrowed to n, a scrolled area.
func (p *prober) within(n ProbeNode, walk func()) {
	saved := p.clip
	p.clip = p.clip.intersect(n.rect())
	walk()
	p.clip = saved
}

// place sets what of n shows inside the clip.
func (p *prober) place(n *ProbeNode) {
	v := p.clip.intersect(n.rect())
	n.VX, n.VY, n.VW, n.VH = v.x, v.y, v.w, v.h
	n.Hidden = v.w < 1 || v.h < 1
}

func (n ProbeNode) rect() rect { return rect{n.X, n.Y, n.W, n.H} }

// walk reports o and what it holds, through the containers and the
// widgets whose parts are public; other widgets are reported as one node.
func (p *prober) walk(o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			p.walk(c)
		}
	case *container.Scroll:
		n := p.node(v, "Scroll")
		n.Text = map[container.ScrollDirection]string{container.ScrollBoth: "both", container.ScrollHorizontalOnly: "horizontal",
			container.ScrollVerticalOnly: "vertical", container.ScrollNone: "none"}[v.Direction]
		p.add(n)
		p.within(n, func() { p.walk(v.Content) })
	case *container.Split:
		p.walk(v.Leading)
		p.walk(v.Trailing)
	case *container.AppTabs:
		n := p.node(v, "AppTabs")
		for _, it := range v.Items {
			n.Options = append(n.Options, it.Text)
		}
		p.tabs(n, v)
		if s := v.Selected(); s != nil {
			n.Selected = []string{s.Text}
			p.add(n)
			p.walk(s.Content)
		} else {
			p.add(n)
		}
	case *widget.PopUp:
		p.walk(v.Content)
	case *widget.PopUpMenu:
		menu := p.node(v, "PopUpMenu")
		p.add(menu)
		p.within(menu, func() { // a long menu scrolls within itself
			for _, it := range v.Items {
				n := p.describe(it)
				n.Text = menuItemLabel(it)
				p.add(n)
			}
		})
	case *widget.Form:
		form := p.node(v, "")
		for _, it := range v.Items {
			if it.Widget == nil || !it.Widget.Visible() {
				continue
			}
			// The item's label is the form's own text: report it on
			// the row of its widget, between the form's edge and it.
			w := p.node(it.Widget, "")
			l := ProbeNode{Type: "Label", Text: it.Text, Overlay: p.overlay, X: form.X, Y: w.Y, W: max(0, w.X-form.X), H: w.H}
			p.place(&l)
			p.add(l)
			p.walk(it.Widget)
		}
	case *widget.Card:
		p.walk(v.Content)
	case *widget.Accordion:
		p.accordion(v)
	case *widget.List:
		n := p.describe(v)
		p.add(n)
		if rows := listRows[v]; rows != nil {
			p.within(n, func() {
				for _, r := range rows() {
					if p.drv.CanvasForObject(r) != nil && r.Visible() {
						p.walk(r)
					}
				}
			})
		}
	case *recordRow:
		n := p.node(v, "RecordRow")
		n.Text = v.title.Text
		n.Checked = v.check.Checked
		p.add(n)
		p.walk(v.check)
	case *draftRow:
		n := p.node(v, "DraftRow")
		n.Text = v.probeText()
		p.add(n)
	default:
		if c := contentOf(o); c != nil { // an overlay container, for one
			p.walk(c)
			return
		}
		p.add(p.describe(o))
	}
}

// contentOf is the exported Content field of a widget of a type this file
// cannot name (Fyne's internal overlay container holds pop-up menus so).
func contentOf(o fyne.CanvasObject) fyne.CanvasObject {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Content")
	if !f.IsValid() || !f.CanInterface() {
		return nil
	}
	c, _ := f.Interface().(fyne.CanvasObject)
	return c
}

// menuItemLabel reads the label of one of a menu's items, whose type is
// unexported; reflection may read, not change, an unexported field.
func menuItemLabel(o fyne.CanvasObject) string {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	it := v.Elem().FieldByName("Item")
	if !it.IsValid() || it.Kind() != reflect.Pointer || it.IsNil() {
		return ""
	}
	if l := it.Elem().FieldByName("Label"); l.IsValid() && l.Kind() == reflect.String {
		return l.String()
	}
	return ""
}

func (p *prober) describe(o fyne.CanvasObject) ProbeNode {
	switch v := o.(type) {
	case *widget.Button:
		n := p.node(v, "Button")
		n.Text, n.Disabled = v.Text, v.Disabled()
		return n
	case *escEntry:
		return p.entry(v, &v.Entry)
	case *widget.Entry:
		return p.entry(v, v)
	case *codeSelect:
		return p.sel(v, &v.Select)
	case *widget.Select:
		return p.sel(v, v)
	case *codeChecks:
		return p.checks(v, &v.CheckGroup)
	case *widget.CheckGroup:
		return p.checks(v, v)
	case *widget.Check:
		n := p.node(v, "Check")
		n.Text, n.Checked, n.Disabled = v.Text, v.Checked, v.Disabled()
		return n
	case *widget.Label:
		n := p.node(v, "Label")
		n.Text = v.Text
		return n
	case *widget.Hyperlink:
		n := p.node(v, "Hyperlink")
		n.Text = v.Text
		return n
	case *widget.List:
		n := p.node(v, "List")
		n.Text = fmt.Sprint(v.Length())
		return n
	case *widget.RichText:
		n := p.node(v, "RichText")
		n.Text = v.String()
		return n
	case *canvas.Text:
		n := p.node(v, "Text")
		n.Text = v.Text
		return n
	}
	t := fmt.Sprintf("%T", o)
	return p.node(o, t[strings.LastIndexAny(t, ".*")+1:])
}

func (p *prober) entry(o fyne.CanvasObject, e *widget.Entry) ProbeNode {
	n := p.node(o, "Entry")
	n.Text, n.Hint, n.Disabled = e.Text, e.PlaceHolder, e.Disabled()
	if e.Password {
		n.Text = strings.Repeat("•", len([]rune(e.Text)))
	}
	return n
}

func (p *prober) sel(o fyne.CanvasObject, s *widget.Select) ProbeNode {
	n := p.node(o, "Select")
	n.Text, n.Hint, n.Options, n.Disabled = s.Selected, s.PlaceHolder, s.Options, s.Disabled()
	return n
}

func (p *prober) checks(o fyne.CanvasObject, g *widget.CheckGroup) ProbeNode {
	n := p.node(o, "CheckGroup")
	n.Options, n.Selected, n.Disabled = g.Options, g.Selected, g.Disabled()
	return n
}

// node places o. An object that the driver cannot find in any canvas is
// reported with Type "missing:…" so that a test can fail on it.
func (p *prober) node(o fyne.CanvasObject, typ string) ProbeNode {
	n := ProbeNode{Type: typ, Overlay: p.overlay, W: o.Size().Width, H: o.Size().Height}
	if p.drv.CanvasForObject(o) == nil {
		n.Type = "missing:" + typ
		return n
	}
	pos := p.drv.AbsolutePositionForObject(o)
	n.X, n.Y = pos.X, pos.Y
	p.place(&n)
	if f, ok := o.(fyne.Focusable); ok && p.focused != nil && f == p.focused {
		n.Focused = true
	}
	return n
}

// tabs reports where an AppTabs' tab buttons are, as Fyne's tab bar lays
// them out (its buttons are its renderer's): left to right along the top,
// each the width of its bold label and inner padding, a padding apart. The
// tests check the selected tab after a click, so a drift in this layout
// shows as a failure.
func (p *prober) tabs(n ProbeNode, t *container.AppTabs) {
	pad, inner := theme.Padding(), theme.InnerPadding()
	h := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{Bold: true}).Height + 2*inner
	x := n.X
	for _, it := range t.Items {
		w := fyne.MeasureText(it.Text, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*inner
		tab := ProbeNode{Type: "Tab", Text: it.Text, Overlay: p.overlay, X: x, Y: n.Y, W: w, H: h}
		p.place(&tab)
		tab.Checked = t.Selected() == it
		p.add(tab)
		x += w + pad
	}
}

// accordion reports each item's header (a button of the accordion's
// renderer) as an "AccordionHeader" node, Checked when open, and walks the
// open items. Headers are stacked a padding apart, each open one followed
// by its detail; a header's height is read off the first open item.
func (p *prober) accordion(a *widget.Accordion) {
	acc := p.node(a, "")
	pad := theme.Padding()
	headerH := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{Bold: true}).Height + 2*theme.InnerPadding()
	for _, it := range a.Items {
		if it.Open && it.Detail != nil {
			headerH = p.node(it.Detail, "").Y - pad - acc.Y
			break
		}
	}
	y := acc.Y
	for _, it := range a.Items {
		h := ProbeNode{Type: "AccordionHeader", Text: it.Title, Checked: it.Open, Overlay: p.overlay, X: acc.X, Y: y, W: acc.W, H: headerH}
		p.place(&h)
		p.add(h)
		y += headerH
		if it.Open && it.Detail != nil {
			d := p.node(it.Detail, "")
			y = d.Y + d.H
			p.walk(it.Detail)
		}
		y += pad
	}
}

func (p *prober) add(n ProbeNode) { p.nodes = append(p.nodes, n) }
