package app

import (
	"testing"
	"time"
)

// wall is a settable wall clock.
type wall struct{ t time.Time }

func (w *wall) now() time.Time { return w.t }

var room = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// TestClockObserveBounded: a timestamp from a clock years ahead moves this
// clock no further than MaxClockOffset ahead of its wall time, and one within
// the bound is followed as any hybrid clock follows it.
func TestClockObserveBounded(t *testing.T) {
	w := &wall{room}
	at := func(d time.Duration) HLC { return MakeHLC(room.Add(d).UnixMilli(), 0) }
	for _, tc := range []struct {
		name    string
		seen    HLC
		ahead   bool
		atMost  HLC // the next Tick is at most this
		atLeast HLC
	}{
		{"two years ahead", at(2 * 365 * 24 * time.Hour), true, at(MaxClockOffset) + 1, at(0)},
		{"an hour ahead", at(time.Hour), true, at(MaxClockOffset) + 1, at(0)},
		{"just past the bound", at(MaxClockOffset) + 1, true, at(MaxClockOffset) + 1, at(0)},
		{"within the bound", at(3 * time.Minute), false, at(3*time.Minute) + 1, at(3*time.Minute) + 1},
		{"at the bound", at(MaxClockOffset), false, at(MaxClockOffset) + 1, at(MaxClockOffset) + 1},
		{"behind", at(-365 * 24 * time.Hour), false, at(0), at(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Clock{Now: w.now}
			if got := c.Observe(tc.seen); got != tc.ahead {
				t.Errorf("Observe says ahead=%v, want %v", got, tc.ahead)
			}
			h := c.Tick()
			if h > tc.atMost || h < tc.atLeast {
				t.Errorf("next tick %v (%v), want between %v and %v", h, h.Time(), tc.atLeast.Time(), tc.atMost.Time())
			}
		})
	}
}

// TestClockNotDraggedForGood: after seeing a far-future timestamp, once the
// wall clock has moved on the clock ticks at the wall time again, instead of
// staying at the future for good as an unbounded hybrid clock would.
func TestClockNotDraggedForGood(t *testing.T) {
	w := &wall{room}
	c := &Clock{Now: w.now}
	for i := range 100 { // a laptop at 2031 sends all day
		w.t = room.Add(time.Duration(i) * time.Minute)
		c.Observe(MakeHLC(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 0))
		if h := c.Tick(); h.Time().After(w.t.Add(MaxClockOffset)) {
			t.Fatalf("at %v the clock ticks %v", w.t, h.Time())
		}
	}
	// A clock that was wrong here and is set right: the laptop's own last
	// operation, found at start-up, is from the future.
	w.t = room
	c = &Clock{Now: w.now}
	c.Observe(MakeHLC(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 0))
	if h := c.Tick(); h.Time().After(room.Add(MaxClockOffset)) {
		t.Fatalf("after start-up the clock ticks %v", h.Time())
	}
}

// TestTickAbove: an operation on a record whose newest operation is far
// ahead gets a timestamp above it, and the clock stays within the bound.
func TestTickAbove(t *testing.T) {
	w := &wall{room}
	c := &Clock{Now: w.now}
	future := MakeHLC(time.Date(2028, 3, 10, 9, 0, 0, 0, time.UTC).UnixMilli(), 3)
	if h := c.TickAbove(future); h <= future {
		t.Fatalf("TickAbove(%v) = %v, not above it", future, h)
	}
	if h := c.Tick(); h.Time().After(room.Add(MaxClockOffset)) {
		t.Fatalf("the clock was dragged to %v", h.Time())
	}
	past := MakeHLC(room.Add(-time.Hour).UnixMilli(), 0)
	if h := c.TickAbove(past); h.Time().Before(room) {
		t.Fatalf("TickAbove(an hour ago) = %v, before the wall clock", h.Time())
	}
}

// TestEditAfterFutureEditWins: a laptop with a right clock edits a record
// after receiving an edit stamped two years ahead; its edit, stamped by
// TickAbove as the service stamps it, wins in every replica's fold.
func TestEditAfterFutureEditWins(t *testing.T) {
	w := &wall{room}
	c := &Clock{Now: w.now}
	id := RecordID(NewID(room))
	create := &Op{Device: "aaaaaaaaaaaaaaaa", Seq: 1, HLC: c.Tick(), Type: OpCreate, Record: id, Kind: KindNote,
		Patch: &Patch{Title: sp("Título"), Body: sp("uno")}}
	future := &Op{Device: "bbbbbbbbbbbbbbbb", Seq: 1, HLC: MakeHLC(room.AddDate(2, 0, 0).UnixMilli(), 0), Type: OpUpdate, Record: id,
		Patch: &Patch{Title: sp("Del futuro"), Body: sp("dos")}, Base: []OpID{create.ID()}}
	c.Observe(future.HLC)
	ops := []*Op{create, future}
	edit := &Op{Device: "aaaaaaaaaaaaaaaa", Seq: 2, HLC: c.TickAbove(future.HLC), Type: OpUpdate, Record: id,
		Patch: &Patch{Title: sp("Corregido"), Body: sp("tres")}, Base: Heads(ops)}
	r := Fold([]*Op{edit, future, create})
	if r.Title != "Corregido" || r.Body != "tres" || len(r.Conflict) != 0 {
		t.Fatalf("after the later edit: title %q, body %q, %d versions", r.Title, r.Body, len(r.Conflict))
	}
	// Without TickAbove (the clock's own tick) the edit would sort first,
	// lose the title and conflict on the body.
	old := *edit
	old.HLC = c.Tick()
	if r := Fold([]*Op{&old, future, create}); r.Title == "Corregido" {
		t.Fatal("the test no longer tells a causal stamp from a plain tick")
	}
}

func TestShownTime(t *testing.T) {
	for _, tc := range []struct {
		name  string
		h     time.Time
		shown time.Time
		ahead bool
	}{
		{"now", room, room, false},
		{"a minute ahead", room.Add(time.Minute), room.Add(time.Minute), false},
		{"two years ahead", room.AddDate(2, 0, 0), room, true},
		{"a year behind", room.AddDate(-1, 0, 0), room.AddDate(-1, 0, 0), false},
	} {
		got, ahead := ShownTime(MakeHLC(tc.h.UnixMilli(), 0), room)
		if !got.Equal(tc.shown) || ahead != tc.ahead {
			t.Errorf("%s: shown %v ahead=%v, want %v %v", tc.name, got, ahead, tc.shown, tc.ahead)
		}
	}
}
