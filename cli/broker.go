package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/localbroker"
)

// brokerUsage heads `mqttdesk broker --help`.
const brokerUsage = `Usage: mqttdesk broker [flags]

Runs mqttdesk's local MQTT broker (MQTT 3.1, 3.1.1 and 5.0) in the
foreground, with no window, until Ctrl+C or SIGTERM. By default it listens on
127.0.0.1 only and accepts every client.

Users: --user NAME:PASSWORD puts the password on the command line, where
every user of this machine can read it (ps, /proc/PID/cmdline). To keep it
private, give the users in a file, --password-file FILE, or in the
environment variable ` + BrokerUsersEnv + `: one NAME:PASSWORD a line in
either, # starts a comment. The three add up.

It logs warnings to standard error: refused logins (client, address,
reason), messages dropped for a client that reads slower than they arrive
(once a second per client), and what the access list denies.

Flags:
`

// brokerFlags parses the command line into a broker configuration.
func brokerFlags(args []string, stdout, stderr io.Writer, dataDir string) (localbroker.Config, string, bool, error) {
	fs := flag.NewFlagSet("mqttdesk broker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), brokerUsage); printFlags(fs) }
	cfg := localbroker.DefaultConfig()
	var users userList
	off := func(s string) string {
		if s == "off" {
			return ""
		}
		return s
	}
	fs.StringVar(&cfg.TCPAddr, "tcp", cfg.TCPAddr, "`address` of the MQTT over TCP listener, host:port (port 0 picks a free one; \"off\" turns it off)")
	fs.StringVar(&cfg.WSAddr, "ws", cfg.WSAddr, "`address` of the MQTT over WebSocket listener (\"off\" turns it off)")
	fs.StringVar(&cfg.WSPath, "ws-path", cfg.WSPath, "HTTP `path` of the WebSocket listeners")
	fs.BoolVar(&cfg.TLS, "tls", false, "also listen with TLS ("+localbroker.DefaultTLSAddr+") and secure WebSocket ("+localbroker.DefaultWSSAddr+"), with a certificate from a local CA")
	fs.StringVar(&cfg.TLSAddr, "tls-addr", localbroker.DefaultTLSAddr, "`address` of the TLS listener, with --tls")
	fs.StringVar(&cfg.WSSAddr, "wss-addr", localbroker.DefaultWSSAddr, "`address` of the secure WebSocket listener, with --tls")
	fs.StringVar(&cfg.CADir, "ca-dir", filepath.Join(dataDir, "broker"), "`directory` of the local CA, created on first use")
	exportCA := fs.String("export-ca", "", "write the local CA certificate (PEM) to `file` so clients can trust the TLS listeners")
	fs.Var(&users, "user", "accept only this `name:password` (repeat for more users); anonymous clients are refused. Visible to every user of this machine: see --password-file")
	passwordFile := fs.String("password-file", "", "read users from `file`, one name:password a line, keeping the passwords off the command line; anonymous clients are refused")
	fs.StringVar(&cfg.PersistDir, "persist", "", "keep retained messages and persistent sessions in `directory` across restarts")
	fs.BoolVar(&cfg.MoveAsideDamaged, "recover", false, "if the --persist data file is damaged, keep it aside (renamed, not deleted) and start with a fresh one")
	fs.StringVar(&cfg.ACLFile, "acl", "", "access list `file` in mosquitto's acl_file syntax (user, topic [read|write|readwrite|deny] FILTER, pattern with %c and %u): what each user and anonymous clients may publish and subscribe to")
	limitFlags(fs, &cfg)
	verbose := fs.Bool("v", false, "log every client connection")
	if AsksForHelp(args) {
		fs.SetOutput(stdout)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, "", false, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mqttdesk broker: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return cfg, "", false, flag.ErrHelp
	}
	more, err := usersFromFileAndEnv(*passwordFile)
	if err != nil {
		fmt.Fprintf(stderr, "mqttdesk broker: %v\n", err)
		return cfg, "", false, err
	}
	cfg.TCPAddr, cfg.WSAddr = off(cfg.TCPAddr), off(cfg.WSAddr)
	cfg.Users = append(users, more...)
	return cfg, *exportCA, *verbose, nil
}

// limitFlags adds the flags of the broker's bounds to fs.
func limitFlags(fs *flag.FlagSet, cfg *localbroker.Config) {
	cfg.MaxPacketSize, cfg.MaxQueueBytes = localbroker.DefaultMaxPacketSize, localbroker.DefaultMaxQueueBytes
	fs.Func("max-packet-size", "`size` of the largest packet a client may send, such as 1MiB (default "+formatSize(localbroker.DefaultMaxPacketSize)+", under 256MiB); announced in CONNACK, and a larger one disconnects the client", func(s string) error {
		n, err := parseSize(s)
		if err == nil && (n == 0 || n > localbroker.MaxPacketSizeLimit) {
			err = fmt.Errorf("%q: from 1 byte to %d bytes (256MiB less one)", s, localbroker.MaxPacketSizeLimit)
		}
		cfg.MaxPacketSize = uint32(n)
		return err
	})
	fs.Var(sizeFlag{v: &cfg.MaxQueueBytes, max: math.MaxInt64}, "max-queue", "`size` of memory the messages held for one client may take (waiting for a slow reader, unacknowledged, held back by its Receive Maximum or queued while it is offline), such as 256MiB; beyond it they are dropped, counted and logged")
	fs.Func("max-keepalive", "longest keep-alive in `seconds` a client may use; MQTT 5 clients asking for none or more are told this one, 3.1.1 clients are refused (default: clients choose)", func(s string) error {
		n, err := strconv.ParseUint(s, 10, 16)
		cfg.MaxKeepAlive = uint16(n)
		return err
	})
	fs.IntVar(&cfg.MaxTopicLevels, "max-topic-levels", localbroker.DefaultMaxTopicLevels, "most `levels` a topic or filter may have (-1: no bound)")
	fs.IntVar(&cfg.MaxTopicLength, "max-topic-length", localbroker.DefaultMaxTopicLength, "most `bytes` a topic or filter may have (-1: no bound)")
}

// AsksForHelp reports whether args ask for help (-h, -help, --help), which
// then goes to standard output with exit status 0.
func AsksForHelp(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" })
}

// RunBrokerCommand runs `mqttdesk broker` with args (those after "broker")
// until SIGINT or SIGTERM, and returns the process exit code.
func RunBrokerCommand(args []string, stdout, stderr io.Writer, dataDir string) int {
	if dataDir == "" {
		dataDir, _ = app.DefaultDataDir()
	}
	cfg, exportCA, verbose, err := brokerFlags(args, stdout, stderr, dataDir)
	if errors.Is(err, flag.ErrHelp) && AsksForHelp(args) {
		return 0
	}
	if err != nil {
		return 2
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runBroker(ctx, cfg, exportCA, stdout, stderr)
}

func runBroker(ctx context.Context, cfg localbroker.Config, exportCA string, stdout, stderr io.Writer) int {
	b, err := localbroker.New(cfg)
	if err == nil {
		err = b.Start(ctx)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mqttdesk broker: %s\n", app.UserMessage(err))
		return 1
	}
	if exportCA != "" {
		if err := writeCA(b, exportCA); err != nil {
			fmt.Fprintf(stderr, "mqttdesk broker: %s\n", app.UserMessage(err))
		}
	}
	printEndpoints(stdout, b.Config(), b)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	last := b.Stats()
	sctx, cancel := context.WithTimeout(context.Background(), localbroker.StopTimeout)
	defer cancel()
	if err := b.Stop(sctx); err != nil {
		fmt.Fprintf(stderr, "mqttdesk broker: %s\n", app.UserMessage(err))
		return 1
	}
	fmt.Fprintf(stdout, "stopped (%s dropped, %s refused, %s denied by the access list)\n",
		plural(last.MessagesDropped, "message"), plural(last.Refused, "connection"), plural(last.Denied, "request"))
	return 0
}

func writeCA(b *localbroker.Broker, path string) error {
	pem, err := b.CACertPEM()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, pem, 0o644); err != nil {
		return fmt.Errorf("write the CA certificate to %s: %w", path, err)
	}
	return nil
}

func printEndpoints(w io.Writer, cfg localbroker.Config, b *localbroker.Broker) {
	fmt.Fprintf(w, "mqttdesk broker running (started %s)\n", time.Now().Format(time.TimeOnly))
	for _, e := range b.Endpoints() {
		fmt.Fprintf(w, "  %s\n", e.URL)
	}
	if cfg.TLS {
		fmt.Fprintf(w, "  TLS certificates are signed by %s\n", filepath.Join(cfg.CADir, localbroker.CACertFile))
	}
	if len(cfg.Users) == 0 {
		fmt.Fprintln(w, "  anonymous clients accepted")
	} else {
		fmt.Fprintf(w, "  %d user(s); anonymous clients refused\n", len(cfg.Users))
	}
	if cfg.ACLFile != "" {
		fmt.Fprintf(w, "  access list %s\n", cfg.ACLFile)
	}
	if cfg.PersistDir != "" {
		fmt.Fprintf(w, "  retained messages and sessions kept in %s\n", filepath.Join(cfg.PersistDir, localbroker.PersistFile))
	}
	if moved := b.MovedAside(); moved != "" {
		fmt.Fprintf(w, "  the damaged data file was kept aside as %s\n", moved)
	}
	queue := formatSize(cfg.MaxQueueBytes) + " held per client"
	if cfg.MaxQueueBytes < 0 {
		queue = "no bound on what is held per client"
	}
	fmt.Fprintf(w, "  limits: packets up to %s, %s, topics of %s and %s\n",
		formatSize(int64(cfg.MaxPacketSize)), queue, bound(cfg.MaxTopicLevels, "levels"), bound(cfg.MaxTopicLength, "bytes"))
	for _, warn := range cfg.Warnings() {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// plural writes n and what, with an s unless n is 1.
func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.FormatInt(n, 10) + " " + what + "s"
}

func bound(n int, unit string) string {
	if n < 0 {
		return "any number of " + unit
	}
	return fmt.Sprintf("up to %d %s", n, unit)
}
