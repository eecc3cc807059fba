package app

import (
	"strings"
	"testing"
	"time"
)

// TestDecodeNeedsNoLock: Decode checks a peer's operations without the
// service lock, which ReceiveDecoded holds while it stores the batch
// before; sync decodes the next chunk meanwhile. With the lock held here,
// Decode must still finish.
func TestDecodeNeedsNoLock(t *testing.T) {
	ws := WorkspaceID(NewID(time.Now()))
	s := &Service{tax: MustTaxonomy()}
	s.wsID.Store(&ws)
	o := &Op{Workspace: ws, Device: DeviceID(strings.Repeat("a", 16)), Seq: 1, HLC: 1, Type: OpCreate,
		Record: RecordID(NewID(time.Now())), Kind: KindNote, Patch: &Patch{Title: sp("Nota"), Body: sp("Texto")}}
	enc, err := EncodeOp(o)
	if err != nil {
		t.Fatal(err)
	}
	other := *o
	other.Workspace = WorkspaceID(NewID(time.Now().Add(time.Hour)))
	foreign, _ := EncodeOp(&other)

	s.mu.Lock()
	defer s.mu.Unlock()
	done := make(chan [2]*Decoded, 1)
	go func() { done <- [2]*Decoded{s.Decode([][]byte{enc}), s.Decode([][]byte{foreign})} }()
	select {
	case d := <-done:
		if d[0].err != nil || len(d[0].ops) != 1 || d[0].ops[0].Record != o.Record {
			t.Fatalf("decoded %+v", d[0])
		}
		if KindOf(d[1].err) != Foreign {
			t.Fatalf("another workspace's operation: %v", d[1].err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Decode waits for the service lock")
	}
}

// BenchmarkDecodeOp: decoding and checking one operation as a peer sends
// it, a note with a text of about 1.4 kB (the demo's size), run for every
// operation of a sync.
func BenchmarkDecodeOp(b *testing.B) {
	body := strings.Repeat("Acceso a documentación y protección en tránsito. ", 28)
	o := &Op{Workspace: WorkspaceID(NewID(time.Now())), Device: DeviceID(strings.Repeat("a", 16)), Seq: 2, HLC: 1,
		Prev: make([]byte, 32), Type: OpCreate, Record: RecordID(NewID(time.Now())), Kind: KindNote,
		Patch: &Patch{Title: sp("Nota de la reunión"), Body: sp(body)}}
	enc, err := EncodeOp(o)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeOp(enc); err != nil {
			b.Fatal(err)
		}
	}
}
