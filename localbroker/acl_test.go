package localbroker

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

const testACL = `# anonymous clients
topic read public/#

user alice
topic readwrite sensors/#
topic deny sensors/secret
topic read $SYS/#
topic write clients/+/cmd

user bob with spaces
topic write sensors/bob

# every client
pattern readwrite clients/%c/#
pattern read users/%u
`

var aclParseCases = []struct {
	name, file string
	line       int    // 0: parses
	msg        string // part of the error
}{
	{"the example", testACL, 0, ""},
	{"empty", "", 0, ""},
	{"access defaults to readwrite", "topic a/b\n", 0, ""},
	{"unknown keyword", "topic a\nauth x\n", 2, `unknown keyword "auth"`},
	{"user without a name", "\n\nuser\n", 3, "user needs a name"},
	{"topic without a filter", "topic read\n", 1, "needs a topic filter"},
	{"# not last", "user a\ntopic a/#/b\n", 2, `"a/#/b" is not a topic filter`},
	{"+ inside a level", "pattern write a+/b\n", 1, `"a+/b" is not a topic filter`},
}

func TestParseACL(t *testing.T) {
	for _, tc := range aclParseCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseACL([]byte(tc.file))
			var e *ACLError
			switch {
			case tc.line == 0 && err != nil:
				t.Fatalf("error %v", err)
			case tc.line != 0 && (!errors.As(err, &e) || e.Line != tc.line || !strings.Contains(e.Msg, tc.msg)):
				t.Fatalf("error %v, want line %d: %s", err, tc.line, tc.msg)
			}
		})
	}
}

func FuzzParseACL(f *testing.F) {
	for _, tc := range aclParseCases {
		f.Add([]byte(tc.file))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		acl, err := ParseACL(data)
		if err != nil {
			return
		}
		for _, rules := range append([][]aclRule{acl.anonymous, acl.patterns}, valuesOf(acl.users)...) {
			for _, r := range rules {
				if r.filter == "" || !validFilter(r.filter) {
					t.Fatalf("accepted rule %+v", r)
				}
			}
		}
	})
}

func valuesOf(m map[string][]aclRule) [][]aclRule {
	var out [][]aclRule
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestLoadACLNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acl")
	if err := os.WriteFile(path, []byte("topic read a\ntopic bad/#/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Config{TCPAddr: "127.0.0.1:0", ACLFile: path})
	if err == nil || err.Error() != "localbroker: access list "+path+", line 2: topic: \"bad/#/x\" is not a topic filter: # only as the last level, + only as a whole level" {
		t.Fatalf("error %v", err)
	}
}

func TestACLAllows(t *testing.T) {
	acl, err := ParseACL([]byte(testACL))
	if err != nil {
		t.Fatal(err)
	}
	anon := aclClient{clientID: "dev1"}
	alice := aclClient{username: "alice", clientID: "a1"}
	bob := aclClient{username: "bob with spaces", clientID: "b/1"}
	carol := aclClient{username: "carol", clientID: "c1"}
	cases := []struct {
		who   aclClient
		topic string
		want  access
		ok    bool
	}{
		{anon, "public/news", accessRead, true},
		{anon, "public/news", accessWrite, false},
		{anon, "sensors/a", accessRead, false},
		{anon, "#", accessRead, true},          // overlaps public/#; deliveries are checked one by one
		{anon, "private/#", accessRead, false}, // nothing it matches may be read
		{anon, "public/+/x", accessRead, true}, // lies within public/#
		{anon, "clients/dev1/up", accessWrite, true},
		{anon, "clients/dev2/up", accessWrite, false},
		{anon, "users/x", accessRead, false},      // %u needs a username
		{alice, "public/news", accessRead, false}, // the anonymous rules are not alice's
		{alice, "sensors/a", accessWrite, true},
		{alice, "sensors/secret", accessRead, false},
		{alice, "sensors/secret", accessWrite, false},
		{alice, "sensors/#", accessRead, true}, // granted; sensors/secret is held back on delivery
		{alice, "sensors/secret/#", accessRead, true},
		{alice, "$SYS/broker/uptime", accessRead, true},
		{alice, "#", accessRead, true},
		{alice, "users/alice", accessRead, true},
		{alice, "users/alice", accessWrite, false},
		{alice, "clients/a1", accessWrite, true}, // "a1" lies within clients/a1/#
		{bob, "sensors/bob", accessWrite, true},
		{bob, "sensors/bob", accessRead, false},
		{bob, "clients/b/1/x", accessWrite, false}, // a client ID with / does not widen a pattern
		{carol, "sensors/a", accessRead, false},    // no section: only the patterns
		{carol, "clients/c1/x", accessRead, true},
		{anon, "$SYS/broker/uptime", accessRead, false},
	}
	for _, tc := range cases {
		if got := acl.allows(tc.who, tc.topic, tc.want); got != tc.ok {
			t.Errorf("%+v %s %v: %v, want %v", tc.who, tc.topic, tc.want, got, tc.ok)
		}
	}
}

func TestFilterRelations(t *testing.T) {
	cases := []struct {
		f, r            string
		within, overlap bool
	}{
		{"a/b", "a/b", true, true},
		{"a/b", "a/+", true, true},
		{"a/+", "a/b", false, true},
		{"a", "a/#", true, true},
		{"a/#", "a", false, true},
		{"#", "a/#", false, true},
		{"a/+/c", "a/#", true, true},
		{"a/b/c", "a/+", false, false},
		{"b/#", "a/#", false, false},
		{"$SYS/x", "#", false, false},
		{"$SYS/x", "$SYS/#", true, true},
		{"+/x", "$SYS/x", false, false},
	}
	for _, tc := range cases {
		if got := within(tc.f, tc.r); got != tc.within {
			t.Errorf("within(%q, %q) = %v", tc.f, tc.r, got)
		}
		if got := overlaps(tc.f, tc.r); got != tc.overlap {
			t.Errorf("overlaps(%q, %q) = %v", tc.f, tc.r, got)
		}
	}
}

// aclBroker starts a broker with testACL and a log.
func aclBroker(t *testing.T) (*Broker, *logBuffer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "acl")
	if err := os.WriteFile(path, []byte(testACL), 0o600); err != nil {
		t.Fatal(err)
	}
	var log logBuffer
	cfg := testConfig()
	cfg.ACLFile, cfg.Logger = path, logTo(&log)
	return startBroker(t, cfg), &log
}

func (b *Broker) connectAs(t *testing.T, version byte, id, username string) *rawClient {
	t.Helper()
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, version)
	pk := connectPacket(id)
	if username != "" {
		pk.Connect.Username, pk.Connect.UsernameFlag = []byte(username), true
	}
	c.connect(pk)
	return c
}

func TestACLDeniesSubscribe(t *testing.T) {
	b, log := aclBroker(t)
	cases := []struct {
		version  byte
		username string
		want     []byte // SUBACK for private/# and public/#
	}{
		{5, "", []byte{0x90, 0x05, 0x00, 0x01, 0x00, 0x87, 0x01}},
		{4, "", []byte{0x90, 0x04, 0x00, 0x01, 0x80, 0x01}},
	}
	for _, tc := range cases {
		c := b.connectAs(t, tc.version, "subber", tc.username)
		c.send(packets.Packet{
			FixedHeader: packets.FixedHeader{Type: packets.Subscribe, Qos: 1}, PacketID: 1,
			Filters: packets.Subscriptions{sub("private/#", 1), sub("public/#", 1)},
		})
		got, err := c.readRaw(5 * time.Second)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("MQTT %d: SUBACK % x (%v), want % x", tc.version, got, err, tc.want)
		}
		c.disconnect()
	}
	if st := b.Stats(); st.Denied != 2 {
		t.Errorf("Stats.Denied %d, want 2", st.Denied)
	}
	if !log.contains("subscription denied by the access list", "client=subber", "filter=private/#") {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestACLDeniesPublish(t *testing.T) {
	b, log := aclBroker(t)
	watcher := b.connectAs(t, 5, "watcher", "alice")
	watcher.subscribe(packets.Properties{}, sub("sensors/#", 1))

	v5 := b.connectAs(t, 5, "pub5", "")
	v5.publish("sensors/a", []byte("x"), 1, false, packets.Properties{}, 3)
	want := append([]byte{0x40, 0x15, 0x00, 0x03, 0x87, 0x11}, reasonString("not authorized")...)
	if got, err := v5.readRaw(5 * time.Second); err != nil || !bytes.Equal(got, want) {
		t.Errorf("MQTT 5: PUBACK % x (%v), want % x", got, err, want)
	}

	v3 := b.connectAs(t, 4, "pub3", "")
	v3.publish("sensors/a", []byte("x"), 1, false, packets.Properties{}, 4)
	if got, err := v3.readRaw(5 * time.Second); err != nil || !bytes.Equal(got, []byte{0x40, 0x02, 0x00, 0x04}) {
		t.Errorf("MQTT 3.1.1: PUBACK % x (%v), want 40 02 00 04 and the message dropped", got, err)
	}
	v3.publish("sensors/a", []byte("x"), 2, false, packets.Properties{}, 5)
	v3.expect(packets.Pubrec)
	v3.ack(packets.Pubrel, 5)
	v3.expect(packets.Pubcomp) // still connected

	alice := b.connectAs(t, 5, "alice-pub", "alice")
	alice.publish("sensors/secret", []byte("x"), 1, false, packets.Properties{}, 6)
	if ack := alice.expect(packets.Puback); ack.ReasonCode != packets.ErrNotAuthorized.Code {
		t.Errorf("deny rule: PUBACK 0x%02x", ack.ReasonCode)
	}
	alice.publish("sensors/a", []byte("allowed"), 1, false, packets.Properties{}, 7)
	alice.expect(packets.Puback)
	if got := watcher.expect(packets.Publish); string(got.Payload) != "allowed" {
		t.Errorf("watcher got %q", got.Payload)
	}
	watcher.expectNothing(100 * time.Millisecond)
	if !log.contains("publish denied by the access list", "client=pub5", "topic=sensors/a") {
		t.Errorf("log:\n%s", log.String())
	}
}

// TestACLFiltersDeliveries: a grant of # to an anonymous client reads what
// its rules allow and nothing else; patterns follow the client ID.
func TestACLFiltersDeliveries(t *testing.T) {
	b, _ := aclBroker(t)
	all := b.connectAs(t, 5, "dev1", "")
	if ack := all.subscribe(packets.Properties{}, sub("#", 0)); ack.ReasonCodes[0] != 0 {
		t.Fatalf("# refused: 0x%02x", ack.ReasonCodes[0])
	}
	alice := b.connectAs(t, 5, "alice-pub", "alice")
	alice.publish("sensors/a", []byte("not for anonymous"), 0, false, packets.Properties{}, 0)
	alice.publish("clients/dev1/cmd", []byte("for dev1"), 0, false, packets.Properties{}, 0)
	if got := all.expect(packets.Publish); got.TopicName != "clients/dev1/cmd" {
		t.Errorf("got %s", got.TopicName)
	}
	all.expectNothing(100 * time.Millisecond)
}
