package app

import "sort"

// Vector is a version vector: for each device, the highest sequence number
// up to which a replica holds every operation of that device. Its zero value
// (nil) is an empty vector, ready to use for reading.
type Vector map[DeviceID]uint64

// Get returns the entry of dev, 0 if absent.
func (v Vector) Get(dev DeviceID) uint64 { return v[dev] }

// Missing returns, for each device where other is ahead of v, the range
// v holds up to: what v lacks compared with other, device by device, in a
// stable order.
func (v Vector) Missing(other Vector) []OpID {
	var out []OpID
	for dev, n := range other {
		if have := v[dev]; have < n {
			out = append(out, OpID{Device: dev, Seq: have})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return out
}

// Covers reports whether v holds everything other holds.
func (v Vector) Covers(other Vector) bool {
	for dev, n := range other {
		if v[dev] < n {
			return false
		}
	}
	return true
}
