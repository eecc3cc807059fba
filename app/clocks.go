package app

import (
	"slices"
	"strings"
	"time"
)

// ClockSkew says that a laptop's clock is off: this laptop's (Self) or a
// connected peer's.
type ClockSkew struct {
	Self   bool
	Device DeviceID // the peer's device; "" for this laptop
	Name   string   // the peer's name
	// Offset is how far the clock is ahead of the room's (negative:
	// behind); when Relative, of this laptop's.
	Offset time.Duration
	// Relative is set when the room cannot tell which clock is wrong (two
	// laptops, or as many on each side): the peer's clock and this
	// laptop's differ by Offset, and either may be the wrong one.
	Relative bool
}

// ClockSkews compares the clocks of this laptop and its connected peers and
// returns those that are more than ClockWarnOffset off: this laptop's
// first, then the peers' by name.
//
// There is no reference clock in the room, so the room's time is the
// median of the laptops' clocks, this one's included: one wrong clock among
// three or more is found whichever way it is off, and so are two among
// three when they are off in opposite directions. When the two middle
// clocks of an even number disagree (two laptops, or as many on each side)
// the median cannot say which is right, and each peer that differs from
// this laptop is reported relative to it. Every laptop sees the same
// clocks, so they agree on who is off.
func ClockSkews(peers []Peer) []ClockSkew {
	offs := []time.Duration{0} // this laptop's own, against itself
	for _, p := range peers {
		if p.Connected && p.ClockKnown {
			offs = append(offs, p.Clock)
		}
	}
	if len(offs) < 2 {
		return nil
	}
	sorted := slices.Clone(offs)
	slices.Sort(sorted)
	n := len(sorted)
	room, relative := sorted[n/2], false
	if n%2 == 0 {
		lo, hi := sorted[n/2-1], sorted[n/2]
		room = lo + (hi-lo)/2
		relative = hi-lo > ClockWarnOffset
	}
	var out []ClockSkew
	if !relative && off(-room) {
		out = append(out, ClockSkew{Self: true, Offset: -room})
	}
	for _, p := range peers {
		if !p.Connected || !p.ClockKnown {
			continue
		}
		name := p.Name
		if name == "" {
			name = string(p.Device)
		}
		s := ClockSkew{Device: p.Device, Name: name, Offset: p.Clock - room}
		if relative {
			s.Offset, s.Relative = p.Clock, true
		}
		if off(s.Offset) {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b ClockSkew) int {
		switch {
		case a.Self != b.Self:
			if a.Self {
				return -1
			}
			return 1
		case a.Name != b.Name:
			return strings.Compare(a.Name, b.Name)
		}
		return strings.Compare(string(a.Device), string(b.Device))
	})
	return out
}

func off(d time.Duration) bool { return d > ClockWarnOffset || d < -ClockWarnOffset }

// RoughDuration is d for people to read: how many of the largest unit that
// fits (years of 365 days, months of 30, days, hours, minutes), rounded to
// the nearest, and which unit ("year", "month", "day", "hour", "minute"), for a
// screen to translate. A negative d counts as its opposite.
func RoughDuration(d time.Duration) (n int64, unit string) {
	if d < 0 {
		d = -d
	}
	const day = 24 * time.Hour
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{365 * day, "year"}, {30 * day, "month"}, {day, "day"}, {time.Hour, "hour"}} {
		if d >= u.d {
			return int64((d + u.d/2) / u.d), u.name
		}
	}
	return int64((d + time.Minute/2) / time.Minute), "minute"
}
