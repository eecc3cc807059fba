package relay

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configure an embedded relay.
type Options struct {
	// Listen is the address to accept laptops on, HOST:PORT; port 0 picks
	// a free one, an empty port means NATS's 4222.
	Listen string
	// StoreDir is where JetStream keeps the streams; a relay started again
	// on the same directory holds what it acknowledged before.
	StoreDir string
	// TLS, when set, makes the relay accept only TLS connections
	// (laptops then use a tls:// URL).
	TLS *tls.Config
	// Log, when true, has the NATS server log to stderr.
	Log bool
	// Cluster, when set, makes this relay one server of a JetStream
	// cluster.
	Cluster *Cluster
	// Replicas is how many servers of a cluster keep each workspace's
	// stream the relay makes (1 to 5); 0 means 1, or 3 in a cluster of
	// three or more.
	Replicas int
	// StreamBytes is the most a workspace's stream holds; 0 means
	// DefaultStreamBytes. JetStream reserves it on the relay's disk for
	// every workspace (times Replicas in a cluster), so a relay serving
	// many workspaces on a small disk wants less.
	StreamBytes int64
}

// Cluster configures a relay as one server of a JetStream cluster.
type Cluster struct {
	// Name is the cluster's, the same on every server.
	Name string
	// ServerName names this server, unique in the cluster.
	ServerName string
	// Listen is the address to accept the other servers' routes on,
	// HOST:PORT.
	Listen string
	// Routes are the other servers' route addresses,
	// nats-route://HOST:PORT.
	Routes []string
	// TLS, when set, has the servers' routes use mutual TLS: each server
	// presents its certificate and accepts only servers whose
	// certificates the config's ClientCAs verify (and dials only those
	// its RootCAs verify). Nil: routes in the clear, for servers on one
	// private network.
	TLS *tls.Config
}

// Relay is a running embedded NATS server with JetStream.
type Relay struct {
	opts   Options // it was started with
	ns     *server.Server
	tls    bool
	access *access
	svc    *nats.Conn // the relay's own connection, answering the cluster's servers
}

// Start starts an embedded NATS server with JetStream, its store in
// o.StoreDir, writing every message to disk before acknowledging it
// (sync_interval: always).
func Start(o Options) (*Relay, error) {
	if o.StoreDir == "" {
		return nil, errors.New("relay: a store directory is needed")
	}
	host, port, err := splitListen(o.Listen, server.DEFAULT_PORT)
	if err != nil {
		return nil, fmt.Errorf("relay: listen address %q: %w", o.Listen, err)
	}
	acc, err := newAccess(o.StoreDir)
	if err != nil {
		return nil, err
	}
	acc.replicas, acc.streamBytes = o.Replicas, cmp.Or(o.StreamBytes, DefaultStreamBytes)
	if acc.streamBytes < 1<<20 {
		return nil, fmt.Errorf("relay: a workspace's stream of %d bytes is too small (at least 1 MiB)", acc.streamBytes)
	}
	if acc.replicas == 0 {
		acc.replicas = 1
		if o.Cluster != nil && len(o.Cluster.Routes) >= 2 {
			acc.replicas = 3
		}
	}
	if acc.replicas < 1 || acc.replicas > maxReplicas {
		return nil, fmt.Errorf("relay: %d replicas: a stream is kept by 1 to %d servers", o.Replicas, maxReplicas)
	}
	r, err := start(o, acc, host, port)
	if err != nil || o.Cluster == nil {
		return r, err
	}
	// A server that was down while workspaces came to the cluster asks
	// the others for them. A server drops the other servers' interest in
	// accounts it does not know yet when their routes connect, so when
	// it learned any, it starts again with them configured.
	acc.peers = peers(o.Cluster)
	if !r.waitRoutes(3*time.Second) || acc.pull() == 0 {
		return r, nil
	}
	r.Close()
	return start(o, acc, host, port)
}

// start starts the NATS server of Start, with the accounts of the
// workspaces acc knows, and the relay's own connection.
func start(o Options, acc *access, host string, port int) (*Relay, error) {
	// The workspaces' accounts, configured before JetStream starts so
	// that it finds their streams.
	opts := &server.Options{}
	conf, err := acc.accountsConfig()
	if err == nil && conf != "" {
		err = opts.ProcessConfigString(conf)
	}
	if err != nil {
		return nil, fmt.Errorf("relay: the workspaces in %s: %w", acc.dir, err)
	}
	opts.ServerName = "consulta-relay"
	opts.Host, opts.Port = host, port
	opts.JetStream, opts.StoreDir, opts.SyncAlways = true, o.StoreDir, true
	opts.NoSigs, opts.NoLog = true, !o.Log
	opts.MaxPayload = maxPayload
	opts.CustomClientAuthentication, opts.AlwaysEnableNonce = acc, true
	// A first connection may wait for the cluster (lookupWait, spreadWait)
	// before it is let in.
	opts.AuthTimeout = (lookupWait + spreadWait + 2*time.Second).Seconds()
	if o.TLS != nil {
		opts.TLS, opts.TLSConfig = true, o.TLS
	}
	if c := o.Cluster; c != nil {
		if c.Name == "" || c.ServerName == "" {
			return nil, errors.New("relay: a cluster needs a name and a server name")
		}
		h, p, err := splitListen(c.Listen, 6222) // NATS's route port
		if err != nil {
			return nil, fmt.Errorf("relay: cluster listen address %q: %w", c.Listen, err)
		}
		opts.ServerName = c.ServerName
		opts.Cluster = server.ClusterOpts{Name: c.Name, Host: h, Port: p}
		if c.TLS != nil {
			cfg := c.TLS.Clone()
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
			opts.Cluster.TLSConfig, opts.Cluster.TLSTimeout = cfg, 5
		}
		for _, r := range c.Routes {
			u, err := url.Parse(r)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("relay: route %q: not nats-route://HOST:PORT", r)
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	if o.Log {
		ns.ConfigureLogger()
	}
	acc.ns = ns
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("relay: the NATS server did not start within 10 s (is the address in use?)")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns), nats.Token(acc.admin), nats.Name("consulta-relay"),
		nats.MaxReconnects(-1), nats.NoEcho())
	if err == nil {
		err = acc.serve(nc)
	}
	if err != nil {
		if nc != nil {
			nc.Close()
		}
		ns.Shutdown()
		return nil, fmt.Errorf("relay: its own connection: %w", err)
	}
	return &Relay{opts: o, ns: ns, tls: o.TLS != nil, access: acc, svc: nc}, nil
}

// peers counts the other servers a cluster server's routes name: those
// routes but one to its own address.
func peers(c *Cluster) int {
	_, ownPort, _ := net.SplitHostPort(c.Listen)
	ownHost, _, _ := net.SplitHostPort(c.Listen)
	n := 0
	for _, r := range c.Routes {
		u, err := url.Parse(r)
		if err != nil {
			continue
		}
		own := u.Port() == ownPort && (u.Hostname() == ownHost || ownHost == "" || ownHost == "0.0.0.0" || net.ParseIP(u.Hostname()).IsLoopback() || u.Hostname() == "localhost")
		if !own {
			n++
		}
	}
	return n
}

// waitRoutes waits until the relay has a route to another server of its
// cluster, at most d; it reports whether it has.
func (r *Relay) waitRoutes(d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if r.ns.NumRoutes() > 0 {
			return true
		}
	}
	return false
}

// splitListen splits HOST:PORT; an empty host means every interface, an
// empty port def, port 0 a free one.
func splitListen(addr string, def int) (string, int, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port := def
	if portText != "" {
		if port, err = strconv.Atoi(portText); err != nil || port < 0 || port > 65535 {
			return "", 0, errors.New("bad port")
		}
		if port == 0 {
			port = server.RANDOM_PORT
		}
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return host, port, nil
}

// Serve runs a relay until ctx is done.
func Serve(ctx context.Context, o Options) error {
	r, err := Start(o)
	if err != nil {
		return err
	}
	<-ctx.Done()
	r.Close()
	return nil
}

// Addr returns the address the relay accepts connections on.
func (r *Relay) Addr() net.Addr { return r.ns.Addr() }

// URL returns a URL to reach the relay at from this machine,
// nats://HOST:PORT (tls:// when the relay requires TLS); a relay listening
// on every interface is named by its loopback address.
func (r *Relay) URL() string {
	scheme := "nats"
	if r.tls {
		scheme = "tls"
	}
	addr, ok := r.Addr().(*net.TCPAddr)
	if !ok {
		return scheme + "://" + r.Addr().String()
	}
	ip := addr.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return scheme + "://" + net.JoinHostPort(ip.String(), strconv.Itoa(addr.Port))
}

// Close stops the relay; what it acknowledged is on disk.
func (r *Relay) Close() {
	r.svc.Close()
	r.ns.Shutdown()
	r.ns.WaitForShutdown()
}
