package relay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/nats-io/nats.go"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startCluster starts three relays forming a JetStream cluster, each with
// its own store, and waits until it has a meta leader.
func startCluster(t *testing.T) []*Relay {
	t.Helper()
	return startClusterTLS(t, nil)
}

// startClusterTLS is startCluster with routes secured by routeTLS(i) for
// server i, when routeTLS is not nil.
func startClusterTLS(t *testing.T, routeTLS func(i int) *tls.Config) []*Relay {
	t.Helper()
	return startClusterWith(t, routeTLS, 0)
}

// startClusterWith is startClusterTLS with the relays making streams of
// replicas copies (0: their default, 3).
func startClusterWith(t *testing.T, routeTLS func(i int) *tls.Config, replicas int) []*Relay {
	t.Helper()
	ports := []int{freePort(t), freePort(t), freePort(t)}
	relays := make([]*Relay, 3)
	for i := range relays {
		var routes []string
		for j, p := range ports {
			if j != i {
				routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
			}
		}
		c := &Cluster{
			Name: "consulta", ServerName: fmt.Sprintf("relay-%d", i+1),
			Listen: fmt.Sprintf("127.0.0.1:%d", ports[i]), Routes: routes,
		}
		if routeTLS != nil {
			c.TLS = routeTLS(i)
		}
		r, err := Start(Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Cluster: c, Replicas: replicas, StreamBytes: 64 << 20, Log: os.Getenv("RELAY_LOG") != ""})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Close)
		relays[i] = r
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		leader, current := false, 0
		for _, r := range relays {
			leader = leader || r.ns.JetStreamIsLeader()
			if r.ns.JetStreamIsCurrent() {
				current++
			}
		}
		if leader && current == 3 {
			return relays
		}
		if time.Now().After(deadline) {
			t.Fatal("the cluster elected no meta leader within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Three relays as a JetStream cluster, the stream kept by all three: the
// server a laptop uploads through stops mid-upload; the laptop connects to
// another (it was given all three URLs) and finishes, and a fresh laptop
// downloading from a surviving server holds every operation once.
func TestClusterServerStopsMidUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-server cluster")
	}
	relays := startCluster(t)
	var urls []string
	for _, r := range relays {
		urls = append(urls, r.URL())
	}
	all := strings.Join(urls, ",")
	a := laptop(t, nil)
	write(t, a, 1300, "Registro")
	want := vector(t, a)
	if total(want) < 1900 {
		t.Fatalf("a holds %d operations", total(want))
	}

	stopped := -1
	o := SyncOptions{Replicas: 3, Timeout: 2 * time.Second}
	o.afterPublish = func(n int) {
		if n != 700 || stopped >= 0 {
			return
		}
		for i, r := range relays { // the server a is connected to
			cz, _ := r.ns.Connz(&server.ConnzOptions{})
			for _, c := range cz.Conns {
				if c.Name == "consulta" {
					stopped = i
				}
			}
		}
		if stopped < 0 {
			t.Error("a's connection is on no server")
			return
		}
		relays[stopped].Close()
	}
	uploaded, rounds := 0, 0
	deadline := time.Now().Add(12 * time.Second)
	for {
		res, err := Sync(context.Background(), a, all, o)
		uploaded += res.Uploaded
		rounds++
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no complete round within 12 s (%d rounds, uploaded %d): %v", rounds, uploaded, err)
		}
		t.Logf("round %d: %+v, %v", rounds, res, err)
		time.Sleep(200 * time.Millisecond)
	}
	if stopped < 0 {
		t.Fatal("no server was stopped")
	}
	// A message the cluster stored whose acknowledgement the stopped
	// server did not send back is not counted.
	if uploaded > total(want) || uploaded < total(want)-window {
		t.Fatalf("a uploaded %d operations in %d rounds, holds %d", uploaded, rounds, total(want))
	}

	survivor := urls[(stopped+1)%3]
	nc := operator(t, relays[(stopped+1)%3], survivor, a.Workspace().ID)
	js, _ := jetstream.New(nc)
	var s jetstream.Stream
	var err error
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) { // while the cluster elects leaders again
		if s, err = js.Stream(context.Background(), namesOf(a.Workspace().ID).stream); err == nil {
			break
		} else if time.Since(start) > 5*time.Second {
			t.Fatalf("the stream, from %s: %v", survivor, err)
		}
	}
	if info, _ := s.Info(context.Background()); info == nil || info.Config.Replicas != 3 {
		t.Fatalf("the stream: %+v", info)
	}
	// b downloads from the survivor, rounds retried as a laptop does: for
	// a few seconds after the server stopped, the cluster may still place
	// a reader (an ordered consumer) on it.
	b := laptop(t, a.Workspace())
	downloaded := 0
	for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		res, err := Sync(context.Background(), b, survivor, SyncOptions{Replicas: 3, Timeout: 2 * time.Second})
		downloaded += res.Downloaded
		if res.Refused+res.Waiting != 0 {
			t.Fatalf("b's round: %+v", res)
		}
		if err == nil {
			t.Logf("b downloaded everything %v after a's last round", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Since(start) > 8*time.Second {
			t.Fatalf("b's rounds: %v", err)
		}
	}
	if downloaded != total(want) {
		t.Fatalf("b downloaded %d operations, a holds %d", downloaded, total(want))
	}
	if got, held := perSubject(t, relays[(stopped+1)%3], survivor, a.Workspace().ID), vector(t, b); !maps(got, held) {
		t.Fatalf("the stream holds %v, b (a's and its own) %v", got, held)
	}
	lan(t, b, a)
	same(t, a, b)
}

// A server of the cluster that was down when a workspace first came asks
// the others when it starts: a laptop of the workspace is let in there
// with its key, and someone else posing with another key for the same
// name is refused (without asking, the server would take the first key it
// is shown).
func TestClusterServerLearnsWorkspacesAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	relays := startClusterWith(t, nil, 1) // two servers up place one copy
	thirdOpts := relays[2].opts
	relays[2].Close()

	a := laptop(t, nil)
	write(t, a, 5, "Registro")
	var err error
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(200 * time.Millisecond) {
		if _, err = Sync(t.Context(), a, relays[0].URL(), SyncOptions{Timeout: 2 * time.Second}); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}

	r3, err := Start(thirdOpts) // same store, same route address

	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r3.Close)
	forged := *a.Workspace()
	forged.Secret = make([]byte, 32)
	for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		known, _ := r3.access.load(namesOf(a.Workspace().ID).hash)
		if len(known) > 0 {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the restarted server did not learn the workspace from the others")
		}
	}
	if _, _, err := member(t, r3.URL(), &forged); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("another key for the workspace's name, on the restarted server: %v", err)
	}
	b := laptop(t, a.Workspace())
	for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		_, err := Sync(t.Context(), b, r3.URL(), SyncOptions{Timeout: 2 * time.Second})
		if err == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("b through the restarted server: %v", err)
		}
	}
	if got, want := vector(t, b)[a.Device()], vector(t, a)[a.Device()]; got != want {
		t.Fatalf("b holds %d of a's %d operations", got, want)
	}
}
