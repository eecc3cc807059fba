package relay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// A relay that requires TLS serves laptops that trust its certificate.
func TestTLSRelay(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "relay"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	r, err := Start(Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir(),
		TLS: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !strings.HasPrefix(r.URL(), "tls://") {
		t.Fatalf("URL %s", r.URL())
	}
	a := laptop(t, nil)
	write(t, a, 3, "Registro")
	if _, err := Sync(t.Context(), a, r.URL(), SyncOptions{Timeout: 2 * time.Second}); err == nil {
		t.Fatal("a laptop that does not trust the certificate synced")
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	res, err := Sync(t.Context(), a, r.URL(), SyncOptions{TLS: &tls.Config{RootCAs: roots}})
	if err != nil || res.Uploaded != total(vector(t, a)) {
		t.Fatalf("over TLS: %+v %v", res, err)
	}
}

// certAuthority makes certificates for 127.0.0.1 that servers present
// both as servers and as clients (a cluster's routes).
type certAuthority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCertAuthority(t *testing.T) *certAuthority {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relays' CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &certAuthority{cert: cert, key: key, pool: pool}
}

// routeTLS is a server's route configuration: its certificate signed by
// ca, peers verified against trusted.
func (ca *certAuthority) routeTLS(t *testing.T, serial int64, trusted *x509.CertPool) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "relay"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		RootCAs: trusted, ClientCAs: trusted, MinVersion: tls.VersionTLS12}
}

// A cluster whose routes use mutual TLS forms and keeps a stream's three
// replicas; a server whose certificate another CA signed does not join.
func TestClusterRoutesTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	ca := newCertAuthority(t)
	relays := startClusterTLS(t, func(i int) *tls.Config { return ca.routeTLS(t, int64(i+2), ca.pool) })
	a := laptop(t, nil)
	write(t, a, 20, "Registro")
	var err error
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(200 * time.Millisecond) {
		if _, err = Sync(t.Context(), a, relays[0].URL(), SyncOptions{Replicas: 3, Timeout: 2 * time.Second}); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	b := laptop(t, a.Workspace())
	syncOK(t, b, relays[2].URL()) // through another server
	if got, want := vector(t, b)[a.Device()], vector(t, a)[a.Device()]; got != want {
		t.Fatalf("b holds %d of a's operations, a %d", got, want)
	}

	// A server with a certificate of another CA, routing to the three.
	stranger := newCertAuthority(t)
	var routes []string
	for _, r := range relays {
		routes = append(routes, "nats-route://"+r.ns.ClusterAddr().String())
	}
	port := freePort(t)
	s, err := Start(Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Cluster: &Cluster{
		Name: "consulta", ServerName: "stranger", Listen: fmt.Sprintf("127.0.0.1:%d", port), Routes: routes,
		TLS: stranger.routeTLS(t, 9, ca.pool),
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.Sleep(2 * time.Second) // routes are retried every second
	if n := s.ns.NumRoutes(); n != 0 {
		t.Fatalf("the stranger holds %d routes", n)
	}
}
