package mqttcore

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// testProxy is a SOCKS5 or HTTP CONNECT proxy on loopback that only
// tunnels to loopback and counts its tunnels.
type testProxy struct {
	ln         net.Listener
	user, pass string
	tunnels    atomic.Int64
	wg         sync.WaitGroup
}

func startProxy(t *testing.T, kind, user, pass string) *testProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &testProxy{ln: ln, user: user, pass: pass}
	serve := p.serveSOCKS5
	if kind == mqtt.ProxyHTTP {
		serve = p.serveHTTP
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() { defer p.wg.Done(); serve(c) }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); p.wg.Wait() })
	return p
}

func (p *testProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// tunnel connects client to addr (loopback only) and copies both ways.
func (p *testProxy) tunnel(client net.Conn, addr string, ok func() error) {
	defer client.Close()
	host, _, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return
	}
	target, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer target.Close()
	if ok() != nil {
		return
	}
	p.tunnels.Add(1)
	done := make(chan struct{})
	go func() { _, _ = io.Copy(target, client); _ = target.Close(); close(done) }()
	_, _ = io.Copy(client, target)
	_ = client.Close()
	<-done
}

func (p *testProxy) serveSOCKS5(c net.Conn) {
	r := bufio.NewReader(c)
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(r, hdr); err != nil || hdr[0] != 5 {
		c.Close()
		return
	}
	methods := make([]byte, hdr[1])
	_, _ = io.ReadFull(r, methods)
	if p.user != "" {
		_, _ = c.Write([]byte{5, 2})
		if !p.socksAuth(r, c) {
			c.Close()
			return
		}
	} else {
		_, _ = c.Write([]byte{5, 0})
	}
	addr, err := socksTarget(r)
	if err != nil {
		c.Close()
		return
	}
	p.tunnel(&readerConn{Conn: c, r: r}, addr, func() error {
		_, err := c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
		return err
	})
}

func (p *testProxy) socksAuth(r *bufio.Reader, c net.Conn) bool {
	ver, _ := r.ReadByte()
	ulen, _ := r.ReadByte()
	user := make([]byte, ulen)
	_, _ = io.ReadFull(r, user)
	plen, _ := r.ReadByte()
	pass := make([]byte, plen)
	_, _ = io.ReadFull(r, pass)
	ok := ver == 1 && string(user) == p.user && string(pass) == p.pass
	status := byte(1)
	if ok {
		status = 0
	}
	_, _ = c.Write([]byte{1, status})
	return ok
}

func socksTarget(r *bufio.Reader) (string, error) {
	req := make([]byte, 4)
	if _, err := io.ReadFull(r, req); err != nil || req[1] != 1 {
		return "", errors.New("not CONNECT")
	}
	var host string
	switch req[3] {
	case 1:
		ip := make([]byte, 4)
		_, _ = io.ReadFull(r, ip)
		host = net.IP(ip).String()
	case 3:
		n, _ := r.ReadByte()
		name := make([]byte, n)
		_, _ = io.ReadFull(r, name)
		host = string(name)
	default:
		return "", errors.New("address type")
	}
	port := make([]byte, 2)
	_, _ = io.ReadFull(r, port)
	return net.JoinHostPort(host, strconv.Itoa(int(port[0])<<8|int(port[1]))), nil
}

func (p *testProxy) serveHTTP(c net.Conn) {
	r := bufio.NewReader(c)
	req, err := http.ReadRequest(r)
	if err != nil || req.Method != http.MethodConnect {
		c.Close()
		return
	}
	if p.user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass))
		if req.Header.Get("Proxy-Authorization") != want {
			_, _ = c.Write([]byte("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"))
			c.Close()
			return
		}
	}
	p.tunnel(&readerConn{Conn: c, r: r}, req.Host, func() error {
		_, err := c.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		return err
	})
}

type readerConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *readerConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func TestThroughProxies(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	for _, kind := range []string{mqtt.ProxySOCKS5, mqtt.ProxyHTTP} {
		for _, creds := range [][2]string{{"", ""}, {"proxyuser", "proxypass"}} {
			t.Run(kind+"/"+map[bool]string{true: "with credentials", false: "anonymous"}[creds[0] != ""], func(t *testing.T) {
				proxy := startProxy(t, kind, creds[0], creds[1])
				for _, scheme := range []string{mqtt.SchemeMQTT, mqtt.SchemeWSS} {
					o := testOptions(scheme, "127.0.0.1", b.port(t, scheme), mqtt.MQTT5)
					o.TLS.CAFile = b.caFile
					o.Proxy = mqtt.ProxyOptions{Kind: kind, Host: "127.0.0.1", Port: proxy.port(), Username: creds[0], Password: creds[1]}
					roundTrip(t, o)
				}
				if n := proxy.tunnels.Load(); n < 2 {
					t.Fatalf("%d tunnels through the proxy, want 2", n)
				}
			})
		}
	}
}

func TestProxyRefusal(t *testing.T) {
	b := startLocal(t, localbroker.Config{})
	for _, kind := range []string{mqtt.ProxySOCKS5, mqtt.ProxyHTTP} {
		proxy := startProxy(t, kind, "right", "pass")
		o := testOptions(mqtt.SchemeMQTT, "127.0.0.1", b.port(t, mqtt.SchemeMQTT), mqtt.MQTT311)
		o.Proxy = mqtt.ProxyOptions{Kind: kind, Host: "127.0.0.1", Port: proxy.port(), Username: "wrong", Password: "pass"}
		err := connectErr(t, o)
		if err.Kind != ErrProxy || !strings.Contains(err.Sentence, "proxy 127.0.0.1:") || !strings.HasSuffix(err.Sentence, "check the proxy settings.") {
			t.Errorf("%s with wrong credentials: %v (kind %d)", kind, err, err.Kind)
		}
	}
}

// connectErr connects once, without retrying, and returns the *Error.
func connectErr(t *testing.T, o mqtt.Options) *Error {
	t.Helper()
	o.Reconnect.Enabled = false
	s, err := NewSession(o, newRecorder())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = s.Connect(ctx)
	_ = s.Disconnect(context.Background())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Connect returned %v (%T), want *Error", err, err)
	}
	return e
}
