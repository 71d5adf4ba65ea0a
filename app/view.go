package app

import (
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
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
	Properties *mqtt.Properties
	Payload    []byte
	Status     string // outgoing: "sending", "sent", or why the broker refused it
}

func viewFromStored(m storage.Message) ViewMessage {
	v := ViewMessage{
		Seq: m.Seq, Time: m.Time, Outgoing: m.Direction == model.Published, Topic: m.Topic,
		QoS: m.QoS, Retain: m.Retain, Properties: m.Properties, Payload: m.Payload, Status: m.Status,
	}
	if v.Outgoing && v.Status == "" {
		v.Status = "sent"
	}
	return v
}

// viewFromHistory is viewFromStored for a message read back from the
// history: a publish still marked sending there was cut off by mqttdesk
// closing.
func viewFromHistory(m storage.Message) ViewMessage {
	if m.Status == storage.StatusSending {
		m.Status = notAnswered
	}
	return viewFromStored(m)
}

// notAnswered is the status of a publish that mqttdesk stopped waiting
// for: it was still sending when mqttdesk closed.
const notAnswered = "no answer: mqttdesk closed before the broker answered"

// SubState is a saved subscription with the broker's last answer to it.
type SubState struct {
	model.Subscription
	Result  string // in plain words: "granted QoS 1", "not authorized"; "" before any answer
	Granted bool
}

// ConnState is what the views show of one connection.
type ConnState struct {
	ProfileID     string
	State         string // "disconnected", "connecting" or "connected"
	Err           string // the last error, as a sentence; "" after a good connect
	Connack       *mqttcore.Connack
	Subscriptions []SubState // their Result only while connected
	Attempt       int        // of the current or last attempt to connect, from 1
	RetryAt       time.Time  // when the next attempt starts; zero when none is waiting
	GaveUp        bool       // no attempt follows until Connect (a refusal retrying cannot fix)
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
func hasProperties(p mqtt.Properties) bool {
	return p.PayloadFormat != nil || p.MessageExpiry != nil || p.ContentType != "" || p.ResponseTopic != "" ||
		len(p.CorrelationData) > 0 || len(p.User) > 0 || len(p.SubscriptionIDs) > 0
}

func propertiesOrNil(p mqtt.Properties) *mqtt.Properties {
	if !hasProperties(p) {
		return nil
	}
	return &p
}
