package app

import (
	"time"

	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

// ViewMessage is one message as the message view shows it.
type ViewMessage struct {
	Seq        uint64 // its place in the connection's history
	Time       time.Time
	Outgoing   bool
	Topic      string
	QoS        byte
	Retain     bool
	Properties *mqttcore.Properties
	Payload    []byte
	Status     string // outgoing: "sending", "sent", or why the broker refused it
}

func viewFromStored(m storage.Message) ViewMessage {
	return ViewMessage{
		Seq: m.Seq, Time: m.Time, Outgoing: m.Direction == storage.Published, Topic: m.Topic,
		QoS: m.QoS, Retain: m.Retain, Properties: m.Properties, Payload: m.Payload,
	}
}

// SubState is a saved subscription with the broker's last answer to it.
type SubState struct {
	storage.Subscription
	Result  string // in plain words: "granted QoS 1", "not authorized"; "" before any answer
	Granted bool
}

// ConnState is what the views show of one connection.
type ConnState struct {
	ProfileID     string
	State         string // "disconnected", "connecting" or "connected"
	Err           string // the last error, as a sentence; "" after a good connect
	Connack       *mqttcore.Connack
	Subscriptions []SubState
	Unread        int
	MessagesIn    int64
	MessagesOut   int64
	BytesIn       int64
	BytesOut      int64
	InRate        float64 // messages per second over the last second
	OutRate       float64
	BytesInRate   float64 // payload bytes per second
	BytesOutRate  float64
}

// TopicStats is one row of the per-topic table.
type TopicStats struct {
	Topic string
	Count int64
	Rate  float64 // messages per second over the last second
	Last  ViewMessage
}

// hasProperties reports whether p carries anything worth storing.
func hasProperties(p mqttcore.Properties) bool {
	return p.PayloadFormat != nil || p.MessageExpiry != nil || p.ContentType != "" || p.ResponseTopic != "" ||
		len(p.CorrelationData) > 0 || len(p.User) > 0 || len(p.SubscriptionIDs) > 0
}

func propertiesOrNil(p mqttcore.Properties) *mqttcore.Properties {
	if !hasProperties(p) {
		return nil
	}
	return &p
}
