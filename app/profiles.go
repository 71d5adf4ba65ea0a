package app

import (
	"cmp"
	"context"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
)

// timeNow is the clock; tests may stop it.
var timeNow = time.Now

func compareStrings(a, b string) int { return cmp.Compare(a, b) }

// SaveProfile validates and saves p (a new one when p.ID is empty).
func (a *App) SaveProfile(p model.Profile) (model.Profile, error) {
	if err := p.Options.Validate(); err != nil {
		return p, err
	}
	saved, err := a.store.SaveProfile(p)
	if err == nil {
		a.restart(saved)
	}
	a.changed()
	return saved, err
}

// DeleteProfile closes connection id and deletes it with its history,
// subscriptions and secrets.
func (a *App) DeleteProfile(ctx context.Context, id string) error {
	if err := a.Disconnect(ctx, id); err != nil {
		return err
	}
	defer a.changed()
	return a.store.DeleteProfile(id)
}

// CloneProfile saves a copy of profile id named "<name> (copy)", with its
// subscriptions, and returns it.
func (a *App) CloneProfile(id string) (model.Profile, error) {
	p, err := a.profile(id)
	if err != nil {
		return p, err
	}
	subs, err := a.store.Subscriptions(id)
	if err != nil {
		return p, err
	}
	p.ID, p.LocalBroker, p.LastUsed = "", false, time.Time{}
	p.Options.Name += " (copy)"
	clone, err := a.store.SaveProfile(p)
	if err != nil {
		return clone, err
	}
	for _, s := range subs {
		s.ID = ""
		if _, err := a.store.SaveSubscription(clone.ID, s); err != nil {
			return clone, err
		}
	}
	a.changed()
	return clone, nil
}

// MoveProfile puts profile id in folder (empty: the top level) at order.
func (a *App) MoveProfile(id, folder string, order int) error {
	p, err := a.profile(id)
	if err != nil {
		return err
	}
	p.Folder, p.Order = folder, order
	_, err = a.store.SaveProfile(p)
	a.changed()
	return err
}
