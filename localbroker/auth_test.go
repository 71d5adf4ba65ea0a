package localbroker

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

func TestRefusalDelay(t *testing.T) {
	ms := time.Millisecond
	want := []time.Duration{0, 100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 5000 * ms, 5000 * ms}
	for n, w := range want {
		if got := refusalDelay(n); got != w {
			t.Errorf("after %d refusals: %v, want %v", n, got, w)
		}
	}
	if got := refusalDelay(1000); got != maxRefusalDelay {
		t.Errorf("after 1000 refusals: %v", got)
	}
}

// TestThrottle: an attempt waits the delay of its address's refusals from
// when it arrived, however many came before it; beyond maxWaiting waiting
// at once, attempts are answered busy at once.
func TestThrottle(t *testing.T) {
	ms := time.Millisecond
	now := time.Unix(1000, 0)
	th := newThrottle()
	th.now = func() time.Time { return now }
	type step struct {
		do    string // admit, done, refused, accepted, later
		addr  string
		wait  time.Duration
		admit bool
	}
	for i, s := range []step{
		{do: "admit", addr: "a", wait: 0, admit: true}, // never refused: no wait
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},                            // two in a row: 200 ms
		{do: "admit", addr: "a", wait: 200 * ms, admit: true}, // parallel attempts wait as long,
		{do: "admit", addr: "a", wait: 200 * ms, admit: true}, // not one after another
		{do: "admit", addr: "a", admit: false},                // the third is busy
		{do: "admit", addr: "b", wait: 0, admit: true},        // another address is not
		{do: "done", addr: "a"},
		{do: "admit", addr: "a", wait: 200 * ms, admit: true}, // a slot is free again
		{do: "done", addr: "a"},
		{do: "done", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "refused", addr: "a"},
		{do: "admit", addr: "a", wait: maxRefusalDelay, admit: true}, // capped
		{do: "done", addr: "a"},
		{do: "accepted", addr: "a"},
		{do: "admit", addr: "a", wait: 0, admit: true}, // reset by a good login
		{do: "refused", addr: "a"},
		{do: "later"},
		{do: "admit", addr: "a", wait: 0, admit: true}, // forgotten
	} {
		switch s.do {
		case "admit":
			if wait, ok := th.admit(s.addr); wait != s.wait || ok != s.admit {
				t.Fatalf("step %d: admit(%s) = %v, %v; want %v, %v", i, s.addr, wait, ok, s.wait, s.admit)
			}
		case "done":
			th.done(s.addr)
		case "refused":
			th.refused(s.addr)
		case "accepted":
			th.accepted(s.addr)
		case "later":
			now = now.Add(forgetRefusals + time.Second)
		}
	}
	for i := range maxThrottled + 10 {
		th.refused("10.0.0." + strconv.Itoa(i))
	}
	if n := len(th.addrs); n > maxThrottled {
		t.Errorf("%d addresses kept", n)
	}
}

// attempt connects as name:pass over MQTT 5 and returns the CONNACK
// reason and how long the answer took.
func attempt(t *testing.T, b *Broker, id, name, pass string) (byte, time.Duration) {
	t.Helper()
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	pk := connectPacket(id)
	if name != "" {
		pk.Connect.Username, pk.Connect.UsernameFlag = []byte(name), true
		pk.Connect.Password, pk.Connect.PasswordFlag = []byte(pass), true
	}
	start := time.Now()
	c.send(pk)
	ack := c.expect(packets.Connack)
	took := time.Since(start)
	_ = c.conn.Close()
	return ack.ReasonCode, took
}

// TestRefusalsLoggedSlowedAndCounted: wrong passwords in a row from one
// address are answered ever later, each refusal is logged with the
// client, its address and the reason, and a good login resets it.
func TestRefusalsLoggedSlowedAndCounted(t *testing.T) {
	var log logBuffer
	cfg := testConfig()
	cfg.Users, cfg.Logger = []User{{Name: "alice", Password: "s3cret"}}, logTo(&log)
	b := startBroker(t, cfg)
	ms := time.Millisecond
	steps := []struct {
		name, pass string
		code       byte
		waits      time.Duration // at least
	}{
		{"alice", "guess1", 0x86, 0},
		{"alice", "guess2", 0x86, 100 * ms},
		{"bob", "x", 0x86, 200 * ms},
		{"", "", 0x86, 400 * ms},
		{"alice", "s3cret", 0x00, 800 * ms}, // the right one waits as long: its answer tells nothing
		{"alice", "guess5", 0x86, 0},        // reset by the good login (it would wait 1.6 s)
	}
	for i, s := range steps {
		code, took := attempt(t, b, "try"+strconv.Itoa(i), s.name, s.pass)
		if code != s.code || took < s.waits || (s.waits == 0 && took > 500*ms) {
			t.Errorf("attempt %d (%s:%s): CONNACK 0x%02x after %v; want 0x%02x after %v", i, s.name, s.pass, code, took, s.code, s.waits)
		}
	}
	for _, want := range [][]string{
		{"connection refused", "client=try0", "remote=127.0.0.1:", `reason="wrong password for user alice"`, "next_attempt_delay=100ms"},
		{"client=try2", `reason="unknown user bob"`},
		{"client=try3", `reason="no username; this broker accepts only its users"`},
	} {
		if !log.contains(want...) {
			t.Errorf("no log line with %q:\n%s", want, log.String())
		}
	}
	if st := b.Stats(); st.Refused != 5 {
		t.Errorf("Stats.Refused %d, want 5", st.Refused)
	}
}

// TestStopAnswersSlowedLogins: Stop does not wait out a login's 5 s
// slow-down.
func TestStopAnswersSlowedLogins(t *testing.T) {
	cfg := testConfig()
	cfg.Users = []User{{Name: "alice", Password: "s3cret"}}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		b.auth.throttle.refused("127.0.0.1")
	}
	c := dialRaw(t, b.mustEndpoint(t, "mqtt").Addr, 5)
	pk := connectPacket("waiting")
	pk.Connect.Username, pk.Connect.UsernameFlag = []byte("alice"), true
	c.send(pk)
	time.Sleep(100 * time.Millisecond) // it is waiting now
	start := time.Now()
	if err := b.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Stop took %v", took)
	}
}
