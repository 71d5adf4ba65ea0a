package localbroker

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/mqttdesk/mqttdesk/internal/testkit/testnet"
)

// drain reads PUBLISH packets until none arrives for a second and returns
// how many came.
func (c *rawClient) drain() int {
	n := 0
	for {
		pk, err := c.read(time.Second)
		if err != nil {
			return n
		}
		if pk.FixedHeader.Type == packets.Publish {
			n++
		}
	}
}

// TestBurstReachesASlowSubscriber has mosquitto_pub -l publish 50,000
// lines of 200 bytes at QoS 0 (10 MB, more than the sockets buffer) to a
// subscriber that reads nothing until the burst is over: every message
// must arrive. mosquitto delivers them all; mochi's queue of 8,192
// packets dropped the rest.
func TestBurstReachesASlowSubscriber(t *testing.T) {
	testnet.NeedPeer(t, "mosquitto_pub")
	const count = 50000
	b := startBroker(t, testConfig())
	s := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 4)
	s.connect(connectPacket("slow"))
	s.subscribe(packets.Properties{}, sub("burst", 0))

	var lines bytes.Buffer
	filler := strings.Repeat("x", 194)
	for i := range count {
		fmt.Fprintf(&lines, "%05d %s\n", i, filler) // 200 bytes: more than the sockets hold
	}
	pub := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", strconv.Itoa(b.mustEndpoint(t, "mqtt").Port), "-t", "burst", "-l")
	pub.Stdin = &lines
	if out, err := pub.CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_pub: %v\n%s", err, out)
	}
	waitFor(t, "the broker to receive the burst", func() bool { return b.Stats().MessagesIn >= count })
	if got := s.drain(); got != count {
		t.Errorf("%d of %d messages arrived; stats %+v", got, count, b.Stats())
	}
	if st := b.Stats(); st.MessagesDropped != 0 {
		t.Errorf("%d messages dropped", st.MessagesDropped)
	}
}

// TestDropsCountedPerClientAndLogged gives clients a 64 KiB queue and
// sends 2,000 messages of 1 KB to two subscribers, one of which reads
// nothing until the end: every message a subscriber misses is counted to
// it, in Stats and in a log line.
func TestDropsCountedPerClientAndLogged(t *testing.T) {
	const count = 2000
	var log logBuffer
	cfg := testConfig()
	cfg.MaxQueueBytes = 64 << 10
	cfg.Logger = logTo(&log)
	b := startBroker(t, cfg)
	slow := connected(t, b, "slow")
	slow.subscribe(packets.Properties{}, sub("drops", 0))
	reader := connected(t, b, "reader")
	reader.subscribe(packets.Properties{}, sub("drops", 0))
	readerGot := make(chan int)
	go func() { readerGot <- reader.drain() }()

	p := connected(t, b, "pub")
	payload := bytes.Repeat([]byte("x"), 1000)
	for range count {
		p.publish("drops", payload, 0, false, packets.Properties{}, 0)
	}
	got := map[string]int{"slow": slow.drain(), "reader": <-readerGot}
	st := b.Stats()
	var sum int64
	for id, n := range got {
		if dropped := st.DroppedByClient[id]; n+int(dropped) != count {
			t.Errorf("%s: %d arrived + %d counted dropped, want %d", id, n, dropped, count)
		}
		sum += st.DroppedByClient[id]
	}
	if st.DroppedByClient["slow"] == 0 || st.MessagesDropped != sum {
		t.Errorf("dropped: %v, total %d", st.DroppedByClient, st.MessagesDropped)
	}
	total := strconv.FormatInt(st.DroppedByClient["slow"], 10)
	waitFor(t, "the drops in the log", func() bool {
		return log.contains("level=WARN", "client=slow", "dropped=", "total="+total)
	})
}

// TestMessageLargerThanTheQueueArrives: the queue bound drops what waits
// behind other messages, never a message alone, so a message larger than
// the bound (a 1 MB one for a 64 KiB queue) still reaches a client.
func TestMessageLargerThanTheQueueArrives(t *testing.T) {
	cfg := testConfig()
	cfg.MaxQueueBytes = 64 << 10
	b := startBroker(t, cfg)
	s := connected(t, b, "sub")
	s.subscribe(packets.Properties{}, sub("big", 0))
	p := connected(t, b, "pub")
	p.publish("big", make([]byte, 1<<20), 0, false, packets.Properties{}, 0)
	if got := s.expect(packets.Publish); len(got.Payload) != 1<<20 {
		t.Fatalf("payload of %d bytes", len(got.Payload))
	}
	if st := b.Stats(); st.MessagesDropped != 0 {
		t.Errorf("%d dropped", st.MessagesDropped)
	}
}
