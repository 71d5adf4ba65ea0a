// Package testpki makes certificate authorities, certificates and keys in
// a test's temporary directory, for TLS tests against our broker and
// mosquitto. It imports nothing of mqttdesk's.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/youmark/pkcs8"
)

// CA is a certificate authority made for one test.
type CA struct {
	t       testing.TB
	dir     string
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	CertPEM string // path of the CA certificate
}

// NewCA makes a CA named name, written to a temporary directory.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &CA{t: t, dir: t.TempDir(), cert: cert, key: key}
	ca.CertPEM = ca.write("ca.pem", "CERTIFICATE", der)
	return ca
}

// Leaf is a certificate and its key, as files.
type Leaf struct {
	CertFile string
	KeyFile  string // unencrypted PKCS#8
	key      *ecdsa.PrivateKey
	ca       *CA
}

// LeafOptions shape a certificate.
type LeafOptions struct {
	Name    string   // common name
	DNS     []string // DNS names
	IPs     []string
	Client  bool // for client authentication rather than server
	Expired bool
}

// Issue signs a certificate as o describes.
func (ca *CA) Issue(o LeafOptions) *Leaf {
	ca.t.Helper()
	key := newKey(ca.t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: o.Name}, DNSNames: o.DNS,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if o.Client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if o.Expired {
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	}
	for _, ip := range o.IPs {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		ca.t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	name := filepath.Base(ca.t.TempDir())
	return &Leaf{
		CertFile: ca.write(name+"-cert.pem", "CERTIFICATE", der),
		KeyFile:  ca.write(name+"-key.pem", "PRIVATE KEY", keyDER),
		key:      key, ca: ca,
	}
}

// EncryptedPKCS8 writes the key as an encrypted PKCS#8 PEM (PBES2, AES-256)
// and returns its path.
func (l *Leaf) EncryptedPKCS8(passphrase string) string {
	der, err := pkcs8.MarshalPrivateKey(l.key, []byte(passphrase), nil)
	if err != nil {
		l.ca.t.Fatal(err)
	}
	return l.ca.write(filepath.Base(l.KeyFile)+".p8enc", "ENCRYPTED PRIVATE KEY", der)
}

// EncryptedLegacyPEM writes the key as a SEC 1 PEM with legacy PEM
// encryption (Proc-Type: 4,ENCRYPTED) and returns its path.
func (l *Leaf) EncryptedLegacyPEM(passphrase string) string {
	der, _ := x509.MarshalECPrivateKey(l.key)
	//lint:ignore SA1019 tests that mqttdesk reads such keys
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte(passphrase), x509.PEMCipherAES256)
	if err != nil {
		l.ca.t.Fatal(err)
	}
	path := l.KeyFile + ".legacy"
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		l.ca.t.Fatal(err)
	}
	return path
}

func (ca *CA) write(name, typ string, der []byte) string {
	path := filepath.Join(ca.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	return path
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 100))
	return n
}

// CASource is anything that hands out a CA certificate as PEM, such as
// the local broker.
type CASource interface {
	CACertPEM() ([]byte, error)
}

// CAFile writes the CA certificate of src to a file in a temporary
// directory of t, for clients that take a CA file, and returns its path.
func CAFile(t testing.TB, src CASource) string {
	t.Helper()
	pem, err := src.CACertPEM()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
