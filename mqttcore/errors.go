package mqttcore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// ErrorKind classifies a connection failure.
type ErrorKind int

// Error kinds.
const (
	ErrOther ErrorKind = iota
	ErrNameNotFound
	ErrConnectionRefused
	ErrTimeout
	ErrTLSUnknownAuthority
	ErrTLSHostname
	ErrTLSExpired
	ErrBadCredentials
	ErrNotAuthorized
	ErrProtocolVersion
	ErrPacketTooLarge
	ErrRefused // any other CONNACK refusal
	ErrProxy
	ErrConfig   // the options cannot work (a missing file, a wrong passphrase)
	ErrProtocol // the broker sent a packet MQTT does not allow
)

// Sentinel errors callers may test with errors.Is.
var (
	// ErrNotConnected is returned for a QoS 0 publish, subscribe or
	// unsubscribe while the session has no connection.
	ErrNotConnected = errors.New("not connected")
	// ErrClosed is returned by a session after Disconnect.
	ErrClosed = errors.New("session closed")
	// errConnectionLost ends requests whose connection has gone.
	errConnectionLost = errors.New("the connection was lost")
)

// Error is a connection failure as one sentence a user can act on, with
// the cause kept for the details view.
type Error struct {
	Kind     ErrorKind
	Sentence string
	Err      error
}

func (e *Error) Error() string { return e.Sentence }
func (e *Error) Unwrap() error { return e.Err }

// Detail returns the underlying cause's text.
func (e *Error) Detail() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// isFatal reports whether retrying cannot help without the user changing
// something.
func (e *Error) isFatal() bool {
	switch e.Kind {
	case ErrTLSUnknownAuthority, ErrTLSHostname, ErrTLSExpired, ErrBadCredentials,
		ErrNotAuthorized, ErrProtocolVersion, ErrConfig:
		return true
	}
	return false
}

// classify turns a dial or CONNECT failure into an *Error.
func classify(o mqtt.Options, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, c := range classifiers {
		if e := c(o, err); e != nil {
			return e
		}
	}
	return &Error{Kind: ErrOther, Sentence: fmt.Sprintf("Could not connect to %s: %v.", o.URL(), err), Err: err}
}

var classifiers = []func(mqtt.Options, error) *Error{
	classifyConfig, classifyProxy, classifyDNS, classifyRefused, classifyTimeout,
	classifyUnknownAuthority, classifyHostname, classifyExpired,
}

func classifyConfig(_ mqtt.Options, err error) *Error {
	var ce *configError
	if errors.As(err, &ce) {
		return &Error{Kind: ErrConfig, Sentence: capitalize(ce.Error()) + ".", Err: err}
	}
	return nil
}

func classifyProxy(_ mqtt.Options, err error) *Error {
	var pe *proxyError
	if errors.As(err, &pe) {
		return &Error{Kind: ErrProxy, Sentence: capitalize(pe.Error()) + "; check the proxy settings.", Err: err}
	}
	return nil
}

func classifyDNS(o mqtt.Options, err error) *Error {
	var dns *net.DNSError
	if errors.As(err, &dns) && (dns.IsNotFound || strings.Contains(dns.Err, "no such host")) {
		return &Error{Kind: ErrNameNotFound, Sentence: fmt.Sprintf("The name %q was not found; check the host name.", o.Host), Err: err}
	}
	return nil
}

func classifyRefused(o mqtt.Options, err error) *Error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return &Error{Kind: ErrConnectionRefused, Sentence: fmt.Sprintf("Nothing accepted the connection at %s; check the port and that the broker is running.", o.Addr()), Err: err}
	}
	return nil
}

func classifyTimeout(o mqtt.Options, err error) *Error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{Kind: ErrTimeout, Sentence: fmt.Sprintf("No answer from %s within %s; check the address, the port and any firewall or proxy.", o.Addr(), o.Timeout()), Err: err}
	}
	return nil
}

func classifyUnknownAuthority(_ mqtt.Options, err error) *Error {
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		return nil
	}
	cert := ua.Cert
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) && len(cve.UnverifiedCertificates) > 0 {
		cert = cve.UnverifiedCertificates[0] // the broker's own, not the last one of its chain
	}
	what := "The broker's certificate"
	if cert != nil {
		what = fmt.Sprintf("The broker's certificate (%q, issued by %q)", cert.Subject.CommonName, cert.Issuer.CommonName)
	}
	return &Error{Kind: ErrTLSUnknownAuthority, Sentence: what + " is not signed by a CA this computer trusts; choose the broker's CA file in the TLS settings.", Err: err}
}

func classifyHostname(o mqtt.Options, err error) *Error {
	var he x509.HostnameError
	if !errors.As(err, &he) {
		return nil
	}
	names := certNames(he.Certificate)
	return &Error{Kind: ErrTLSHostname, Sentence: fmt.Sprintf("The broker's certificate is for %s, not %q; connect with one of those names or set the server name in the TLS settings.", names, he.Host), Err: err}
}

func classifyExpired(_ mqtt.Options, err error) *Error {
	var ci x509.CertificateInvalidError
	if !errors.As(err, &ci) || ci.Reason != x509.Expired {
		return nil
	}
	when := "its end date"
	if ci.Cert != nil {
		when = ci.Cert.NotAfter.Format(time.DateOnly)
		if ci.Cert.NotBefore.After(time.Now()) {
			when = "a date not yet reached (" + ci.Cert.NotBefore.Format(time.DateOnly) + ")"
		}
	}
	return &Error{Kind: ErrTLSExpired, Sentence: fmt.Sprintf("The broker's certificate is not valid now (it expired on %s); renew it on the broker, or check this computer's clock.", when), Err: err}
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "other names"
	}
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	return strings.Join(names, ", ")
}

// refusal turns a CONNACK refusal (an MQTT 5 reason code) into an *Error.
func refusal(o mqtt.Options, code byte, reason string) *Error {
	cause := fmt.Errorf("CONNACK %s (0x%02X) %s", mqtt.ReasonText(code), code, reason)
	switch code {
	case 0x86:
		return &Error{Kind: ErrBadCredentials, Sentence: "The broker refused the username or password; check them in the connection's settings.", Err: cause}
	case 0x87:
		sentence := "The broker refused this client: not authorized."
		if o.Version == mqtt.MQTT311 && o.Username != "" {
			// 3.1.1 brokers answer a wrong password with this code too.
			sentence = "The broker refused this client: not authorized; check the username and password."
		}
		return &Error{Kind: ErrNotAuthorized, Sentence: sentence, Err: cause}
	case 0x84:
		other := mqtt.MQTT311
		if o.Version == mqtt.MQTT311 {
			other = mqtt.MQTT5
		}
		return &Error{Kind: ErrProtocolVersion, Sentence: fmt.Sprintf("The broker does not speak MQTT %s; switch this connection to MQTT %s.", o.Version, other), Err: cause}
	case 0x95:
		return &Error{Kind: ErrPacketTooLarge, Sentence: "The broker refused the connection because a packet was too large.", Err: cause}
	}
	return &Error{Kind: ErrRefused, Sentence: fmt.Sprintf("The broker refused the connection: %s.", mqtt.ReasonText(code)), Err: cause}
}

// configError is a problem with the options found while connecting.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
