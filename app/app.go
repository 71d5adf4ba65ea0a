package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/mqttdesk/mqttdesk/localbroker"
	"github.com/mqttdesk/mqttdesk/storage"
)

// Profile is a saved connection as the views see it.
type Profile = storage.Profile

// Config says where App keeps its data.
type Config struct {
	// DataDir holds the database and the local broker's files; when empty,
	// the user's config directory (os.UserConfigDir()/mqttdesk).
	DataDir string
	// Logger receives the application log; nothing is logged when nil.
	Logger *slog.Logger
	// Recover moves a damaged database aside (it is kept, renamed) and
	// starts a fresh one.
	Recover bool
}

// App is the running application core. Create it with Open and release it
// with Close.
type App struct {
	dir   string
	store *storage.Store
	log   *slog.Logger

	mu        sync.Mutex
	broker    *localbroker.Broker
	brokerErr error
}

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
	return &App{dir: dir, store: store, log: log}, nil
}

// DataDir returns the directory App keeps its files in.
func (a *App) DataDir() string { return a.dir }

// Close stops the local broker and closes the store. It blocks for at most
// localbroker.StopTimeout.
func (a *App) Close() error {
	stopErr := a.StopLocalBroker(context.Background())
	if errors.Is(stopErr, localbroker.ErrStopTimeout) {
		stopErr = nil // clients were cut off; nothing is lost
	}
	return errors.Join(stopErr, a.store.Close())
}

// Profiles returns the saved connections in sidebar order.
func (a *App) Profiles() ([]Profile, error) {
	return a.store.Profiles()
}

// UserMessage turns err into one sentence a user can act on, keeping the
// cause's own words where they already are one.
func UserMessage(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, storage.ErrLocked):
		return "mqttdesk is already running with this data directory; close the other window or start with another --data-dir."
	case errors.Is(err, storage.ErrCorrupt):
		return "mqttdesk's data file is damaged (" + err.Error() + "); start mqttdesk with --recover to keep it aside and begin with a fresh one."
	case errors.Is(err, localbroker.ErrPortInUse):
		return trimPrefixes(err.Error()) + "."
	}
	return fmt.Sprintf("%s.", trimPrefixes(err.Error()))
}
