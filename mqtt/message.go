package mqtt

import "time"

// UserProperty is one MQTT 5 user property; keys may repeat.
type UserProperty struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Properties are the MQTT 5 properties of a message (PUBLISH or will).
// Zero values are not sent.
type Properties struct {
	PayloadFormat   *byte          `json:"payloadFormat,omitempty"` // 1: UTF-8 text
	MessageExpiry   *uint32        `json:"messageExpiry,omitempty"` // seconds
	ContentType     string         `json:"contentType,omitempty"`
	ResponseTopic   string         `json:"responseTopic,omitempty"`
	CorrelationData []byte         `json:"correlationData,omitempty"`
	User            []UserProperty `json:"user,omitempty"`
	// SubscriptionIDs are the identifiers of every subscription the message
	// matched (incoming only).
	SubscriptionIDs []int `json:"subscriptionIds,omitempty"`
	// TopicAlias, on publish, asks to send the topic as this alias (MQTT 5;
	// within the broker's topic alias maximum). Incoming aliases are
	// resolved: Message.Topic is always the full topic.
	TopicAlias uint16 `json:"topicAlias,omitempty"`
}

// Message is an MQTT application message, incoming or to publish.
type Message struct {
	Topic      string
	Payload    []byte
	QoS        byte
	Retain     bool
	Duplicate  bool   // incoming: a redelivery
	PacketID   uint16 // incoming, QoS 1 and 2
	Properties Properties
	Received   time.Time // incoming: when it was read
}

// PublishResult is the broker's answer to a publish: for QoS 0 the message
// was written; for QoS 1 and 2, ReasonCode is the broker's code (0 success,
// 0x10 no matching subscribers, both are successes).
type PublishResult struct {
	ReasonCode   byte
	ReasonString string
}

// Succeeded reports whether the broker accepted the message.
func (r PublishResult) Succeeded() bool { return r.ReasonCode < 0x80 }

// Subscription is one topic filter to subscribe to.
type Subscription struct {
	Filter string
	QoS    byte
	// MQTT 5 options.
	NoLocal           bool
	RetainAsPublished bool
	RetainHandling    byte // 0: send retained, 1: only for a new subscription, 2: never
	Identifier        int  // subscription identifier, 1 to 268435455; 0: none
	User              []UserProperty
}

// SubscribeResult is the broker's answer for one filter.
type SubscribeResult struct {
	Filter     string
	ReasonCode byte // the granted QoS (0 to 2), or a failure code from 0x80
	Requested  byte // the QoS that was asked for
}

// Granted reports whether the subscription is in place.
func (r SubscribeResult) Granted() bool { return r.ReasonCode < 0x80 }

// Text says the result in plain words: "granted QoS 1", "QoS granted 0
// instead of 2", "not authorized".
func (r SubscribeResult) Text() string {
	if !r.Granted() {
		return reasonText(r.ReasonCode)
	}
	if r.ReasonCode < r.Requested {
		return "QoS granted " + string('0'+r.ReasonCode) + " instead of " + string('0'+r.Requested)
	}
	return "granted QoS " + string('0'+r.ReasonCode)
}
