package app

import (
	"context"
	"errors"

	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// testHandler drops what a trial connection receives.
type testHandler struct{}

func (testHandler) HandleMessage(mqtt.Message) {}
func (testHandler) HandleEvent(mqttcore.Event) {}

// TestConnection connects once with o, without reconnecting and without
// saving anything, then disconnects cleanly. It returns nil when the broker
// accepted the connection, otherwise the reason (see UserMessage).
func (a *App) TestConnection(ctx context.Context, o mqtt.Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o.Reconnect.Enabled = false
	s, err := mqttcore.NewSession(o, testHandler{})
	if err != nil {
		return err
	}
	err = s.Connect(ctx)
	return errors.Join(err, s.Disconnect(context.WithoutCancel(ctx)))
}
