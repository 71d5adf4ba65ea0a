package model

import "github.com/mqttdesk/mqttdesk/mqtt"

// Subscription is a saved subscription of a profile: what mqttcore
// subscribes with, plus what the views show.
type Subscription struct {
	ID                string              `json:"id"`
	Filter            string              `json:"filter"`
	QoS               byte                `json:"qos"`
	NoLocal           bool                `json:"noLocal,omitempty"`
	RetainAsPublished bool                `json:"retainAsPublished,omitempty"`
	RetainHandling    byte                `json:"retainHandling,omitempty"`
	Identifier        int                 `json:"identifier,omitempty"`
	User              []mqtt.UserProperty `json:"user,omitempty"`
	Color             string              `json:"color,omitempty"`
	Alias             string              `json:"alias,omitempty"`
	Enabled           bool                `json:"enabled"`
	Order             int                 `json:"order"`
}
