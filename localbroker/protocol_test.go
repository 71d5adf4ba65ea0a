package localbroker

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// sub returns a subscription to filter at qos.
func sub(filter string, qos byte) packets.Subscription {
	return packets.Subscription{Filter: filter, Qos: qos}
}

func connected(t *testing.T, b *Broker, id string) *rawClient {
	t.Helper()
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	c.connect(connectPacket(id))
	return c
}

// persistentConnect is a CONNECT that keeps the session for 300 s.
func persistentConnect(id string, clean bool) packets.Packet {
	pk := connectPacket(id)
	pk.Connect.Clean = clean
	pk.Properties.SessionExpiryInterval = 300
	pk.Properties.SessionExpiryIntervalFlag = true
	return pk
}

func TestUserPropertiesReachSubscriberThatRefusedProblemInfo(t *testing.T) {
	b := startBroker(t, testConfig())
	for _, rpi := range []bool{false, true} {
		s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
		pk := connectPacket("sub")
		if rpi {
			pk.Properties.RequestProblemInfo = 0
			pk.Properties.RequestProblemInfoFlag = true
			pk.Properties.SessionExpiryInterval = 60 // what autopaho sends together
			pk.Properties.SessionExpiryIntervalFlag = true
		}
		s.connect(pk)
		s.subscribe(packets.Properties{}, sub("props/#", 1))

		p := connected(t, b, "pub")
		user := []packets.UserProperty{{Key: "k", Val: "v"}, {Key: "k", Val: "v2"}}
		p.publish("props/a", []byte("x"), 0, false, packets.Properties{User: user}, 0)

		got := s.expect(packets.Publish)
		if len(got.Properties.User) != 2 || got.Properties.User[1].Val != "v2" {
			t.Errorf("request problem info = 0: %v; user properties = %+v, want %+v", rpi, got.Properties.User, user)
		}
		s.disconnect()
		p.disconnect()
	}
}

func TestRetainedMessages(t *testing.T) {
	b := startBroker(t, testConfig())
	p := connected(t, b, "pub")
	p.publish("r/t", []byte("kept"), 1, true, packets.Properties{}, 1)
	p.expect(packets.Puback)

	s := connected(t, b, "sub")
	s.subscribe(packets.Properties{}, sub("r/#", 0))
	got := s.expect(packets.Publish)
	if !got.FixedHeader.Retain || string(got.Payload) != "kept" {
		t.Fatalf("retained delivery: retain=%v payload=%q", got.FixedHeader.Retain, got.Payload)
	}

	p.publish("r/t", nil, 1, true, packets.Properties{}, 2) // empty payload clears
	p.expect(packets.Puback)
	s.expect(packets.Publish) // the live empty message
	late := connected(t, b, "late")
	late.subscribe(packets.Properties{}, sub("r/#", 0))
	late.expectNothing(300 * time.Millisecond)
}

func TestQoS1RedeliveredOnReconnect(t *testing.T) {
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s.connect(persistentConnect("redeliver", true))
	s.subscribe(packets.Properties{}, sub("q/1", 1))

	p := connected(t, b, "pub")
	p.publish("q/1", []byte("once"), 1, false, packets.Properties{}, 7)
	p.expect(packets.Puback)
	first := s.expect(packets.Publish)
	_ = s.conn.Close() // never acknowledged

	s2 := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	ack := s2.connect(persistentConnect("redeliver", false))
	if !ack.SessionPresent {
		t.Fatal("session not present after reconnect")
	}
	again := s2.expect(packets.Publish)
	if !again.FixedHeader.Dup || again.PacketID != first.PacketID || string(again.Payload) != "once" {
		t.Fatalf("redelivery: dup=%v id=%d (first %d) payload=%q", again.FixedHeader.Dup, again.PacketID, first.PacketID, again.Payload)
	}
	s2.ack(packets.Puback, again.PacketID)
}

func TestQoS2RedeliveredOnReconnect(t *testing.T) {
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s.connect(persistentConnect("q2", true))
	s.subscribe(packets.Properties{}, sub("q/2", 2))

	p := connected(t, b, "pub")
	p.publish("q/2", []byte("exactly"), 2, false, packets.Properties{}, 9)
	rec := p.expect(packets.Pubrec)
	p.ack(packets.Pubrel, rec.PacketID)
	p.expect(packets.Pubcomp)

	s.expect(packets.Publish)
	_ = s.conn.Close() // no PUBREC

	s2 := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s2.connect(persistentConnect("q2", false))
	again := s2.expect(packets.Publish)
	if again.FixedHeader.Qos != 2 || !again.FixedHeader.Dup {
		t.Fatalf("QoS 2 redelivery: qos=%d dup=%v", again.FixedHeader.Qos, again.FixedHeader.Dup)
	}
	s2.ack(packets.Pubrec, again.PacketID)
	s2.expect(packets.Pubrel)
	s2.ack(packets.Pubcomp, again.PacketID)
}

func TestOfflineQueueForPersistentSession(t *testing.T) {
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	s.connect(persistentConnect("offline", true))
	s.subscribe(packets.Properties{}, sub("queue/#", 1))
	s.disconnect()

	// Many messages within one second: the order must not depend on time.
	const want = "abcdefghijklmnopqrstuvwxyz"
	p := connected(t, b, "pub")
	for i := range len(want) {
		p.publish("queue/x", []byte{want[i]}, 1, false, packets.Properties{}, uint16(i+1))
		p.expect(packets.Puback)
	}

	s2 := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	if !s2.connect(persistentConnect("offline", false)).SessionPresent {
		t.Fatal("session not present")
	}
	var got []byte
	for range len(want) {
		pk := s2.expect(packets.Publish)
		got = append(got, pk.Payload...)
		s2.ack(packets.Puback, pk.PacketID)
	}
	if string(got) != want {
		t.Fatalf("queued messages = %q, want %q in order", got, want)
	}
}

func TestWillMessageAndWillDelay(t *testing.T) {
	b := startBroker(t, testConfig())
	s := connected(t, b, "watcher")
	s.subscribe(packets.Properties{}, sub("will/#", 0))

	willConnect := func(id string, delay uint32) packets.Packet {
		pk := persistentConnect(id, true)
		pk.Connect.WillFlag, pk.Connect.WillTopic, pk.Connect.WillPayload = true, "will/"+id, []byte("gone")
		pk.Connect.WillProperties.WillDelayInterval = delay
		return pk
	}

	// No delay: the will follows an abrupt close at once.
	w := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	w.connect(willConnect("now", 0))
	_ = w.conn.Close()
	if got := s.expect(packets.Publish); got.TopicName != "will/now" || got.Properties.MessageExpiryInterval != 0 {
		t.Fatalf("will topic %q, message expiry %d s", got.TopicName, got.Properties.MessageExpiryInterval)
	}

	// A will delay lets the client come back in time: no will then.
	w = dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	w.connect(willConnect("back", 3))
	_ = w.conn.Close()
	w = dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	w.connect(willConnect("back", 3))
	s.expectNothing(4 * time.Second)

	// A delayed will is sent once the delay has passed.
	w = dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	w.connect(willConnect("later", 1))
	_ = w.conn.Close()
	s.expectNothing(500 * time.Millisecond)
	if got := s.expect(packets.Publish); got.TopicName != "will/later" || got.Properties.MessageExpiryInterval != 0 {
		t.Fatalf("delayed will topic %q, message expiry %d s", got.TopicName, got.Properties.MessageExpiryInterval)
	}

	// A normal DISCONNECT discards the will.
	w = dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	w.connect(willConnect("clean", 0))
	w.disconnect()
	s.expectNothing(500 * time.Millisecond)
}

func TestSessionExpiry(t *testing.T) {
	b := startBroker(t, testConfig())
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	pk := persistentConnect("expiring", true)
	pk.Properties.SessionExpiryInterval = 1
	c.connect(pk)
	c.subscribe(packets.Properties{}, sub("e/#", 1))
	c.disconnect()

	// Watch the broker's session table rather than reconnecting, which
	// would renew the session.
	deadline := time.Now().Add(10 * time.Second)
	for b.hasSession("expiring") {
		if time.Now().After(deadline) {
			t.Fatal("session with a 1 s expiry still kept after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	c = dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	pk.Connect.Clean = false
	if c.connect(pk).SessionPresent {
		t.Fatal("expired session still present on reconnect")
	}
}

func TestSharedSubscriptionSplitsMessages(t *testing.T) {
	b := startBroker(t, testConfig())
	group := []*rawClient{connected(t, b, "w1"), connected(t, b, "w2")}
	for _, c := range group {
		c.subscribe(packets.Properties{}, sub("$share/workers/jobs", 0))
	}
	p := connected(t, b, "pub")
	const n = 20
	for i := range n {
		p.publish("jobs", []byte{byte(i)}, 0, false, packets.Properties{}, 0)
	}
	seen := map[byte]bool{}
	for _, c := range group {
		for {
			pk, err := c.read(500 * time.Millisecond)
			if err != nil {
				break
			}
			if seen[pk.Payload[0]] {
				t.Fatalf("message %d delivered twice in one share group", pk.Payload[0])
			}
			seen[pk.Payload[0]] = true
		}
	}
	if len(seen) != n {
		t.Fatalf("share group received %d of %d messages", len(seen), n)
	}
}

func TestSubscriptionIdentifiers(t *testing.T) {
	b := startBroker(t, testConfig())
	s := connected(t, b, "ids")
	s.subscribe(packets.Properties{SubscriptionIdentifier: []int{7}}, sub("ids/+", 0))
	s.subscribe(packets.Properties{SubscriptionIdentifier: []int{42}}, sub("ids/#", 0))
	p := connected(t, b, "pub")
	p.publish("ids/a", []byte("x"), 0, false, packets.Properties{}, 0)
	got := s.expect(packets.Publish)
	ids := got.Properties.SubscriptionIdentifier
	if len(ids) != 2 || ids[0] != 7 || ids[1] != 42 {
		t.Fatalf("subscription identifiers = %v, want [7 42]", ids)
	}
}

func TestTopicAliases(t *testing.T) {
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	pk := connectPacket("alias-sub")
	pk.Properties.TopicAliasMaximum = 10 // let the broker alias towards us
	s.connect(pk)
	s.subscribe(packets.Properties{}, sub("alias/#", 0))

	p := connected(t, b, "alias-pub")
	aliased := packets.Properties{TopicAlias: 1, TopicAliasFlag: true}
	p.publish("alias/long/topic", []byte("1"), 0, false, aliased, 0)
	p.publish("", []byte("2"), 0, false, aliased, 0) // topic from the alias

	names := map[uint16]string{}
	for _, want := range []string{"1", "2"} {
		got := s.expect(packets.Publish)
		if got.TopicName != "" {
			names[got.Properties.TopicAlias] = got.TopicName
		}
		if topic := names[got.Properties.TopicAlias]; topic != "alias/long/topic" || string(got.Payload) != want {
			t.Fatalf("message %s arrived on %q (alias %d)", want, topic, got.Properties.TopicAlias)
		}
	}
}

func TestKeepAliveEnforced(t *testing.T) {
	b := startBroker(t, testConfig())
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	pk := connectPacket("silent")
	pk.Connect.Keepalive = 1
	c.connect(pk)
	// The broker must close a client silent for 1.5 x keep-alive.
	for {
		if _, err := c.read(10 * time.Second); err != nil {
			if isTimeout(err) {
				t.Fatal("silent client still connected after 10 s with keep-alive 1 s")
			}
			return
		}
	}
}

func TestZeroLengthClientID(t *testing.T) {
	b := startBroker(t, testConfig())
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	ack := c.connect(connectPacket(""))
	if ack.Properties.AssignedClientID == "" {
		t.Fatal("MQTT 5 client with an empty ID got no assigned client ID")
	}

	v3 := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 4)
	pk := connectPacket("")
	pk.Connect.Clean = false // 3.1.1 allows an empty ID only with a clean session
	v3.send(pk)
	if got := v3.expect(packets.Connack); got.ReasonCode != packets.Err3ClientIdentifierNotValid.Code {
		t.Fatalf("3.1.1 empty ID without clean session: return code 0x%02x, want 0x02", got.ReasonCode)
	}
}

func TestDollarTopicsNotMatchedByWildcards(t *testing.T) {
	b := startBroker(t, testConfig())
	all := connected(t, b, "all")
	all.subscribe(packets.Properties{}, sub("#", 0), sub("+/broker/#", 0))
	sys := connected(t, b, "sys")
	sys.subscribe(packets.Properties{}, sub("$SYS/#", 0))

	if got := sys.expect(packets.Publish); !bytes.HasPrefix([]byte(got.TopicName), []byte("$SYS/")) {
		t.Fatalf("$SYS/# delivered %q", got.TopicName)
	}
	all.expectNothing(1500 * time.Millisecond) // $SYS is published every second
}

func TestWebSocketClient(t *testing.T) {
	b := startBroker(t, testConfig())
	ws := dialRawWS(t, b.mustEndpoint(t, "ws").URL, 5)
	ws.connect(connectPacket("ws"))
	ws.subscribe(packets.Properties{}, sub("ws/#", 1))
	tcp := connected(t, b, "tcp")
	tcp.publish("ws/hello", []byte("over websocket"), 1, false, packets.Properties{}, 1)
	tcp.expect(packets.Puback)
	if got := ws.expect(packets.Publish); string(got.Payload) != "over websocket" {
		t.Fatalf("payload %q", got.Payload)
	}
}

func TestLargePayload(t *testing.T) {
	b := startBroker(t, testConfig())
	s := connected(t, b, "big-sub")
	s.subscribe(packets.Properties{}, sub("big", 1))
	p := connected(t, b, "big-pub")
	payload := bytes.Repeat([]byte{0, 1, 2, 0xff}, 4<<20) // 16 MiB of binary
	p.publish("big", payload, 1, false, packets.Properties{}, 1)
	p.expect(packets.Puback)
	got := s.expect(packets.Publish)
	if !bytes.Equal(got.Payload, payload) {
		t.Fatalf("16 MiB payload arrived as %d bytes", len(got.Payload))
	}
}

func TestMalformedBytesDoNotHurtOthers(t *testing.T) {
	b := startBroker(t, testConfig())
	s := connected(t, b, "steady")
	s.subscribe(packets.Properties{}, sub("steady", 0))

	for _, junk := range [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		{0x10, 0xff, 0xff, 0xff, 0xff, 0x7f}, // CONNECT with a length over 4 bytes
		{0x30, 0x02, 0x00, 0x05},             // PUBLISH before CONNECT
		bytes.Repeat([]byte{0xde, 0xad}, 1000),
	} {
		c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
		if _, err := c.conn.Write(junk); err != nil {
			t.Fatal(err)
		}
		if _, err := c.read(5 * time.Second); err == nil || isTimeout(err) {
			t.Fatalf("junk %x: connection not closed (%v)", junk[:4], err)
		}
	}
	p := connected(t, b, "after")
	p.publish("steady", []byte("still here"), 0, false, packets.Properties{}, 0)
	if got := s.expect(packets.Publish); string(got.Payload) != "still here" {
		t.Fatalf("payload %q", got.Payload)
	}
}

func isTimeout(err error) bool {
	type timeout interface{ Timeout() bool }
	te, ok := err.(timeout)
	return ok && te.Timeout()
}

func TestMessageExpiryOnlyWhenThePublisherSetOne(t *testing.T) {
	b := startBroker(t, testConfig())
	s := connected(t, b, "sub")
	s.subscribe(packets.Properties{}, sub("expiry/#", 1))
	p := connected(t, b, "pub")

	p.publish("expiry/none", []byte("x"), 0, false, packets.Properties{}, 0)
	if got := s.expect(packets.Publish); got.Properties.MessageExpiryInterval != 0 {
		t.Errorf("published without expiry, delivered with %d s", got.Properties.MessageExpiryInterval)
	}
	p.publish("expiry/set", []byte("x"), 0, false, packets.Properties{MessageExpiryInterval: 120}, 0)
	if got := s.expect(packets.Publish); got.Properties.MessageExpiryInterval == 0 || got.Properties.MessageExpiryInterval > 120 {
		t.Errorf("published with 120 s, delivered with %d s", got.Properties.MessageExpiryInterval)
	}
	// An expiry over the server's maximum is capped, not left out.
	p.publish("expiry/long", []byte("x"), 0, false, packets.Properties{MessageExpiryInterval: math.MaxUint32}, 0)
	if got := s.expect(packets.Publish); got.Properties.MessageExpiryInterval < maxMessageExpiry-5 {
		t.Errorf("published with %d s, delivered with %d s", uint32(math.MaxUint32), got.Properties.MessageExpiryInterval)
	}
	// A retained message reaches a later subscriber the same way.
	p.publish("expiry/retained", []byte("x"), 0, true, packets.Properties{}, 0)
	s.expect(packets.Publish)
	late := connected(t, b, "late")
	late.subscribe(packets.Properties{}, sub("expiry/retained", 1))
	if got := late.expect(packets.Publish); got.Properties.MessageExpiryInterval != 0 {
		t.Errorf("retained without expiry, delivered with %d s", got.Properties.MessageExpiryInterval)
	}
}
