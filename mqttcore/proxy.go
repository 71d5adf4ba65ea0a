package mqttcore

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/mqttdesk/mqttdesk/mqtt"

	"golang.org/x/net/proxy"
)

// dialTCP opens the TCP connection to addr, through the proxy when one is
// set.
func dialTCP(ctx context.Context, o mqtt.Options, addr string) (net.Conn, error) {
	d := net.Dialer{Resolver: resolver}
	p := o.Proxy
	proxyAddr := net.JoinHostPort(p.Host, strconv.Itoa(p.Port))
	switch p.Kind {
	case mqtt.ProxySOCKS5:
		var auth *proxy.Auth
		if p.Username != "" {
			auth = &proxy.Auth{User: p.Username, Password: p.Password}
		}
		socks, err := proxy.SOCKS5("tcp", proxyAddr, auth, &d)
		if err != nil {
			return nil, err
		}
		conn, err := socks.(proxy.ContextDialer).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, &proxyError{kind: "SOCKS5", addr: proxyAddr, err: err}
		}
		return conn, nil
	case mqtt.ProxyHTTP:
		return httpConnect(ctx, &d, proxyAddr, addr, p.Username, p.Password)
	}
	return d.DialContext(ctx, "tcp", addr)
}

// resolver looks up host names; tests point it at a DNS server on loopback.
var resolver = net.DefaultResolver

// httpConnect opens a tunnel to addr through an HTTP proxy with CONNECT.
func httpConnect(ctx context.Context, d *net.Dialer, proxyAddr, addr, user, pass string) (net.Conn, error) {
	conn, err := d.DialContext(ctx, "tcp", proxyAddr)
	if err != nil {
		return nil, &proxyError{kind: "HTTP", addr: proxyAddr, err: err}
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if user != "" {
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)) + "\r\n"
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		_ = conn.Close()
		return nil, &proxyError{kind: "HTTP", addr: proxyAddr, err: err}
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		_ = conn.Close()
		return nil, &proxyError{kind: "HTTP", addr: proxyAddr, err: err}
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_ = conn.Close()
		return nil, &proxyError{kind: "HTTP", addr: proxyAddr, status: resp.Status}
	}
	_ = conn.SetDeadline(timeZero)
	if br.Buffered() > 0 { // the broker spoke first; keep what was read
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// proxyError is a failure at the proxy rather than at the broker.
type proxyError struct {
	kind, addr, status string
	err                error
}

func (e *proxyError) Error() string {
	if e.status != "" {
		return fmt.Sprintf("the %s proxy %s refused the tunnel: %s", e.kind, e.addr, e.status)
	}
	return fmt.Sprintf("the %s proxy %s: %v", e.kind, e.addr, e.err)
}

func (e *proxyError) Unwrap() error { return e.err }

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
