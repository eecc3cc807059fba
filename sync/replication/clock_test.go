package replication

import (
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// memberSkewed is member for a laptop whose clock is the system clock
// shifted by d from the start (a flat CMOS battery), named by its name.
func (l *laptop) memberSkewed(name string, d time.Duration) *laptop {
	svc := newStore(l.t)
	svc.SetWallClock(func() time.Time { return time.Now().Add(d) })
	ws := l.svc.Workspace()
	if _, err := svc.Join(ws.ID, ws.Secret[:transport.JoinKeySize], ""); err != nil {
		l.t.Fatal(err)
	}
	if err := svc.SetSetting("name", name); err != nil {
		l.t.Fatal(err)
	}
	return &laptop{t: l.t, name: name, svc: svc, log: &logBuf{}}
}

// nextTick is the timestamp of the next operation l writes: a note's
// creation, read back from its history.
func (l *laptop) nextTick(title string) (app.RecordID, app.HLC) {
	l.t.Helper()
	id, err := l.svc.Create(app.KindNote, app.Patch{Title: &title, AddThemes: []app.ThemeCode{"broad-protection"}})
	if err != nil {
		l.t.Fatal(err)
	}
	ops, err := l.svc.History(id)
	if err != nil {
		l.t.Fatal(err)
	}
	return id, ops[0].HLC
}

func (l *laptop) title(id app.RecordID) string {
	r, err := l.svc.Get(id)
	if err != nil {
		return ""
	}
	return r.Title
}

// TestWrongClocksAcrossSync: three laptops in live sync over loopback, b's
// clock two years ahead and c's a year behind. Every note reaches every
// laptop; nobody's clock is dragged past app.MaxClockOffset ahead of its own
// wall time; each laptop's warnings name the right laptop; and an edit made
// after receiving a note stamped two years ahead still takes effect.
func TestWrongClocksAcrossSync(t *testing.T) {
	const year = 365 * 24 * time.Hour
	a := founder(t, "laptop-a")
	if err := a.svc.SetSetting("name", a.name); err != nil {
		t.Fatal(err)
	}
	b, c := a.memberSkewed("laptop-b", 2*year), a.memberSkewed("laptop-c", -year)
	ra, addrA := a.serve(Options{})
	rb, addrB := b.serve(Options{Peers: []string{addrA}})
	rc, _ := c.serve(Options{Peers: []string{addrA, addrB}})
	laptops := []*laptop{a, b, c}

	a.notes(3, "a")
	b.notes(3, "b")
	c.notes(3, "c")
	fromB, _ := b.nextTick("del futuro")
	waitFor(t, 10*time.Second, "all notes everywhere", func() bool {
		return a.count() == 10 && b.count() == 10 && c.count() == 10
	})

	// Each laptop's next timestamp is within the bound of its own clock,
	// though a and c have received b's, two years ahead (and c a's).
	for _, l := range laptops {
		_, h := l.nextTick("después de " + l.name)
		if limit := l.svc.Now().Add(app.MaxClockOffset); h.Time().After(limit) {
			t.Errorf("%s's clock was dragged to %v (its wall clock says %v)", l.name, h.Time(), l.svc.Now())
		}
	}

	// The warnings, as each laptop's screens read them.
	type want struct {
		self bool
		name string
		off  time.Duration
	}
	for _, tc := range []struct {
		l    *laptop
		r    *Service
		want []want
	}{
		{a, ra, []want{{name: "laptop-b", off: 2 * year}, {name: "laptop-c", off: -year}}},
		{b, rb, []want{{self: true, off: 2 * year}, {name: "laptop-c", off: -year}}},
		{c, rc, []want{{self: true, off: -year}, {name: "laptop-b", off: 2 * year}}},
	} {
		var got []app.ClockSkew
		waitFor(t, 5*time.Second, tc.l.name+" sees two peers' clocks", func() bool {
			peers, err := tc.r.Peers()
			if err != nil {
				t.Fatal(err)
			}
			got = app.ClockSkews(peers)
			return len(got) == len(tc.want)
		})
		for i, w := range tc.want {
			g := got[i]
			if g.Self != w.self || g.Name != w.name || g.Relative || (g.Offset-w.off).Abs() > time.Minute {
				t.Errorf("%s warns %+v, want %+v", tc.l.name, g, w)
			}
		}
	}

	// a edits b's note, stamped two years ahead, after receiving it; then c
	// does, after receiving a's edit. Each edit takes effect everywhere.
	for _, e := range []struct {
		l     *laptop
		title string
	}{{a, "corregida por a"}, {c, "corregida por c"}} {
		if err := e.l.svc.Update(fromB, app.Patch{Title: &e.title}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, e.title+" everywhere", func() bool {
			return a.title(fromB) == e.title && b.title(fromB) == e.title && c.title(fromB) == e.title
		})
	}
	// Editing the far-ahead note did not drag a's clock either.
	if _, h := a.nextTick("al final"); h.Time().After(time.Now().Add(app.MaxClockOffset)) {
		t.Errorf("editing b's note dragged a's clock to %v", h.Time())
	}
	// a shows b's note as written at the latest now, marked, not in two years.
	r, err := a.svc.Get(fromB)
	if err != nil {
		t.Fatal(err)
	}
	if !r.CreatedAhead() || r.CreatedTime().After(time.Now()) || r.UpdatedTime().After(time.Now()) {
		t.Errorf("a shows b's note as created %v, updated %v", r.CreatedTime(), r.UpdatedTime())
	}
	if t.Failed() {
		for _, l := range laptops {
			t.Logf("%s:\n%s", l.name, l.log)
		}
	}
}
