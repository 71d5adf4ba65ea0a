package mqttcore

import (
	"context"
	"net"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// driver is one established MQTT connection, served by one library. A
// driver is used for one connection only; a new one is made for each.
type driver interface {
	subscribe(ctx context.Context, subs []mqtt.Subscription) ([]mqtt.SubscribeResult, error)
	unsubscribe(ctx context.Context, filters []string) error
	publish(ctx context.Context, m mqtt.Message) (mqtt.PublishResult, error)
	// disconnect sends DISCONNECT (normal disconnection) and closes.
	disconnect()
	// lost is closed when the connection has ended, for any reason.
	lost() <-chan struct{}
	// lostInfo says why, once lost is closed.
	lostInfo() DisconnectInfo
}

// connectFunc sends CONNECT over conn and returns the driver once the
// broker has accepted. It owns conn: on error it closes it.
type connectFunc func(ctx context.Context, conn *tapConn, o mqtt.Options, clientID string, deliver func(mqtt.Message)) (driver, *Connack, error)

func connectorFor(version string) connectFunc {
	if version == mqtt.MQTT311 {
		return connectV311
	}
	return connectV5
}

// closeOnError closes c when *err is set; use with defer.
func closeOnError(c net.Conn, err *error) {
	if *err != nil {
		_ = c.Close()
	}
}
