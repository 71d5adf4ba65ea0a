package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp/syntax"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

// Config says where App keeps its data.
type Config struct {
	// DataDir holds the database and the local broker's files; when empty,
	// the user's config directory (os.UserConfigDir()/mqttdesk).
	DataDir string
	// Logger receives the application log; nothing is logged when nil.
	Logger *slog.Logger
	// Recover moves a damaged database aside (it is kept, renamed) and
	// starts a fresh one; so does the local broker with its own file.
	Recover bool
}

// App is the running application core. Create it with Open and release it
// with Close.
type App struct {
	dir     string
	store   *storage.Store
	log     *slog.Logger
	recover bool // move damaged data files aside (Config.Recover)

	mu        sync.Mutex
	broker    *localbroker.Broker
	brokerErr error
	conns     map[string]*conn // open connections by profile ID

	version  atomic.Uint64 // bumped by every change the views show
	stopTick context.CancelFunc
	ticking  sync.WaitGroup
	writing  sync.WaitGroup // publish outcomes on their way to the store
}

// DefaultDataDir returns the user's data directory for mqttdesk,
// os.UserConfigDir()/mqttdesk.
func DefaultDataDir() (string, error) { return storage.DefaultDir() }

// Open opens the data directory. It fails with an error wrapping
// storage.ErrLocked when another mqttdesk uses the same directory.
func Open(cfg Config) (*App, error) {
	dir := cfg.DataDir
	if dir == "" {
		d, err := storage.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	store, err := storage.OpenWith(dir, storage.OpenOptions{MoveAsideCorrupt: cfg.Recover})
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{dir: dir, store: store, log: log, recover: cfg.Recover, conns: map[string]*conn{}}
	a.startTicker()
	return a, nil
}

// Version returns a number that changes whenever something the views show
// changes. Views read it on their ticker and redraw only when it moved, so
// they do one update per tick whatever the message rate.
func (a *App) Version() uint64 { return a.version.Load() }

func (a *App) changed() { a.version.Add(1) }

// startTicker computes the rates once a second.
func (a *App) startTicker() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stopTick = cancel
	a.ticking.Add(1)
	go func() {
		defer a.ticking.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				a.tick(now.Sub(last).Seconds())
				last = now
			}
		}
	}()
}

func (a *App) tick(secs float64) {
	a.mu.Lock()
	conns := make([]*conn, 0, len(a.conns))
	for _, c := range a.conns {
		conns = append(conns, c)
	}
	a.mu.Unlock()
	for _, c := range conns {
		c.tick(secs)
	}
	if len(conns) > 0 {
		a.changed()
	}
}

// DataDir returns the directory App keeps its files in.
func (a *App) DataDir() string { return a.dir }

// Close disconnects every connection, stops the local broker and closes
// the store, committing every message received. It blocks for a few
// seconds at most.
func (a *App) Close() error {
	a.stopTick()
	a.ticking.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.mu.Lock()
	ids := make([]string, 0, len(a.conns))
	for id := range a.conns {
		ids = append(ids, id)
	}
	a.mu.Unlock()
	for _, id := range ids {
		_ = a.Disconnect(ctx, id)
	}
	a.writing.Wait()
	stopErr := a.stopBroker(context.Background()) // not StopLocalBroker: the broker left on starts again next time
	if errors.Is(stopErr, localbroker.ErrStopTimeout) {
		stopErr = nil // clients were cut off; nothing is lost
	}
	return errors.Join(stopErr, a.store.Close())
}

// Profiles returns the saved connections in sidebar order.
func (a *App) Profiles() ([]model.Profile, error) {
	return a.store.Profiles()
}

func permissionMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("mqttdesk cannot write to its data directory %s (%v); fix its permissions or choose another with --data-dir.", filepath.Dir(pe.Path), pe.Err)
	}
	return "mqttdesk cannot write to its data directory (" + err.Error() + "); fix its permissions or choose another with --data-dir."
}

// UserMessage turns err into one sentence a user can act on, keeping the
// cause's own words where they already are one.
func UserMessage(err error) string {
	var ce *mqttcore.Error
	var damaged *localbroker.DamagedFileError
	var badPattern *syntax.Error // a search's regular expression
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return ce.Sentence
	case errors.As(err, &badPattern):
		return fmt.Sprintf("That is not a regular expression: %s in %s.", badPattern.Code, badPattern.Expr)
	case errors.Is(err, storage.ErrLocked):
		return "mqttdesk is already running with this data directory; close the other window or start with another --data-dir."
	case errors.Is(err, os.ErrPermission):
		return permissionMessage(err)
	case errors.Is(err, storage.ErrCorrupt):
		return "mqttdesk's data file is damaged (" + err.Error() + "); start mqttdesk with --recover to keep it aside and begin with a fresh one."
	case errors.As(err, &damaged):
		return fmt.Sprintf("The local broker's data file %s is damaged (%s); turn off persistence (%q in the broker's settings, or leave out --persist), or start with --recover to keep the file aside and begin with a fresh one.", damaged.Path, damaged.Detail, PersistSettingLabel)
	case errors.Is(err, ErrUnknownProfile), errors.Is(err, ErrNotOpen):
		return trimPrefixes(err.Error()) + "."
	case errors.Is(err, localbroker.ErrPortInUse):
		return trimPrefixes(err.Error()) + "."
	}
	return fmt.Sprintf("%s.", trimPrefixes(err.Error()))
}
