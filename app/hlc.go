package app

import (
	"sync"
	"time"
)

// HLC is a hybrid logical clock timestamp: milliseconds since the Unix epoch
// in the high 48 bits and a logical counter in the low 16. It orders events
// across devices whose clocks disagree by a little: a device that has seen a
// timestamp never issues a smaller one, unless the timestamp was more than
// MaxClockOffset ahead of its own clock (see Clock.Observe).
type HLC uint64

// MakeHLC builds a timestamp from wall-clock milliseconds and a counter.
func MakeHLC(ms int64, logical uint16) HLC { return HLC(uint64(ms)<<16 | uint64(logical)) }

// Millis is the wall-clock part of h.
func (h HLC) Millis() int64 { return int64(h >> 16) }

// Time is the wall-clock part of h as a time.Time in UTC.
func (h HLC) Time() time.Time { return time.UnixMilli(h.Millis()).UTC() }

// MaxClockOffset is the most a timestamp from elsewhere may move this
// laptop's clock ahead of its own wall clock.
//
// CockroachDB's hybrid clocks assume the nodes' clocks are within a maximum
// offset of each other (500 ms by default, kept by NTP) and a node whose
// clock strays past 80% of it shuts itself down. Laptops in a consultation
// room have no NTP and no server, and shutting a delegate out is no
// option, but the idea holds: a clock further off than a bound is broken,
// not early or late, and must not drag the others. Five minutes is well
// above what set-by-hand and drifting clocks differ by (a quartz clock
// drifts a second or two a day; a clock set by hand from a phone is off by
// a minute at most), and well below the mistakes that need a warning: a
// wrong time zone (an hour or more), a wrong day, a flat CMOS battery
// (years). Within the bound the clocks behave as any hybrid clock: every
// laptop follows the one ahead, so a timestamp order agrees with what
// each laptop had seen. Beyond it, causality within a record is kept by
// Clock.TickAbove instead.
const MaxClockOffset = 5 * time.Minute

// ClockWarnOffset is how far a laptop's clock may be from the room's before
// both it and the others are warned: 80% of MaxClockOffset, as CockroachDB's
// node gives up at 80% of its maximum offset, so a clock is reported before
// its timestamps are capped.
const ClockWarnOffset = MaxClockOffset * 8 / 10

// Clock issues HLC timestamps. Its zero value is ready to use with the system
// clock. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	last HLC
	// Now returns the wall time; nil means time.Now. Set it before first
	// use, or through SetNow.
	Now func() time.Time
}

// SetNow makes the clock read the wall time from now (nil: time.Now).
func (c *Clock) SetNow(now func() time.Time) {
	c.mu.Lock()
	c.Now = now
	c.mu.Unlock()
}

// Wall returns the wall time the clock reads.
func (c *Clock) Wall() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wallLocked()
}

func (c *Clock) wallLocked() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Tick returns a timestamp greater than every one issued or observed before.
func (c *Clock) Tick() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := MakeHLC(c.wallLocked().UnixMilli(), 0)
	if h <= c.last {
		h = c.last + 1
	}
	c.last = h
	return h
}

// TickAbove is Tick for an operation on a record whose newest operation is
// at floor: the timestamp is above floor too, however far ahead floor is,
// so the operation sorts after everything its author held of the record
// (an edit made after seeing one from a laptop whose clock is years ahead
// still comes after it). The clock itself moves only as far as observing
// the result would move it: a far-ahead record carries its own timestamps
// forward without dragging this laptop's others.
func (c *Clock) TickAbove(floor HLC) HLC {
	h := c.Tick()
	if h > floor {
		return h
	}
	c.Observe(floor + 1)
	return floor + 1
}

// Observe moves the clock past a timestamp seen from elsewhere (a peer's
// operation or this device's own operations found at start-up), but no
// further than MaxClockOffset ahead of the wall clock: a timestamp beyond
// that comes from a clock that is wrong, and following it would make this
// laptop's timestamps wrong too, for good. Observe reports whether h was
// beyond the bound.
func (c *Clock) Observe(h HLC) (ahead bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit := MakeHLC(c.wallLocked().Add(MaxClockOffset).UnixMilli(), 0); h > limit {
		h, ahead = limit, true
	}
	if h > c.last {
		c.last = h
	}
	return ahead
}

// ShownTime is when h says something happened, as people are shown it: a
// time more than MaxClockOffset after now can only have been written by a
// laptop whose clock was ahead, and it happened at the latest now, so it is
// shown as now and ahead is set (the screens mark it). Times in the past
// are shown as they are: an old note and a clock that was behind look
// alike.
func ShownTime(h HLC, now time.Time) (t time.Time, ahead bool) {
	t = h.Time()
	if t.After(now.Add(MaxClockOffset)) {
		return now.UTC().Truncate(time.Millisecond), true
	}
	return t, false
}
