package model

import (
	"time"

	"github.com/mqttdesk/mqttdesk/mqtt"
)

// Profile is a saved connection: its options plus what the sidebar needs.
type Profile struct {
	ID          string       `json:"id"`
	Options     mqtt.Options `json:"options"`
	Color       string       `json:"color,omitempty"`
	Folder      string       `json:"folder,omitempty"`
	Order       int          `json:"order"`
	Created     time.Time    `json:"created"`
	LastUsed    time.Time    `json:"lastUsed,omitzero"`
	LocalBroker bool         `json:"localBroker,omitempty"` // the connection to mqttdesk's own broker
	AutoConnect bool         `json:"autoConnect,omitempty"` // connect when mqttdesk starts
}
