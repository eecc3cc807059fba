package relay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
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
