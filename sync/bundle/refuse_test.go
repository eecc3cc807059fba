package bundle

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
)

// refusedBy imports data into s and checks it is refused with a message
// holding want, and that s holds what it held before.
func refusedBy(t *testing.T, what string, s *app.Service, data []byte, want string) {
	t.Helper()
	before := vector(t, s)
	res, err := Import(s, bytes.NewReader(data))
	t.Logf("%s: %v", what, err)
	switch {
	case err == nil:
		t.Errorf("%s: imported (%+v)", what, res)
	case app.KindOf(err) != app.Invalid || !strings.Contains(err.Error(), "nothing was imported"):
		t.Errorf("%s: %v (kind %v)", what, err, app.KindOf(err))
	case !strings.Contains(err.Error(), want):
		t.Errorf("%s: %q does not say %q", what, err, want)
	}
	if !maps.Equal(vector(t, s), before) {
		t.Errorf("%s: something was written", what)
	}
}

// flip returns data with the byte at i changed.
func flip(data []byte, i int) []byte {
	out := slices.Clone(data)
	out[i] ^= 0x20
	return out
}

// TestDamagedBundles: a bundle changed anywhere, cut short anywhere, with
// frames reordered, or from another workspace, is refused and nothing of
// it is written.
func TestDamagedBundles(t *testing.T) {
	a := newLaptop(t, nil)
	b := newLaptop(t, a)
	notes(t, a, 30, "Nota")
	data := bundleOf(t, a, nil)
	frames, trailer, err := split(slices.Clone(data[headerSize:]), 31)
	if err != nil || len(frames) != 31 {
		t.Fatalf("the bundle's frames: %d, %v", len(frames), err)
	}
	frameAt := func(k int) int { // where frame k starts in data
		return headerSize + int(bytes.Index(data[headerSize:], frames[k].nonce)) - 4 - 8 - 1 - len(frames[k].dev)
	}
	end := len(data) - len(trailer)

	for name, i := range map[string]int{
		"magic": 0, "version": 8, "workspace id": 12, "epoch": 40, "key id": 44, "count": 55, "header checksum": headerSize - 1,
	} {
		want := "header does not check"
		switch name {
		case "magic":
			want = "not a Consulta bundle"
		case "version":
			want = "format version"
		}
		refusedBy(t, "a flipped byte in the "+name, b, flip(data, i), want)
	}
	f := frameAt(5)
	for name, i := range map[string]int{
		"device id": f + 3, "sequence number": f + 1 + 16 + 7, "nonce": f + 1 + 16 + 12 + 3, "sealed operation": f + 1 + 16 + 12 + 24 + 40,
	} {
		refusedBy(t, "a flipped byte in a frame's "+name, b, flip(data, i), "damaged")
	}
	refusedBy(t, "a flipped byte in a frame's length", b, flip(data, f+1+16+8+2), "")
	for name, i := range map[string]int{"length": end + 3, "nonce": end + 10, "seal": len(data) - 1} {
		refusedBy(t, "a flipped byte in the trailer's "+name, b, flip(data, i), "")
	}
	for _, cut := range []int{0, 5, headerSize - 1, headerSize, headerSize + 1, frameAt(1), frameAt(17) + 30, end - 1, end, end + 4, len(data) - 1} {
		want := "cut short"
		if cut < len(Magic) {
			want = "not a Consulta bundle"
		}
		refusedBy(t, "cut short", b, data[:cut], want)
	}
	refusedBy(t, "bytes after the end", b, append(slices.Clone(data), 0), "damaged")

	swapped := slices.Concat(data[:frameAt(3)], data[frameAt(4):frameAt(5)], data[frameAt(3):frameAt(4)], data[frameAt(5):])
	refusedBy(t, "two frames swapped", b, swapped, "damaged")
	dropped := slices.Concat(data[:frameAt(3)], data[frameAt(4):])
	refusedBy(t, "a frame dropped", b, dropped, "")

	other := newLaptop(t, nil)
	notes(t, other, 3, "Otra")
	refusedBy(t, "another workspace's bundle", b, bundleOf(t, other, nil), "another workspace")
	impostor := emptyLaptop(t) // a's workspace id with another join key
	if _, err := impostor.Join(a.Workspace().ID, bytes.Repeat([]byte{7}, 16), "x"); err != nil {
		t.Fatal(err)
	}
	refusedBy(t, "a bundle sealed with another key", b, bundleOf(t, impostor, nil), "after a change of join code")

	if res := load(t, b, data); res.New != 31 {
		t.Fatalf("the bundle itself: %+v", res)
	}
}

// TestKeyEpochs: after a member's removal changed the join key, a bundle
// written before still opens on a laptop that took the new key; one
// written after does not open on the removed laptop, nor on one that has
// not heard of the removal; one the removed laptop writes is refused.
func TestKeyEpochs(t *testing.T) {
	f := newLaptop(t, nil)
	stay, other, gone := newLaptop(t, f), newLaptop(t, f), newLaptop(t, f)
	pullAll(t, f, stay, other, gone)
	notes(t, other, 10, "Antes")
	before := bundleOf(t, other, vector(t, stay))

	if err := f.RemoveMember(member(gone)); err != nil {
		t.Fatal(err)
	}
	pull(t, f, stay)
	if stay.Workspace().Epoch != 1 || gone.Workspace().Epoch != 0 {
		t.Fatalf("epochs: the staying laptop's %d, the removed one's %d", stay.Workspace().Epoch, gone.Workspace().Epoch)
	}
	if res := load(t, stay, before); res.New != 10 {
		t.Fatalf("the bundle from before the removal: %+v", res)
	}

	notes(t, f, 5, "Después")
	after := bundleOf(t, f, nil)
	const noKey = "another workspace or after a change of join code this laptop has not received"
	refusedBy(t, "the removed laptop", gone, after, noKey)
	refusedBy(t, "a laptop that has not heard of the removal", other, after, noKey)
	if res := load(t, stay, after); res.Waiting != 0 {
		t.Fatalf("the bundle from after the removal: %+v", res)
	}

	notes(t, gone, 3, "Del removido")
	refusedBy(t, "the removed laptop's bundle", stay, bundleOf(t, gone, nil), "removed")
}

// TestJoinedAfterRemovals: a laptop that joined after two removals holds
// only the newest join key; it opens with it, removal by removal, the
// keys before, so bundles sealed in every earlier epoch open on it. So
// does one that joined between them and took the second key from its box.
// A removed laptop's key opens none of them.
func TestJoinedAfterRemovals(t *testing.T) {
	f := newLaptop(t, nil)
	a, b, c := newLaptop(t, f), newLaptop(t, f), newLaptop(t, f)
	pullAll(t, f, a, b, c)
	notes(t, a, 4, "Época 0")
	epoch0 := bundleOf(t, a, nil)
	key0 := slices.Clone(f.Workspace().Secret)

	if err := f.RemoveMember(member(b)); err != nil {
		t.Fatal(err)
	}
	pull(t, f, a)
	pull(t, f, c)
	notes(t, a, 3, "Época 1")
	epoch1 := bundleOf(t, a, nil)
	k := newLaptop(t, f) // joins with the second key; f knows it, so the next removal is sealed to it
	pull(t, k, f)
	if err := f.RemoveMember(member(c)); err != nil {
		t.Fatal(err)
	}

	j := newLaptop(t, f) // with the newest code
	pull(t, f, j)
	ws := j.Workspace()
	if ws.Epoch != 2 || len(ws.Past) != 2 || !bytes.Equal(ws.Past[0][:16], key0[:16]) {
		t.Fatalf("the laptop that joined after: epoch %d, %d past keys", ws.Epoch, len(ws.Past))
	}
	if res := load(t, j, epoch0); res.New != 4 || res.Waiting != 0 {
		t.Fatalf("the bundle of epoch 0: %+v", res)
	}
	if res := load(t, j, epoch1); res.New != 3 || res.Waiting != 0 {
		t.Fatalf("the bundle of epoch 1: %+v", res)
	}

	pull(t, f, k) // both removals at once: the second's box, then the first's Prev
	if ws := k.Workspace(); ws.Epoch != 2 || len(ws.Past) != 2 || !bytes.Equal(ws.Past[0][:16], key0[:16]) {
		t.Fatalf("the laptop that joined between the removals: epoch %d, %d past keys", ws.Epoch, len(ws.Past))
	}
	if res := load(t, k, epoch0); res.New != 4 || res.Waiting != 0 {
		t.Fatalf("the bundle of epoch 0, on the laptop that joined between the removals: %+v", res)
	}

	pull(t, f, b)
	pull(t, f, c)
	if b.Workspace().Epoch != 0 || len(b.Workspace().Past) != 0 {
		t.Fatalf("the laptop removed first holds epoch %d", b.Workspace().Epoch)
	}
	if c.Workspace().Epoch != 1 || len(c.Workspace().Past) != 1 {
		t.Fatalf("the laptop removed second holds epoch %d, %d past keys", c.Workspace().Epoch, len(c.Workspace().Past))
	}
}
