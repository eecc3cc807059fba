package app

import (
	"sync"
	"time"
)

// HLC is a hybrid logical clock timestamp: milliseconds since the Unix epoch
// in the high 48 bits and a logical counter in the low 16. It orders events
// across devices whose clocks disagree by a little: a device that has seen a
// timestamp never issues a smaller one.
type HLC uint64

// MakeHLC builds a timestamp from wall-clock milliseconds and a counter.
func MakeHLC(ms int64, logical uint16) HLC { return HLC(uint64(ms)<<16 | uint64(logical)) }

// Millis is the wall-clock part of h.
func (h HLC) Millis() int64 { return int64(h >> 16) }

// Time is the wall-clock part of h as a time.Time in UTC.
func (h HLC) Time() time.Time { return time.UnixMilli(h.Millis()).UTC() }

// Clock issues HLC timestamps. Its zero value is ready to use with the system
// clock. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	last HLC
	// Now returns the wall time; nil means time.Now.
	Now func() time.Time
}

// Tick returns a timestamp greater than every one issued or observed before.
func (c *Clock) Tick() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	h := MakeHLC(now().UnixMilli(), 0)
	if h <= c.last {
		h = c.last + 1
	}
	c.last = h
	return h
}

// Observe moves the clock past a timestamp seen from elsewhere (a peer's
// operation or this device's own operations found at start-up).
func (c *Clock) Observe(h HLC) {
	c.mu.Lock()
	if h > c.last {
		c.last = h
	}
	c.mu.Unlock()
}
