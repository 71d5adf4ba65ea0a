package app

import "context"

// AutoConnect starts the local broker when the user left it on, then
// opens, one after the other, every saved connection marked to connect at
// start. It blocks until each has had its first attempt; errors show in
// the broker's and the connections' state.
func (a *App) AutoConnect(ctx context.Context) {
	if a.brokerWasOn() {
		_, _ = a.StartLocalBroker(ctx) // its error shows on the broker card
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
