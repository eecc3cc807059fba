package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
)

// laptop returns a service over a new store in memory: the founder of a
// new workspace when ws is nil, else a laptop that joined ws with its join
// key.
func laptop(t *testing.T, ws *app.Workspace) *app.Service {
	t.Helper()
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := app.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	if ws == nil {
		_, err = svc.Init("Cartagena +40")
	} else {
		_, err = svc.Join(ws.ID, ws.Secret[:joinKeySize], ws.Title)
	}
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// write has svc write n records, edit every third and comment on every
// fifth. (demo.Load's records would do, but their reproducible ids do not
// name the laptop that created them, and the laptop that wrote them folds
// them otherwise than one that received them, relay or not.)
func write(t *testing.T, svc *app.Service, n int, tag string) {
	t.Helper()
	for i := range n {
		title := fmt.Sprintf("%s %d", tag, i)
		kind := app.KindNote
		if i%2 == 1 {
			kind = app.KindProposal
		}
		id, err := svc.Create(kind, app.Patch{Title: &title, AddThemes: []app.ThemeCode{"broad-protection"}})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			body := "Texto de " + title
			if err := svc.Update(id, app.Patch{Body: &body}); err != nil {
				t.Fatal(err)
			}
		}
		if i%5 == 1 {
			if _, err := svc.Comment(id, "Comentario sobre "+title, app.Patch{}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// lan copies to dst what src holds and dst lacks, as a LAN sync does.
func lan(t *testing.T, src, dst *app.Service) {
	t.Helper()
	have, _ := dst.Vector()
	want, _ := src.Vector()
	for _, from := range have.Missing(want) {
		for after := from.Seq; ; {
			raw, err := src.OpsAfter(from.Device, after, 1000, 4<<20)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) == 0 {
				break
			}
			if _, err := dst.Receive(raw); err != nil {
				t.Fatal(err)
			}
			after += uint64(len(raw))
		}
	}
}

// startRelay starts an embedded relay on a loopback port with its store
// in dir, stopped when the test ends.
func startRelay(t *testing.T, dir string) *Relay {
	t.Helper()
	r, err := Start(Options{Listen: "127.0.0.1:0", StoreDir: dir, StreamBytes: 64 << 20, Log: os.Getenv("RELAY_LOG") != ""})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// operator connects to url into workspace ws's account with every
// permission, as the relay's operator could; closed when the test ends.
func operator(t *testing.T, r *Relay, url string, ws app.WorkspaceID) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, nats.UserInfo(namesOf(ws).user(), ""), nats.Token(r.access.admin))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// logBuffer is a log that tests read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// syncOK runs a round and fails the test on error.
func syncOK(t *testing.T, svc *app.Service, url string) Result {
	t.Helper()
	res, err := Sync(context.Background(), svc, url, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func total(v app.Vector) int {
	n := 0
	for _, k := range v {
		n += int(k)
	}
	return n
}

func vector(t *testing.T, svc *app.Service) app.Vector {
	t.Helper()
	v, err := svc.Vector()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// records returns every record svc holds, as JSON, in id order.
func records(t *testing.T, svc *app.Service) []string {
	t.Helper()
	res, err := svc.List(app.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(res.Records))
	for i, r := range res.Records {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

// same fails the test unless every laptop holds what the first does.
func same(t *testing.T, laptops ...*app.Service) {
	t.Helper()
	v0, r0 := vector(t, laptops[0]), records(t, laptops[0])
	for i, l := range laptops[1:] {
		if v := vector(t, l); !maps(v, v0) {
			t.Fatalf("laptop %d holds %v, laptop 0 %v", i+1, v, v0)
		}
		if r := records(t, l); strings.Join(r, "\n") != strings.Join(r0, "\n") {
			for j := range r {
				if j < len(r0) && r[j] != r0[j] {
					t.Logf("laptop %d: %s\nlaptop 0: %s", i+1, r[j], r0[j])
					break
				}
			}
			t.Fatalf("laptop %d holds other records than laptop 0 (%d and %d)", i+1, len(r), len(r0))
		}
	}
}

func maps(a, b app.Vector) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
