package model

import (
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// PublishEntry is one message the user published, to offer again.
type PublishEntry struct {
	Topic      string           `json:"topic"`
	Payload    []byte           `json:"payload,omitempty"`
	QoS        byte             `json:"qos"`
	Retain     bool             `json:"retain,omitempty"`
	Properties *mqtt.Properties `json:"properties,omitempty"`
	Time       time.Time        `json:"time"`
}
