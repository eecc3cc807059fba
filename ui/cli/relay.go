package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cartagena-c40/consulta/sync/relay"
)

func init() {
	commands = append(commands,
		command{"relay", "run a relay between venues (NATS with JetStream): relay --store DIR [--listen ADDR] [--tls-cert FILE --tls-key FILE] [--cluster NAME --name N --cluster-listen ADDR --routes URLS [--cluster-ca FILE] [--replicas N]] [--stream-mib N]", true, cmdRelay},
	)
}

// cmdRelay runs an embedded NATS server with JetStream until interrupted.
func cmdRelay(c *ctx, args []string) error {
	fs := newFlags(c, "relay")
	listen := fs.String("listen", ":4222", "address to accept laptops on")
	store := fs.String("store", "", "directory the relay keeps its streams in (created if missing)")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, the relay accepts only TLS")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	verbose := fs.Bool("log", false, "log the NATS server's events to stderr")
	cluster := fs.String("cluster", "", "one server of a JetStream cluster: the cluster's name, the same on every server (with --name, --cluster-listen, --routes)")
	name := fs.String("name", "", "--cluster: this server's name, unique in the cluster")
	clusterListen := fs.String("cluster-listen", "", "--cluster: address to accept the other servers' routes on, HOST:PORT")
	routes := fs.String("routes", "", "--cluster: the other servers' route addresses, nats-route://HOST:PORT, comma-separated")
	replicas := fs.Int("replicas", 0, "how many servers of a cluster keep each workspace's stream (1 to 5; default 1, or 3 with --cluster and two routes or more)")
	streamMiB := fs.Int64("stream-mib", relay.DefaultStreamBytes>>20, "the most one workspace's stream holds, in MiB; the relay's disk must hold this much for every workspace (times --replicas)")
	clusterCA := fs.String("cluster-ca", "", "--cluster: the servers' routes use mutual TLS with --tls-cert and --tls-key, accepting servers whose certificates this CA (PEM) signed")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("relay takes no arguments, only flags")
	case *store == "":
		return usagef("relay needs --store DIR, where it keeps what laptops upload")
	case (*certFile == "") != (*keyFile == ""):
		return usagef("relay needs both --tls-cert and --tls-key, or neither")
	case *cluster == "" && (*name != "" || *clusterListen != "" || *routes != ""):
		return usagef("--name, --cluster-listen and --routes configure a cluster: give its name with --cluster")
	case *cluster != "" && (*name == "" || *clusterListen == "" || *routes == ""):
		return usagef("a cluster server needs --name, --cluster-listen and --routes (the other servers)")
	case *clusterCA != "" && (*cluster == "" || *certFile == ""):
		return usagef("--cluster-ca secures a cluster's routes with the relay's own certificate: give --cluster, --tls-cert and --tls-key too")
	}
	o := relay.Options{Listen: *listen, StoreDir: *store, Log: *verbose, Replicas: *replicas, StreamBytes: *streamMiB << 20}
	if *cluster != "" {
		o.Cluster = &relay.Cluster{Name: *cluster, ServerName: *name, Listen: *clusterListen, Routes: list(*routes)}
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("relay: %w", err)
		}
		o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if *clusterCA != "" {
		pem, err := os.ReadFile(*clusterCA)
		if err != nil {
			return fmt.Errorf("relay: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("relay: %s holds no PEM certificate", *clusterCA)
		}
		o.Cluster.TLS = &tls.Config{Certificates: o.TLS.Certificates, RootCAs: pool, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	}
	if err := os.MkdirAll(*store, 0o700); err != nil {
		return fmt.Errorf("relay: cannot create the store directory: %w", err)
	}
	r, err := relay.Start(o)
	if err != nil {
		return err
	}
	defer r.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(c.env.Stderr, "relay listening on %s, keeping its streams in %s; Ctrl-C to stop\n", r.Addr(), *store)
	fmt.Fprintf(c.env.Stderr, "on each laptop that reaches it: consulta sync --relay %s\n", r.URL())
	c.out("%s\n", r.URL())
	<-ctx.Done()
	return nil
}

// Rounds with a relay: idle is the pause between rounds, after a round
// that worked; a round that fails is retried after a pause that doubles
// from firstRetry up to maxRetry.
var (
	relayIdle       = 10 * time.Second
	relayFirstRetry = time.Second
	relayMaxRetry   = 60 * time.Second
)

// syncRelay syncs with the relay at url: one round with once, else rounds
// until interrupted, one soon after this laptop stores operations.
func syncRelay(c *ctx, url string, once bool, replicas int) error {
	if c.svc.Workspace() == nil {
		return fmt.Errorf("sync: no workspace here yet")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := relay.SyncOptions{Log: syncLog(c), Replicas: replicas}
	if once {
		res, err := relay.Sync(ctx, c.svc, url, o)
		fmt.Fprintf(c.env.Stderr, "relay: %s\n", moved(res))
		return err
	}
	fmt.Fprintf(c.env.Stderr, "syncing workspace %q through relay %s; Ctrl-C to stop\n", c.svc.Workspace().Title, url)
	retry := relayFirstRetry
	for {
		changed := c.svc.OpsChanged()
		res, err := relay.Sync(ctx, c.svc, url, o)
		if ctx.Err() != nil {
			return nil
		}
		pause := relayIdle
		if err != nil {
			fmt.Fprintf(c.env.Stderr, "%v; trying again in %s\n", err, retry)
			pause, retry = retry, min(2*retry, relayMaxRetry)
		} else {
			retry = relayFirstRetry
		}
		if res != (relay.Result{}) {
			fmt.Fprintf(c.env.Stderr, "%s relay: %s\n", time.Now().Format("15:04:05"), moved(res))
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-changed:
			t.Stop()
			if err != nil { // keep the back-off
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(pause):
				}
			}
		}
	}
}

// moved says what a round moved.
func moved(r relay.Result) string {
	s := []string{"uploaded " + count(r.Uploaded, "operation"), "downloaded " + count(r.Downloaded, "new operation")}
	if r.Refused > 0 {
		s = append(s, fmt.Sprintf("refused %s (see the log above)", count(r.Refused, "message")))
	}
	if r.Unopened > 0 {
		s = append(s, fmt.Sprintf("%s sealed with a key this laptop does not hold (a removal it has not heard of yet, or removed)", count(r.Unopened, "message")))
	}
	if r.Waiting > 0 {
		s = append(s, fmt.Sprintf("%s waiting for earlier ones", count(r.Waiting, "operation")))
	}
	return strings.Join(s, ", ")
}
