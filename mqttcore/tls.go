package mqttcore

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/mqttdesk/mqttdesk/mqtt"

	"github.com/youmark/pkcs8"
)

// tlsConfig builds the TLS configuration for o. File and passphrase
// problems come back as sentences that name the file.
func tlsConfig(o mqtt.Options) (*tls.Config, error) {
	t := o.TLS
	cfg := &tls.Config{
		ServerName:         t.ServerName,
		NextProtos:         t.ALPN,
		InsecureSkipVerify: t.Insecure, // the user turned verification off explicitly
		MinVersion:         tls.VersionTLS12,
	}
	if cfg.ServerName == "" {
		cfg.ServerName = o.Host
	}
	switch t.MinVersion {
	case "", "1.2":
	case "1.3":
		cfg.MinVersion = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("minimum TLS version %q is not 1.2 or 1.3", t.MinVersion)
	}
	if t.CAFile != "" {
		pool, err := loadCAFile(t.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := loadClientCert(t.CertFile, t.KeyFile, t.KeyPassphrase)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func loadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError("CA file", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("the CA file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// loadClientCert reads a certificate and its key. The key may be PKCS#1,
// SEC 1 or PKCS#8, plain or encrypted (legacy PEM encryption or PKCS#8
// with PBES2).
func loadClientCert(certPath, keyPath, passphrase string) (tls.Certificate, error) {
	if certPath == "" || keyPath == "" {
		return tls.Certificate{}, errors.New("a client certificate needs both the certificate file and its key file")
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return tls.Certificate{}, fileError("client certificate", certPath, err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return tls.Certificate{}, fileError("client key", keyPath, err)
	}
	keyPEM, err = decryptKeyPEM(keyPEM, keyPath, passphrase)
	if err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("the client certificate %s and key %s do not go together or cannot be read: %w", certPath, keyPath, err)
	}
	return cert, nil
}

// decryptKeyPEM returns keyPEM with its key decrypted, as PKCS#8.
func decryptKeyPEM(keyPEM []byte, path, passphrase string) ([]byte, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, fmt.Errorf("the client key %s is not PEM", path)
	}
	encryptedPKCS8 := block.Type == "ENCRYPTED PRIVATE KEY"
	//lint:ignore SA1019 users' keys still come with legacy PEM encryption; reading them is the point
	legacy := x509.IsEncryptedPEMBlock(block)
	if !encryptedPKCS8 && !legacy {
		return keyPEM, nil
	}
	if passphrase == "" {
		return nil, fmt.Errorf("the client key %s is encrypted; enter its passphrase", path)
	}
	var key any
	var err error
	if encryptedPKCS8 {
		key, err = pkcs8.ParsePKCS8PrivateKey(block.Bytes, []byte(passphrase))
	} else {
		var der []byte
		//lint:ignore SA1019 as above
		der, err = x509.DecryptPEMBlock(block, []byte(passphrase))
		if err == nil {
			key, err = parsePlainKey(der)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the passphrase does not open the client key %s", path)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("the client key %s: %w", path, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func parsePlainKey(der []byte) (any, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return x509.ParsePKCS8PrivateKey(der)
}

func fileError(what, path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("the %s %s does not exist; choose it again in the TLS settings", what, path)
	}
	return fmt.Errorf("the %s %s cannot be read: %w", what, path, err)
}

// CheckTLS reports the first problem with o's TLS files (missing, not PEM,
// a key that does not match or a wrong passphrase) as a sentence naming
// the file, so an editor can show it before a connection is tried. It
// returns nil for connections without TLS.
func CheckTLS(o mqtt.Options) error {
	if !o.IsTLS() {
		return nil
	}
	_, err := tlsConfig(o)
	return err
}
