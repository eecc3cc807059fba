package replication

import (
	"runtime/debug"
	"sync"
)

// While a peer sends a large backlog, as in a new member's first sync, the
// garbage collector runs less often. Such a sync makes about ten times more
// garbage (decoded chunks, records, encodings) than what it keeps, and each
// collection marks the whole index built so far: at Go's default (GOGC=100)
// the collector took about a tenth of the receiving process's CPU. The
// heap may grow to three times what is live instead of two, for the length
// of the sync only; the setting in force before comes back when the last
// such sync ends.
const bulkGCPercent = 200

// bulkBacklog is how many operations a peer must hold that we lack for
// bulk mode (a variable for tests).
var bulkBacklog = 20000

var bulkGC struct {
	mu   sync.Mutex
	n    int // syncs in bulk mode
	prev int // the GC percent before the first of them
}

// enterBulk puts the garbage collector in bulk mode until the returned
// function is called. A GOGC setting already at or above bulkGCPercent, or
// off, is left alone.
func enterBulk() (leave func()) {
	bulkGC.mu.Lock()
	defer bulkGC.mu.Unlock()
	if bulkGC.n == 0 {
		bulkGC.prev = debug.SetGCPercent(bulkGCPercent)
		if bulkGC.prev < 0 || bulkGC.prev >= bulkGCPercent {
			debug.SetGCPercent(bulkGC.prev)
		}
	}
	bulkGC.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			bulkGC.mu.Lock()
			defer bulkGC.mu.Unlock()
			if bulkGC.n--; bulkGC.n == 0 {
				debug.SetGCPercent(bulkGC.prev)
			}
		})
	}
}
