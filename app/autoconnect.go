package app

import "context"

// AutoConnect starts the local broker when the user left it on, and opens
// its connection, as switching it on does; then it opens, one after the
// other, every saved connection marked to connect at start. It blocks
// until each has had its first attempt; errors show in the broker's and
// the connections' state.
func (a *App) AutoConnect(ctx context.Context) {
	if a.brokerWasOn() {
		// An error shows on the broker card.
		if p, err := a.StartLocalBroker(ctx); err == nil && !p.AutoConnect {
			_ = a.Connect(ctx, p.ID)
		}
	}
	profiles, err := a.store.Profiles()
	if err != nil {
		return
	}
	for _, p := range profiles {
		if p.AutoConnect && ctx.Err() == nil {
			_ = a.Connect(ctx, p.ID)
		}
	}
}
