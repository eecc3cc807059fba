package replication

import (
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
)

// gcPercent reads GOGC as the runtime holds it, without changing it.
func gcPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// TestBulkGC: a large backlog raises GOGC for as long as some sync
// receives one; the setting before comes back after the last, and a
// higher setting is left alone.
func TestBulkGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	leave1 := enterBulk()
	leave2 := enterBulk()
	if got := gcPercent(); got != bulkGCPercent {
		t.Fatalf("in bulk mode GOGC is %d", got)
	}
	leave1()
	leave1() // twice: no effect
	if got := gcPercent(); got != bulkGCPercent {
		t.Fatalf("with one bulk sync left GOGC is %d", got)
	}
	leave2()
	if got := gcPercent(); got != 100 {
		t.Fatalf("after bulk mode GOGC is %d", got)
	}
	debug.SetGCPercent(400)
	enterBulk()()
	if got := gcPercent(); got != 400 {
		t.Fatalf("a higher GOGC became %d", got)
	}

	// Through a sync: b lacks 301 operations of a.
	debug.SetGCPercent(100)
	defer func(n int) { bulkBacklog = n }(bulkBacklog)
	for _, backlog := range []int{1000, 100} {
		bulkBacklog = backlog
		a := founder(t, "a")
		a.notes(300, "nota")
		b := a.member("b")
		if errA, errB, _ := pipeSync(t, b, a, Options{ChunkOps: 64}); errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if got, want := strings.Contains(b.log.String(), "receiving a large backlog"), backlog < 301; got != want {
			t.Errorf("backlog limit %d: bulk mode %v\n%s", backlog, got, b.log)
		}
		if got := gcPercent(); got != 100 {
			t.Fatalf("after the sync GOGC is %d", got)
		}
	}
}
