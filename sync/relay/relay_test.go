package relay

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

// Two venues of two laptops, one laptop of each reaching the relay:
// everything written anywhere reaches all four.
func TestTwoVenues(t *testing.T) {
	r := startRelay(t, t.TempDir())
	a1 := laptop(t, nil)
	ws := a1.Workspace()
	a2, b1, b2 := laptop(t, ws), laptop(t, ws), laptop(t, ws)
	// Before the venues part, the founder lets the others write records.
	for _, l := range []*app.Service{a2, b1, b2} {
		lan(t, l, a1)
		if err := a1.Grant(string(l.Device()), roles.Secretariat); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []*app.Service{a2, b1, b2} {
		lan(t, a1, l)
	}
	for i, l := range []*app.Service{a1, a2, b2} {
		write(t, l, 150, fmt.Sprintf("Laptop %d", i))
	}
	lan(t, a2, a1) // venue A's room
	lan(t, b2, b1) // venue B's room

	up := syncOK(t, a1, r.URL())
	if up.Uploaded != total(vector(t, a1)) || up.Downloaded != 0 {
		t.Fatalf("a1's first round: %+v, holds %d", up, total(vector(t, a1)))
	}
	res := syncOK(t, b1, r.URL())
	if res.Downloaded < 300 || res.Uploaded < 150 || res.Refused+res.Waiting != 0 {
		t.Fatalf("b1's round: %+v", res)
	}
	res = syncOK(t, a1, r.URL())
	if res.Uploaded != 0 || res.Downloaded == 0 || res.Refused != 0 {
		t.Fatalf("a1's second round: %+v", res)
	}
	lan(t, a1, a2)
	lan(t, b1, b2)
	same(t, a1, a2, b1, b2)

	// Nothing left to move: a round downloads nothing, not even what the
	// laptop uploaded itself.
	if res := syncOK(t, b1, r.URL()); res != (Result{}) {
		t.Fatalf("an idle round: %+v", res)
	}
	// New work after that costs only itself.
	title := "Nota posterior"
	if _, err := b2.Create(app.KindNote, app.Patch{Title: &title, AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
		t.Fatal(err)
	}
	lan(t, b2, b1)
	if res := syncOK(t, b1, r.URL()); res != (Result{Uploaded: 1}) {
		t.Fatalf("b1 uploading one: %+v", res)
	}
	if res := syncOK(t, a1, r.URL()); res != (Result{Downloaded: 1}) {
		t.Fatalf("a1 downloading one: %+v", res)
	}
	lan(t, a1, a2)
	same(t, a1, a2, b1, b2)
}

// perSubject returns how many messages the stream holds per device, and
// checks that each subject's sequence numbers run 1, 2, 3... in order.
func perSubject(t *testing.T, r *Relay, url string, ws app.WorkspaceID) app.Vector {
	t.Helper()
	nc := operator(t, r, url, ws)
	js, _ := jetstream.New(nc)
	n := namesOf(ws)
	c, err := js.OrderedConsumer(context.Background(), n.stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := js.Stream(context.Background(), n.stream)
	info, _ := s.Info(context.Background())
	it, err := c.Messages() // retries what a cluster answers while it places the consumer
	if err != nil {
		t.Fatal(err)
	}
	defer it.Stop()
	got := app.Vector{}
	for range info.State.Msgs {
		m, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		dev, _ := n.device(m.Subject())
		seq, _ := parseSeq(m.Headers().Get(headerSeq))
		if seq != got[dev]+1 {
			t.Fatalf("subject of %s: operation %d after %d", dev, seq, got[dev])
		}
		got[dev] = seq
	}
	return got
}

// An upload cut off midway resumes where the stream stops, and two
// laptops uploading the same operations at once store each once.
func TestInterruptedUploadResumes(t *testing.T) {
	r := startRelay(t, t.TempDir())
	a := laptop(t, nil)
	write(t, a, 60, "Registro")
	b := laptop(t, a.Workspace())
	lan(t, a, b)
	lan(t, b, a)
	want := vector(t, a)

	ctx, cancel := context.WithCancel(context.Background())
	o := SyncOptions{afterPublish: func(n int) {
		if n == 40 {
			cancel()
		}
	}}
	res, err := Sync(ctx, a, r.URL(), o)
	if err == nil || res.Uploaded != 40 {
		t.Fatalf("the cut round: %+v, %v", res, err)
	}
	if got := perSubject(t, r, r.URL(), a.Workspace().ID); total(got) != 40 {
		t.Fatalf("the stream holds %v after the cut", got)
	}

	// a and b, both holding everything, resume at once.
	var wg sync.WaitGroup
	results := make([]Result, 2)
	for i, l := range []*app.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Sync(context.Background(), l, r.URL(), SyncOptions{})
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	if up := results[0].Uploaded + results[1].Uploaded; up != total(want)-40 {
		t.Fatalf("resumed rounds uploaded %d, want %d: %+v", up, total(want)-40, results)
	}
	if got := perSubject(t, r, r.URL(), a.Workspace().ID); !maps(got, want) {
		t.Fatalf("the stream holds %v, the laptops %v", got, want)
	}

	// c writes; a uploads c's operations and, midway, c uploads them too:
	// a's next publish finds the subject moved on and a stops there.
	c := laptop(t, a.Workspace())
	write(t, c, 20, "Otro")
	lan(t, c, a)
	var cs Result
	o = SyncOptions{afterPublish: func(n int) {
		if n == 5 {
			cs = syncOK(t, c, r.URL())
		}
	}}
	as, err := Sync(context.Background(), a, r.URL(), o)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Uploaded+as.Uploaded != int(vector(t, c)[c.Device()]) || as.Uploaded != 5 {
		t.Fatalf("a uploaded %+v, c %+v, of %d", as, cs, vector(t, c)[c.Device()])
	}
	if got, want := perSubject(t, r, r.URL(), a.Workspace().ID), vector(t, a); !maps(got, want) {
		t.Fatalf("the stream holds %v, the laptops %v", got, want)
	}
	lan(t, c, a)
	lan(t, c, b)
	same(t, a, b, c)
}

// A relay started again on its store holds everything it acknowledged.
func TestRelayRestart(t *testing.T) {
	dir := t.TempDir()
	r, err := Start(Options{Listen: "127.0.0.1:0", StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	a := laptop(t, nil)
	write(t, a, 60, "Registro")
	syncOK(t, a, r.URL())
	r.Close()

	r2 := startRelay(t, dir)
	b := laptop(t, a.Workspace())
	if res := syncOK(t, b, r2.URL()); res.Downloaded != total(vector(t, a)) {
		t.Fatalf("from the restarted relay: %+v", res)
	}
	lan(t, b, a)
	same(t, a, b)
	if res := syncOK(t, a, r2.URL()); res != (Result{}) {
		t.Fatalf("a, against the restarted relay: %+v", res)
	}
}

// Messages the relay (or anyone who can publish to it) made up, moved or
// repeated are refused and logged, and nothing of them is applied.
func TestTamperedMessagesRefused(t *testing.T) {
	r := startRelay(t, t.TempDir())
	a := laptop(t, nil)
	write(t, a, 10, "Registro")
	syncOK(t, a, r.URL())
	ws := a.Workspace()
	dev := a.Device()
	held := vector(t, a)[dev]
	n := namesOf(ws.ID)

	nc := operator(t, r, r.URL(), ws.ID) // the relay's operator can write anything
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	s, _ := js.Stream(ctx, n.stream)
	first, err := s.GetMsg(ctx, 1) // a's announcement, operation 1
	if err != nil {
		t.Fatal(err)
	}
	publish := func(subject string, seq uint64, data []byte, extra ...string) {
		m := nats.NewMsg(subject)
		m.Header.Set(headerSeq, fmt.Sprint(seq))
		for i := 0; i < len(extra); i += 2 {
			m.Header.Add(extra[i], extra[i+1])
		}
		m.Data = data
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	other := laptop(t, nil) // another workspace
	otherKeys, _ := newKeyring(other.Workspace())
	keys, _ := newKeyring(ws)
	ops, _ := a.OpsAfter(dev, 1, 1, 1<<20)
	someone := app.DeviceID("0123456789abcdef")

	publish(n.subject(dev), held+1, keys.seal(dev, held+1, ops[0]))                        // operation 2 sealed as another
	publish(n.subject(dev), held+1, otherKeys.seal(dev, held+1, ops[0]))                   // another workspace's key
	publish(n.subject(someone), 1, first.Data)                                             // moved to another device
	publish(n.subject(dev), held+1, first.Data)                                            // given another sequence number
	publish(n.subject(dev), 1, first.Data)                                                 // replayed
	publish(n.prefix+".not-a-device", 1, keys.seal(dev, 1, first.Data))                    // not a device's subject
	publish(n.subject(someone), 1, otherKeys.seal(someone, 1, []byte("not an operation"))) // another workspace's
	publish(n.subject(someone), 1, first.Data, jetstream.SubjectHeader, n.subject(dev))    // moved, claiming its old subject
	publish(n.subject(dev), 1, first.Data, jetstream.SequenceHeader, "99999999")           // claiming a stream sequence
	publish(n.subject(dev), held+1, []byte("garbage"))                                     // made up

	var log logBuffer
	b := laptop(t, ws)
	res, err := Sync(ctx, b, r.URL(), SyncOptions{Log: log.logger()})
	if err == nil || !strings.Contains(err.Error(), "not uploading after it") {
		t.Fatalf("b's upload after a made-up last message: %v", err)
	}
	if res.Downloaded != int(held) || res.Refused < 8 || res.Unopened != 2 {
		t.Fatalf("b's round: %+v\n%s", res, log.String())
	}
	if got := vector(t, b); got[dev] != held || len(got) != 2 { // a's and b's
		t.Fatalf("b holds %v", got)
	}
	if c := strings.Count(log.String(), "refused a message"); c < 8 {
		t.Fatalf("%d refusals logged:\n%s", c, log.String())
	}
	for _, why := range []string{"does not open", "does not hold", "replayed", "carries operation", "not a device's subject", "not a payload", "headers only the relay sets"} {
		if !strings.Contains(log.String(), why) {
			t.Errorf("no refusal says %q:\n%s", why, log.String())
		}
	}
}

// The relay's store holds no title, text or name in the clear.
func TestNoPlaintextOnRelay(t *testing.T) {
	dir := t.TempDir()
	r := startRelay(t, dir)
	a := laptop(t, nil)
	secrets := []string{"Zanahoria Clandestina 4417", "Ornitorrinco migratorio en Cúcuta", "Marisol Quintanilla-Testigo", "Cartagena +40"}
	if err := a.SetSetting(app.SettingAuthor, secrets[2]); err != nil {
		t.Fatal(err)
	}
	body := secrets[1]
	if _, err := a.Create(app.KindProposal, app.Patch{Title: &secrets[0], Body: &body, AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
		t.Fatal(err)
	}
	if host, _ := os.Hostname(); len(host) >= 6 {
		secrets = append(secrets, host) // the laptop's name
	}
	syncOK(t, a, r.URL())
	r.Close()

	found := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range append(secrets, string(a.Device())) {
			if strings.Contains(string(b), s) {
				found[s] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found[string(a.Device())] {
		t.Fatal("the device id, in the subjects, is nowhere in the store: is this the store?")
	}
	for _, s := range secrets {
		if found[s] {
			t.Errorf("%q is in the relay's store", s)
		}
	}
}

// Two laptops uploading different devices' operations at once interleave
// on the stream: their pipelined batches are cut short by each other's
// messages and resume, and each subject still holds every operation once,
// in order.
func TestConcurrentUploadsInterleave(t *testing.T) {
	r := startRelay(t, t.TempDir())
	a := laptop(t, nil)
	b := laptop(t, a.Workspace())
	lan(t, b, a)
	if err := a.Grant(string(b.Device()), roles.Secretariat); err != nil {
		t.Fatal(err)
	}
	lan(t, a, b)
	write(t, a, 300, "Laptop A")
	write(t, b, 300, "Laptop B")

	var wg sync.WaitGroup
	for _, l := range []*app.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := Sync(context.Background(), l, r.URL(), SyncOptions{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	syncOK(t, a, r.URL())
	syncOK(t, b, r.URL())
	if got, want := perSubject(t, r, r.URL(), a.Workspace().ID), vector(t, a); !maps(got, want) {
		t.Fatalf("the stream holds %v, the laptops %v", got, want)
	}
	same(t, a, b)
}
