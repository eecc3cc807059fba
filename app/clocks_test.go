package app

import (
	"fmt"
	"testing"
	"time"
)

func TestClockSkews(t *testing.T) {
	const year = 365 * 24 * time.Hour
	peer := func(name string, d time.Duration) Peer {
		return Peer{Device: DeviceID(name), Name: name, Connected: true, ClockKnown: true, Clock: d}
	}
	type want struct {
		self     bool
		name     string
		offset   time.Duration
		relative bool
	}
	for _, tc := range []struct {
		name  string
		peers []Peer
		want  []want
	}{
		{"alone", nil, nil},
		{"all agree", []Peer{peer("b", time.Second), peer("c", -2*time.Minute)}, nil},
		// The room of the replication test, seen from each laptop:
		// a right, b two years ahead, c a year behind.
		{"from the right one", []Peer{peer("b", 2*year), peer("c", -year)},
			[]want{{name: "b", offset: 2 * year}, {name: "c", offset: -year}}},
		{"from the one ahead", []Peer{peer("a", -2*year), peer("c", -3*year)},
			[]want{{self: true, offset: 2 * year}, {name: "c", offset: -year}}},
		{"from the one behind", []Peer{peer("a", year), peer("b", 3*year)},
			[]want{{self: true, offset: -year}, {name: "b", offset: 2 * year}}},
		{"two laptops", []Peer{peer("b", 2*year)}, []want{{name: "b", offset: 2 * year, relative: true}}},
		{"two laptops, close", []Peer{peer("b", 3*time.Minute)}, nil},
		{"four, one off", []Peer{peer("b", time.Second), peer("c", 0), peer("d", time.Hour)}, []want{{name: "d", offset: time.Hour - time.Second/2}}},
		{"four, two by two", []Peer{peer("b", 0), peer("c", year), peer("d", year)},
			[]want{{name: "c", offset: year, relative: true}, {name: "d", offset: year, relative: true}}},
		{"not connected", []Peer{{Name: "b", ClockKnown: true, Clock: year}}, nil},
		{"not measured", []Peer{{Name: "b", Connected: true, Clock: year}}, nil},
	} {
		got := ClockSkews(tc.peers)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
			continue
		}
		for i, w := range tc.want {
			g := got[i]
			if g.Self != w.self || g.Name != w.name || g.Offset != w.offset || g.Relative != w.relative {
				t.Errorf("%s: [%d] = %+v, want %+v", tc.name, i, g, w)
			}
		}
	}
}

func TestRoughDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2*365*24*time.Hour + time.Hour: "2 year", 2*365*24*time.Hour - time.Minute: "2 year", -400 * 24 * time.Hour: "1 year",
		50 * 24 * time.Hour: "2 month", 3*24*time.Hour + 5*time.Hour: "3 day", 7 * time.Hour: "7 hour",
		-12 * time.Minute: "12 minute", 20 * time.Second: "0 minute",
	} {
		n, u := RoughDuration(d)
		if got := fmt.Sprint(n, " ", u); got != want {
			t.Errorf("RoughDuration(%v) = %s, want %s", d, got, want)
		}
	}
}
