package mqttcore

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// v311Driver serves one MQTT 3.1.1 connection with paho.mqtt.golang. A
// client is made for each connection and never reused after Disconnect.
type v311Driver struct {
	cli      mqtt.Client
	timeout  time.Duration
	lostCh   chan struct{}
	lostOnce sync.Once
	mu       sync.Mutex
	info     DisconnectInfo
}

func connectV311(ctx context.Context, conn *tapConn, o Options, clientID string, deliver func(Message)) (drv driver, ack *Connack, err error) {
	defer closeOnError(conn, &err)
	d := &v311Driver{timeout: o.connectTimeout(), lostCh: make(chan struct{})}
	d.cli = mqtt.NewClient(clientOptionsV311(o, clientID, conn, deliver, d.connectionLost))
	tok := d.cli.Connect()
	if err := waitToken(ctx, tok, d.timeout); err != nil {
		// Only a finished token may be read: after our own timeout paho's
		// goroutine may still be writing it.
		if isClosed(tok.Done()) {
			if code, ok := v3ConnackCodes[tok.(*mqtt.ConnectToken).ReturnCode()]; ok {
				return nil, nil, refusal(o, code, "")
			}
		}
		return nil, nil, err
	}
	ct := tok.(*mqtt.ConnectToken)
	return d, &Connack{
		SessionPresent: ct.SessionPresent(), ClientID: clientID, ServerKeepAlive: -1,
		ReceiveMaximum: 65535, MaximumQoS: 2, RetainAvailable: true, WildcardSubs: true, SharedSubs: true,
	}, nil
}

func clientOptionsV311(o Options, clientID string, conn *tapConn, deliver func(Message), lost func(mqtt.Client, error)) *mqtt.ClientOptions {
	opts := mqtt.NewClientOptions().
		AddBroker("tcp://" + o.addr()). // the connection is ours: see the open function below
		SetCustomOpenConnectionFn(func(*url.URL, mqtt.ClientOptions) (net.Conn, error) { return conn, nil }).
		SetProtocolVersion(4).
		SetClientID(clientID).
		SetUsername(o.Username).
		SetPassword(o.Password).
		SetKeepAlive(time.Duration(o.KeepAlive) * time.Second).
		SetCleanSession(o.Clean).
		SetConnectTimeout(o.connectTimeout()).
		SetAutoReconnect(false). // Session reconnects, with a new client each time
		SetConnectRetry(false).
		SetOrderMatters(true). // messages in order; the handler never calls back into the client
		SetResumeSubs(false).
		SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) {
			deliver(Message{
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

func (d *v311Driver) connectionLost(_ mqtt.Client, err error) {
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

func (d *v311Driver) subscribe(ctx context.Context, subs []Subscription) ([]SubscribeResult, error) {
	filters := make(map[string]byte, len(subs))
	for _, s := range subs {
		filters[s.Filter] = s.QoS
	}
	tok := d.cli.SubscribeMultiple(filters, nil)
	if err := d.wait(ctx, tok, d.timeout); err != nil {
		return nil, err
	}
	granted := tok.(*mqtt.SubscribeToken).Result()
	out := make([]SubscribeResult, len(subs))
	for i, s := range subs {
		out[i] = SubscribeResult{Filter: s.Filter, Requested: s.QoS, ReasonCode: granted[s.Filter]}
	}
	return out, nil
}

func (d *v311Driver) unsubscribe(ctx context.Context, filters []string) error {
	return d.wait(ctx, d.cli.Unsubscribe(filters...), d.timeout)
}

func (d *v311Driver) publish(ctx context.Context, m Message) (PublishResult, error) {
	return PublishResult{}, d.wait(ctx, d.cli.Publish(m.Topic, m.QoS, m.Retain, m.Payload), 0)
}

// wait waits for tok like waitToken, and gives up when the connection ends.
func (d *v311Driver) wait(ctx context.Context, tok mqtt.Token, limit time.Duration) error {
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
func waitToken(ctx context.Context, tok mqtt.Token, limit time.Duration) error {
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
