package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/storage"
)

// brokerUsage heads `mqttdesk broker --help`.
const brokerUsage = `Usage: mqttdesk broker [flags]

Runs mqttdesk's local MQTT broker (MQTT 3.1, 3.1.1 and 5.0) in the
foreground, with no window, until Ctrl+C or SIGTERM. By default it listens on
127.0.0.1 only and accepts every client.

Flags:
`

// userList collects repeated --user NAME:PASS flags.
type userList []localbroker.User

func (u *userList) String() string { return fmt.Sprint(len(*u), " users") }

func (u *userList) Set(v string) error {
	name, pass, ok := strings.Cut(v, ":")
	if !ok || name == "" {
		return errors.New("use NAME:PASSWORD")
	}
	*u = append(*u, localbroker.User{Name: name, Password: pass})
	return nil
}

// brokerFlags parses the command line into a broker configuration.
func brokerFlags(args []string, stdout, stderr io.Writer, dataDir string) (localbroker.Config, string, bool, error) {
	fs := flag.NewFlagSet("mqttdesk broker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), brokerUsage); fs.PrintDefaults() }
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
	fs.Var(&users, "user", "accept only this `name:password` (repeat for more users); anonymous clients are refused")
	fs.StringVar(&cfg.PersistDir, "persist", "", "keep retained messages and persistent sessions in `directory` across restarts")
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
	cfg.TCPAddr, cfg.WSAddr = off(cfg.TCPAddr), off(cfg.WSAddr)
	cfg.Users = users
	return cfg, *exportCA, *verbose, nil
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
		dataDir, _ = storage.DefaultDir()
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
		fmt.Fprintf(stderr, "mqttdesk broker: %s\n", UserMessage(err))
		return 1
	}
	if exportCA != "" {
		if err := writeCA(b, exportCA); err != nil {
			fmt.Fprintf(stderr, "mqttdesk broker: %s\n", UserMessage(err))
		}
	}
	printEndpoints(stdout, b, cfg)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	sctx, cancel := context.WithTimeout(context.Background(), localbroker.StopTimeout)
	defer cancel()
	if err := b.Stop(sctx); err != nil {
		fmt.Fprintf(stderr, "mqttdesk broker: %s\n", UserMessage(err))
		return 1
	}
	fmt.Fprintln(stdout, "stopped")
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

func printEndpoints(w io.Writer, b *localbroker.Broker, cfg localbroker.Config) {
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
	if cfg.PersistDir != "" {
		fmt.Fprintf(w, "  retained messages and sessions kept in %s\n", filepath.Join(cfg.PersistDir, localbroker.PersistFile))
	}
	for _, warn := range cfg.Warnings() {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}
