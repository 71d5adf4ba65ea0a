package mqttcore

import (
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// State is where a session's connection stands.
type State int

// Session states.
const (
	StateDisconnected State = iota
	StateConnecting
	StateConnected
)

func (s State) String() string {
	return [...]string{"disconnected", "connecting", "connected"}[s]
}

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	// EventConnecting: an attempt starts (Attempt counts from 1).
	EventConnecting EventKind = iota
	// EventConnected: the broker accepted the connection (Connack).
	EventConnected
	// EventConnectFailed: an attempt failed (Err); the session retries
	// after Delay unless Final.
	EventConnectFailed
	// EventDisconnected: an established connection ended (Disconnect);
	// the session reconnects unless Final.
	EventDisconnected
	// EventPublished: a publish completed (Publish).
	EventPublished
	// EventSubscribed: the session (re)made its subscriptions on connecting
	// (Subscribed, or Err).
	EventSubscribed
)

// Event is something that happened to a session, in the order it happened.
type Event struct {
	Kind       EventKind
	Time       time.Time
	Attempt    int
	Connack    *Connack
	Disconnect *DisconnectInfo
	Publish    *PublishEvent
	Subscribed []mqtt.SubscribeResult
	Err        error         // for EventConnectFailed and EventDisconnected: an *Error
	Delay      time.Duration // before the next attempt
	Final      bool          // no further attempt follows
}

// Connack is the broker's answer to CONNECT. For MQTT 3.1.1 only
// SessionPresent is meaningful; the capabilities read as MQTT's defaults.
type Connack struct {
	SessionPresent    bool
	ClientID          string // the ID in use: the one sent, or the one the broker assigned
	AssignedClientID  string
	ServerKeepAlive   int // seconds; -1 when the broker did not override ours
	ReceiveMaximum    int // 65535 when not given
	MaximumQoS        byte
	RetainAvailable   bool
	MaximumPacketSize uint32 // 0: no limit given
	TopicAliasMaximum uint16
	WildcardSubs      bool
	SubscriptionIDs   bool
	SharedSubs        bool
	ServerReference   string
	ReasonString      string
	ResponseInfo      string
	User              []mqtt.UserProperty
}

// DisconnectInfo says how an established connection ended.
type DisconnectInfo struct {
	ByServer     bool // the broker sent DISCONNECT
	ByClient     bool // Disconnect was called
	ReasonCode   byte // MQTT 5 reason code when the broker sent one
	ReasonString string
	Err          error // the network error, when the connection broke
}

// PublishEvent reports one completed publish.
type PublishEvent struct {
	Message mqtt.Message
	Result  mqtt.PublishResult
	Err     error
}

// describe says how the connection ended, for the protocol log.
func (i DisconnectInfo) describe() string {
	switch {
	case i.ByServer:
		return "the broker sent DISCONNECT (" + mqtt.ReasonText(i.ReasonCode) + ") " + i.ReasonString
	case i.ByClient:
		return "disconnected by the user"
	case i.Err != nil:
		return i.Err.Error()
	}
	return "closed"
}
