package mqttcore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"

	"github.com/eclipse/paho.golang/paho"
	"github.com/eclipse/paho.golang/paho/session/state"
)

// v5Driver serves one MQTT 5 connection with paho.golang's Client.
type v5Driver struct {
	cli  *paho.Client
	tap  *tapConn
	mu   sync.Mutex
	info DisconnectInfo
}

func connectV5(ctx context.Context, conn *tapConn, o mqtt.Options, clientID string, deliver func(mqtt.Message)) (drv driver, ack *Connack, err error) {
	defer closeOnError(conn, &err)
	if willNeedsOwnConnect(o.Will) {
		conn.replaceFirst = encodeConnectV5(o, clientID)
	}
	d := &v5Driver{tap: conn}
	d.cli = paho.NewClient(paho.ClientConfig{
		ClientID:           clientID,
		Conn:               conn,
		Session:            state.NewInMemory(),
		OnPublishReceived:  []func(paho.PublishReceived) (bool, error){d.received(deliver)},
		OnServerDisconnect: d.serverDisconnect,
		OnClientError:      d.clientError,
		PacketTimeout:      o.Timeout(),
		PingHandler:        newPinger(),
	})
	ca, err := d.cli.Connect(ctx, connectPacket(o, clientID))
	if ca != nil && ca.ReasonCode >= 0x80 {
		reason := ""
		if ca.Properties != nil {
			reason = ca.Properties.ReasonString
		}
		return nil, nil, refusal(o, ca.ReasonCode, reason)
	}
	if code := conn.v3Refusal.Load(); code != 0 {
		// A 3.1.1-only broker answers with a 3.1.1 CONNACK, which paho
		// cannot decode; its code says why (1: protocol version).
		return nil, nil, refusal(o, v3ConnackCodes[byte(code)], "")
	}
	if err != nil {
		return nil, nil, err
	}
	return d, connackV5(ca, clientID), nil
}

func connectPacket(o mqtt.Options, clientID string) *paho.Connect {
	cp := &paho.Connect{
		ClientID:   clientID,
		KeepAlive:  uint16(o.KeepAlive),
		CleanStart: o.Clean,
		Username:   o.Username, UsernameFlag: o.Username != "",
		Password: []byte(o.Password), PasswordFlag: o.Password != "",
		Properties: &paho.ConnectProperties{
			RequestProblemInfo:  !o.NoProblemInfo,
			RequestResponseInfo: o.RequestResponseInfo,
			User:                userToPaho(o.UserProperties),
		},
	}
	p := cp.Properties
	if o.SessionExpiry > 0 {
		p.SessionExpiryInterval = &o.SessionExpiry
	}
	if o.ReceiveMaximum > 0 {
		p.ReceiveMaximum = &o.ReceiveMaximum
	}
	maxPacket := o.PacketSizeLimit()
	p.MaximumPacketSize = &maxPacket
	if o.TopicAliasMaximum > 0 {
		p.TopicAliasMaximum = &o.TopicAliasMaximum
	}
	if w := o.Will; w != nil {
		cp.WillMessage = &paho.WillMessage{Topic: w.Topic, Payload: w.Payload, QoS: w.QoS, Retain: w.Retain}
		cp.WillProperties = willPropertiesV5(w)
	}
	return cp
}

func willPropertiesV5(w *mqtt.Will) *paho.WillProperties {
	wp := &paho.WillProperties{
		PayloadFormat: w.Properties.PayloadFormat, MessageExpiry: w.Properties.MessageExpiry,
		ContentType: w.Properties.ContentType, ResponseTopic: w.Properties.ResponseTopic,
		CorrelationData: w.Properties.CorrelationData, User: userToPaho(w.Properties.User),
	}
	if w.Delay > 0 {
		wp.WillDelayInterval = &w.Delay
	}
	return wp
}

func connackV5(ca *paho.Connack, clientID string) *Connack {
	c := &Connack{SessionPresent: ca.SessionPresent, ClientID: clientID, ServerKeepAlive: -1, ReceiveMaximum: 65535, MaximumQoS: 2}
	p := ca.Properties
	if p == nil {
		return c
	}
	c.AssignedClientID, c.ServerReference, c.ReasonString, c.ResponseInfo = p.AssignedClientID, p.ServerReference, p.ReasonString, p.ResponseInfo
	if p.AssignedClientID != "" {
		c.ClientID = p.AssignedClientID
	}
	c.RetainAvailable, c.WildcardSubs, c.SubscriptionIDs, c.SharedSubs = p.RetainAvailable, p.WildcardSubAvailable, p.SubIDAvailable, p.SharedSubAvailable
	if p.ServerKeepAlive != nil {
		c.ServerKeepAlive = int(*p.ServerKeepAlive)
	}
	if p.ReceiveMaximum != nil {
		c.ReceiveMaximum = int(*p.ReceiveMaximum)
	}
	if p.MaximumQoS != nil {
		c.MaximumQoS = *p.MaximumQoS
	}
	if p.MaximumPacketSize != nil {
		c.MaximumPacketSize = *p.MaximumPacketSize
	}
	if p.TopicAliasMaximum != nil {
		c.TopicAliasMaximum = *p.TopicAliasMaximum
	}
	c.User = userFromPaho(p.User)
	return c
}

// received converts and hands on each PUBLISH. paho calls it on one
// goroutine, in order.
func (d *v5Driver) received(deliver func(mqtt.Message)) func(paho.PublishReceived) (bool, error) {
	return func(pr paho.PublishReceived) (bool, error) {
		p := pr.Packet
		m := messageFromPaho(p)
		m.Received = time.Now()
		var last *int
		if p.Properties != nil {
			last = p.Properties.SubscriptionIdentifier
		}
		m.Properties.SubscriptionIDs = d.tap.ids.forHandled(p.PacketID, last)
		deliver(m) // paho's packet is not reused after this call returns
		d.tap.ids.deliveredOne()
		return true, nil
	}
}

// messageFromPaho converts an incoming PUBLISH, but for its subscription
// identifiers, of which paho keeps only the last.
func messageFromPaho(p *paho.Publish) mqtt.Message {
	m := mqtt.Message{Topic: p.Topic, Payload: p.Payload, QoS: p.QoS, Retain: p.Retain, PacketID: p.PacketID}
	if pp := p.Properties; pp != nil {
		m.Properties = mqtt.Properties{
			PayloadFormat: pp.PayloadFormat, MessageExpiry: pp.MessageExpiry, ContentType: pp.ContentType,
			ResponseTopic: pp.ResponseTopic, CorrelationData: pp.CorrelationData, User: userFromPaho(pp.User),
		}
		if pp.TopicAlias != nil {
			m.Properties.TopicAlias = *pp.TopicAlias
		}
	}
	return m
}

func (d *v5Driver) serverDisconnect(dp *paho.Disconnect) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.info.ByServer, d.info.ReasonCode = true, dp.ReasonCode
	if dp.Properties != nil {
		d.info.ReasonString = dp.Properties.ReasonString
	}
}

func (d *v5Driver) clientError(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.info.Err == nil {
		d.info.Err = err
	}
}

func (d *v5Driver) lost() <-chan struct{} { return d.cli.Done() }

// whileUp returns a context that also ends when the connection does: paho
// leaves requests waiting on a connection that is gone.
func (d *v5Driver) whileUp(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-d.cli.Done():
			cancel(errConnectionLost)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(nil) }
}

func (d *v5Driver) lostInfo() DisconnectInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.info
}

func (d *v5Driver) disconnect() {
	d.mu.Lock()
	d.info.ByClient = true
	d.mu.Unlock()
	_ = d.cli.Disconnect(&paho.Disconnect{ReasonCode: 0})
}

func (d *v5Driver) subscribe(ctx context.Context, subs []mqtt.Subscription) ([]mqtt.SubscribeResult, error) {
	// One SUBSCRIBE carries one subscription identifier and one set of
	// user properties, so subscriptions that differ in those go apart.
	var out []mqtt.SubscribeResult
	for _, group := range groupSubscriptions(subs) {
		res, err := d.subscribeGroup(ctx, group)
		if err != nil {
			return out, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func (d *v5Driver) subscribeGroup(ctx context.Context, subs []mqtt.Subscription) ([]mqtt.SubscribeResult, error) {
	sp := &paho.Subscribe{Properties: &paho.SubscribeProperties{User: userToPaho(subs[0].User)}}
	if id := subs[0].Identifier; id > 0 {
		sp.Properties.SubscriptionIdentifier = &id
	}
	for _, s := range subs {
		sp.Subscriptions = append(sp.Subscriptions, paho.SubscribeOptions{
			Topic: s.Filter, QoS: s.QoS, NoLocal: s.NoLocal, RetainAsPublished: s.RetainAsPublished, RetainHandling: s.RetainHandling,
		})
	}
	ctx, cancel := d.whileUp(ctx)
	defer cancel()
	ack, err := d.cli.Subscribe(ctx, sp)
	if ack == nil {
		return nil, err
	}
	return subscribeResults(subs, ack.Reasons), nil // reason codes >= 0x80 come back as results, not errors
}

func (d *v5Driver) unsubscribe(ctx context.Context, filters []string) error {
	ctx, cancel := d.whileUp(ctx)
	defer cancel()
	_, err := d.cli.Unsubscribe(ctx, &paho.Unsubscribe{Topics: filters})
	return err
}

func (d *v5Driver) publish(ctx context.Context, m mqtt.Message) (mqtt.PublishResult, error) {
	pp := &paho.PublishProperties{
		PayloadFormat: m.Properties.PayloadFormat, MessageExpiry: m.Properties.MessageExpiry,
		ContentType: m.Properties.ContentType, ResponseTopic: m.Properties.ResponseTopic,
		CorrelationData: m.Properties.CorrelationData, User: userToPaho(m.Properties.User),
	}
	if a := m.Properties.TopicAlias; a > 0 {
		pp.TopicAlias = &a
	}
	ctx, cancel := d.whileUp(ctx)
	defer cancel()
	resp, err := d.cli.Publish(ctx, &paho.Publish{Topic: m.Topic, Payload: m.Payload, QoS: m.QoS, Retain: m.Retain, Properties: pp})
	if resp == nil {
		return mqtt.PublishResult{}, err
	}
	r := mqtt.PublishResult{ReasonCode: resp.ReasonCode}
	if resp.Properties != nil {
		r.ReasonString = resp.Properties.ReasonString
	}
	if !r.Succeeded() {
		return r, fmt.Errorf("the broker refused the message: %s", mqtt.ReasonText(r.ReasonCode))
	}
	return r, nil
}

// groupSubscriptions splits subs into runs that share an identifier and
// user properties.
func groupSubscriptions(subs []mqtt.Subscription) [][]mqtt.Subscription {
	var groups [][]mqtt.Subscription
	for _, s := range subs {
		n := len(groups)
		if n > 0 && groups[n-1][0].Identifier == s.Identifier && sameUser(groups[n-1][0].User, s.User) {
			groups[n-1] = append(groups[n-1], s)
			continue
		}
		groups = append(groups, []mqtt.Subscription{s})
	}
	return groups
}

func sameUser(a, b []mqtt.UserProperty) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func subscribeResults(subs []mqtt.Subscription, codes []byte) []mqtt.SubscribeResult {
	out := make([]mqtt.SubscribeResult, len(subs))
	for i, s := range subs {
		out[i] = mqtt.SubscribeResult{Filter: s.Filter, Requested: s.QoS, ReasonCode: 0x80}
		if i < len(codes) {
			out[i].ReasonCode = codes[i]
		}
	}
	return out
}

func userToPaho(u []mqtt.UserProperty) paho.UserProperties {
	if len(u) == 0 {
		return nil
	}
	out := make(paho.UserProperties, len(u))
	for i, p := range u {
		out[i] = paho.UserProperty{Key: p.Key, Value: p.Value}
	}
	return out
}

func userFromPaho(u paho.UserProperties) []mqtt.UserProperty {
	if len(u) == 0 {
		return nil
	}
	out := make([]mqtt.UserProperty, len(u))
	for i, p := range u {
		out[i] = mqtt.UserProperty{Key: p.Key, Value: p.Value}
	}
	return out
}
