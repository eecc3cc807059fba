package storage

import "math/bits"

// bitmap is a set of record numbers, one bit each. 100,000 records take
// 12.5 kB, and intersecting two sets takes about a microsecond.
type bitmap []uint64

// with returns b with n added, growing it if needed (b is modified when it
// has room: callers own b).
func (b bitmap) with(n uint32) bitmap {
	i := int(n / 64)
	for len(b) <= i {
		b = append(b, 0)
	}
	b[i] |= 1 << (n % 64)
	return b
}

func (b bitmap) without(n uint32) {
	if i := int(n / 64); i < len(b) {
		b[i] &^= 1 << (n % 64)
	}
}

func (b bitmap) clone() bitmap {
	if b == nil {
		return nil
	}
	return append(bitmap(nil), b...)
}

// or adds every member of o to b, growing b as needed.
func (b bitmap) or(o bitmap) bitmap {
	for len(b) < len(o) {
		b = append(b, 0)
	}
	for i, w := range o {
		b[i] |= w
	}
	return b
}

// and keeps in b only the members of o.
func (b bitmap) and(o bitmap) bitmap {
	if len(o) < len(b) {
		b = b[:len(o)]
	}
	for i := range b {
		b[i] &= o[i]
	}
	return b
}

func (b bitmap) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// each calls f with every member, in increasing order.
func (b bitmap) each(f func(uint32)) {
	for i, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(uint32(i*64 + t))
			w &^= 1 << t
		}
	}
}

// has reports whether n is a member.
func (b bitmap) has(n uint32) bool {
	i := int(n / 64)
	return i < len(b) && b[i]&(1<<(n%64)) != 0
}

// andCount returns how many members b and o have in common, without
// building their intersection.
func (b bitmap) andCount(o bitmap) int {
	n := 0
	for i := range min(len(b), len(o)) {
		n += bits.OnesCount64(b[i] & o[i])
	}
	return n
}
