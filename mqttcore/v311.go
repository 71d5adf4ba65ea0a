package mqttcore

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"

	paho3 "github.com/eclipse/paho.mqtt.golang"
)

// v311Driver serves one MQTT 3.1.1 connection with paho.mqtt.golang. A
// client is made for each connection and never reused after Disconnect.
type v311Driver struct {
	cli      paho3.Client
	timeout  time.Duration
	lostCh   chan struct{}
	lostOnce sync.Once
	mu       sync.Mutex
	info     DisconnectInfo
}

func connectV311(ctx context.Context, conn *tapConn, o mqtt.Options, clientID string, deliver func(mqtt.Message)) (drv driver, ack *Connack, err error) {
	defer closeOnError(conn, &err)
	d := &v311Driver{timeout: o.Timeout(), lostCh: make(chan struct{})}
	d.cli = paho3.NewClient(clientOptionsV311(o, clientID, conn, deliver, d.connectionLost))
	tok := d.cli.Connect()
	if err := waitToken(ctx, tok, d.timeout); err != nil {
		// Only a finished token may be read: after our own timeout paho's
		// goroutine may still be writing it.
		if isClosed(tok.Done()) {
			if code, ok := v3ConnackCodes[tok.(*paho3.ConnectToken).ReturnCode()]; ok {
				return nil, nil, refusal(o, code, "")
			}
		}
		return nil, nil, err
	}
	ct := tok.(*paho3.ConnectToken)
	return d, &Connack{
		SessionPresent: ct.SessionPresent(), ClientID: clientID, ServerKeepAlive: -1,
		ReceiveMaximum: 65535, MaximumQoS: 2, RetainAvailable: true, WildcardSubs: true, SharedSubs: true,
	}, nil
}

func clientOptionsV311(o mqtt.Options, clientID string, conn *tapConn, deliver func(mqtt.Message), lost func(paho3.Client, error)) *paho3.ClientOptions {
	opts := paho3.NewClientOptions().
		AddBroker("tcp://" + o.Addr()). // the connection is ours: see the open function below
		SetCustomOpenConnectionFn(func(*url.URL, paho3.ClientOptions) (net.Conn, error) { return conn, nil }).
		SetProtocolVersion(4).
		SetClientID(clientID).
		SetUsername(o.Username).
		SetPassword(o.Password).
		SetKeepAlive(time.Duration(o.KeepAlive) * time.Second).
		SetCleanSession(o.Clean).
		SetConnectTimeout(o.Timeout()).
		SetAutoReconnect(false). // Session reconnects, with a new client each time
		SetConnectRetry(false).
		SetOrderMatters(true). // messages in order; the handler never calls back into the client
		SetResumeSubs(false).
		SetDefaultPublishHandler(func(_ paho3.Client, m paho3.Message) {
			deliver(mqtt.Message{
				Topic: m.Topic(), Payload: m.Payload(), QoS: m.Qos(), Retain: m.Retained(),
				Duplicate: m.Duplicate(), PacketID: m.MessageID(), Received: time.Now(),
			})
			conn.ids.deliveredOne() // the tap delivers QoS 0 itself only once the library has caught up
		}).
		SetConnectionLostHandler(lost)
	if w := o.Will; w != nil {
		opts.SetBinaryWill(w.Topic, w.Payload, w.QoS, w.Retain)
	}
	return opts
}

func (d *v311Driver) connectionLost(_ paho3.Client, err error) {
	d.mu.Lock()
	if d.info.Err == nil {
		d.info.Err = err
	}
	d.mu.Unlock()
	d.markLost()
}

func (d *v311Driver) markLost() { d.lostOnce.Do(func() { close(d.lostCh) }) }

func (d *v311Driver) lost() <-chan struct{} { return d.lostCh }

func (d *v311Driver) lostInfo() DisconnectInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.info
}

func (d *v311Driver) disconnect() {
	d.mu.Lock()
	d.info.ByClient = true
	d.mu.Unlock()
	d.cli.Disconnect(250)
	d.markLost()
}

func (d *v311Driver) subscribe(ctx context.Context, subs []mqtt.Subscription) ([]mqtt.SubscribeResult, error) {
	filters := make(map[string]byte, len(subs))
	for _, s := range subs {
		filters[s.Filter] = s.QoS
	}
	tok, err := d.call(ctx, func() paho3.Token { return d.cli.SubscribeMultiple(filters, nil) })
	if err != nil {
		return nil, err
	}
	if err := d.wait(ctx, tok, d.timeout); err != nil {
		return nil, err
	}
	granted := tok.(*paho3.SubscribeToken).Result()
	out := make([]mqtt.SubscribeResult, len(subs))
	for i, s := range subs {
		out[i] = mqtt.SubscribeResult{Filter: s.Filter, Requested: s.QoS, ReasonCode: granted[s.Filter]}
	}
	return out, nil
}

func (d *v311Driver) unsubscribe(ctx context.Context, filters []string) error {
	tok, err := d.call(ctx, func() paho3.Token { return d.cli.Unsubscribe(filters...) })
	if err != nil {
		return err
	}
	return d.wait(ctx, tok, d.timeout)
}

func (d *v311Driver) publish(ctx context.Context, m mqtt.Message) (mqtt.PublishResult, error) {
	tok, err := d.call(ctx, func() paho3.Token { return d.cli.Publish(m.Topic, m.QoS, m.Retain, m.Payload) })
	if err != nil {
		return mqtt.PublishResult{}, err
	}
	return mqtt.PublishResult{}, d.wait(ctx, tok, 0)
}

// call starts a request and returns its token. When the connection ends
// under it, paho.mqtt.golang waits up to 30 s (its write timeout, which
// also bounds every write, so it stays unset) to queue the request; call
// gives up as soon as the connection has gone or ctx ends, and the
// library's goroutine finishes on its own.
func (d *v311Driver) call(ctx context.Context, request func() paho3.Token) (paho3.Token, error) {
	started := make(chan paho3.Token, 1)
	go func() { started <- request() }()
	select {
	case tok := <-started:
		return tok, nil
	case <-d.lostCh:
		return nil, errConnectionLost
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// wait waits for tok like waitToken, and gives up when the connection ends.
func (d *v311Driver) wait(ctx context.Context, tok paho3.Token, limit time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-d.lostCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := waitToken(ctx, tok, limit)
	if err != nil && isClosed(d.lostCh) {
		return errConnectionLost
	}
	return err
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// waitToken waits for tok until ctx ends or, when limit is set, for at
// most limit.
func waitToken(ctx context.Context, tok paho3.Token, limit time.Duration) error {
	var timeout <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
		return errTokenTimeout
	}
}

// errTokenTimeout classifies as a timeout.
var errTokenTimeout = fmt.Errorf("no answer from the broker in time: %w", os.ErrDeadlineExceeded)
