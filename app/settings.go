package app

import (
	"errors"

	"github.com/mqttdesk/mqttdesk/model"
)

// AppSettings returns the user's preferences.
func (a *App) AppSettings() model.AppSettings { return a.store.AppSettings() }

// SaveAppSettings checks and saves s. How many messages stay in memory
// applies to connections opened afterwards.
func (a *App) SaveAppSettings(s model.AppSettings) error {
	if err := a.store.SaveAppSettings(s); err != nil {
		return err
	}
	a.changed()
	return nil
}

// Retention returns how much history is kept for connections without a
// retention of their own.
func (a *App) Retention() model.Retention { return a.store.GlobalRetention() }

// SaveRetention sets the history kept for connections without a retention
// of their own; zero fields mean no limit of that kind.
func (a *App) SaveRetention(r model.Retention) error {
	if r.MaxMessages < 0 || r.MaxBytes < 0 || r.MaxAge < 0 {
		return errors.New("history limits cannot be negative; use 0 for no limit")
	}
	return a.store.SetDefaultRetention(r)
}
