package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

const benchUsage = `Usage: mqttdesk bench pub|sub|conn [flags]

Load-tests an MQTT broker with many clients:
  pub    clients publish to a topic pattern, as fast as possible or paced
  sub    clients subscribe and measure latency from a timestamp in each payload
  conn   clients connect and stay connected

Topic placeholders: %c is the client's index, %i the message's index.
A line each second shows progress; the summary comes at the end, or on Ctrl+C.

Flags:
`

// benchConfig is what the bench flags ask for.
type benchConfig struct {
	mode     string
	options  mqtt.Options
	clients  int
	topic    string
	qos      int
	size     int
	file     string
	interval time.Duration
	count    int
	duration time.Duration
	asJSON   bool
	idPrefix string
	connRate int // new connections per second
	payload  []byte
}

// benchFlags parses the flags of `mqttdesk bench MODE`.
func benchFlags(args []string, stdout, stderr io.Writer) (benchConfig, error) {
	var c benchConfig
	if len(args) == 0 || (args[0] != "pub" && args[0] != "sub" && args[0] != "conn") {
		_, _ = io.WriteString(stderr, "mqttdesk bench: say pub, sub or conn\n\n"+benchUsage)
		return c, errBadFlags
	}
	c.mode = args[0]
	fs := flag.NewFlagSet("mqttdesk bench "+c.mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if AsksForHelp(args) {
		fs.SetOutput(stdout)
	}
	fs.Usage = func() { _, _ = io.WriteString(fs.Output(), benchUsage); printFlags(fs) }
	rawURL := fs.String("url", "mqtt://127.0.0.1:1883", "broker `URL`: mqtt://, mqtts://, ws:// or wss://host:port[/path]")
	version := fs.String("V", "5", "MQTT `version`: 5 or 3.1.1")
	user := fs.String("u", "", "`username`")
	pass := fs.String("P", "", "`password`")
	ca := fs.String("ca", "", "CA certificate `file` (PEM) for TLS")
	cert := fs.String("cert", "", "client certificate `file` (PEM)")
	key := fs.String("key", "", "client key `file` (PEM)")
	insecure := fs.Bool("insecure", false, "do not verify the broker's certificate")
	keepAlive := fs.Int("k", 60, "keep-alive `seconds`")
	fs.IntVar(&c.clients, "c", 1, "number of `clients`")
	fs.StringVar(&c.idPrefix, "i", "", "client ID `prefix`; the client's index is appended (default: mqttdesk_MODE_ and random characters)")
	fs.IntVar(&c.connRate, "R", 0, "new connections per `second` (0: all at once)")
	fs.StringVar(&c.topic, "t", "mqttdesk/bench/%c", "topic (pub, with %c and %i) or topic filter (sub)")
	fs.IntVar(&c.qos, "q", 0, "`QoS` 0, 1 or 2")
	fs.IntVar(&c.size, "s", 64, "payload `bytes` (pub; at least 8 carry the send time for latency)")
	fs.StringVar(&c.file, "f", "", "payload `file` (pub), instead of -s")
	fs.DurationVar(&c.interval, "I", 0, "pause between messages of one client, such as 10ms (pub; 0: as fast as possible)")
	fs.IntVar(&c.count, "L", 0, "messages per client (pub) or in all (sub) before stopping; 0: no limit")
	fs.DurationVar(&c.duration, "d", 0, "stop after this `duration`, such as 30s (0: at -L, or Ctrl+C)")
	fs.BoolVar(&c.asJSON, "json", false, "print the summary as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	o, err := benchOptions(*rawURL, *version)
	if err != nil {
		return c, usageError(fs, err)
	}
	o.Username, o.Password, o.KeepAlive = *user, *pass, *keepAlive
	o.TLS = mqtt.TLSOptions{CAFile: *ca, CertFile: *cert, KeyFile: *key, Insecure: *insecure}
	o.Reconnect.Enabled = false
	c.options = o
	return c, c.check(fs)
}

var errBadFlags = errors.New("bad flags")

func usageError(fs *flag.FlagSet, err error) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), err)
	fmt.Fprintf(fs.Output(), "Run %s -h for the flags.\n", fs.Name())
	return errBadFlags
}

// check reports the first flag that cannot work, and reads the payload.
func (c *benchConfig) check(fs *flag.FlagSet) error {
	switch {
	case c.clients < 1:
		return usageError(fs, errors.New("-c must be at least 1"))
	case c.qos < 0 || c.qos > 2:
		return usageError(fs, errors.New("-q must be 0, 1 or 2"))
	case c.size < 0 || c.size > 256<<20:
		return usageError(fs, errors.New("-s must be from 0 to 268435455 bytes"))
	case c.count < 0 || c.duration < 0 || c.interval < 0 || c.connRate < 0:
		return usageError(fs, errors.New("-L, -d, -I and -R cannot be negative"))
	}
	if err := c.options.Validate(); err != nil {
		return usageError(fs, err)
	}
	if c.mode == "sub" {
		if err := mqtt.ValidateFilter(c.topic); err != nil {
			return usageError(fs, fmt.Errorf("-t: %w", err))
		}
	}
	if c.idPrefix == "" {
		c.idPrefix = strings.Replace(mqtt.GenerateClientID(), "mqttdesk_", "mqttdesk_"+c.mode+"_", 1)
	}
	c.payload = make([]byte, c.size)
	if c.file != "" {
		data, err := os.ReadFile(c.file)
		if err != nil {
			return usageError(fs, fmt.Errorf("-f: %w", err))
		}
		c.payload = data
	}
	return nil
}

// benchOptions turns a broker URL into connection options.
func benchOptions(raw, version string) (mqtt.Options, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return mqtt.Options{}, fmt.Errorf("-url %q is not a URL such as mqtt://127.0.0.1:1883", raw)
	}
	o := mqtt.NewOptions("bench", u.Scheme, u.Hostname())
	if p := u.Port(); p != "" {
		if o.Port, err = strconv.Atoi(p); err != nil {
			return o, fmt.Errorf("-url: port %q is not a number", p)
		}
	}
	if u.Path != "" {
		o.WSPath = u.Path
	}
	switch version {
	case "5", "5.0":
		o.Version = mqtt.MQTT5
	case "3.1.1", "311", "4":
		o.Version = mqtt.MQTT311
	default:
		return o, fmt.Errorf("-V %q is not 5 or 3.1.1", version)
	}
	return o, nil
}

// RunBenchCommand runs `mqttdesk bench` with args (those after "bench")
// until its count or duration is reached or SIGINT/SIGTERM arrives, prints
// the summary and returns the exit status: 0, 1 when no client could
// connect or messages were lost, 2 for bad flags.
func RunBenchCommand(args []string, stdout, stderr io.Writer) int {
	c, err := benchFlags(args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	sum := runBench(ctx, c, stderr)
	if err := sum.print(stdout, c.asJSON); err != nil {
		fmt.Fprintf(stderr, "mqttdesk bench: %v\n", err)
		return 1
	}
	if sum.Connected == 0 {
		return 1
	}
	return 0
}
