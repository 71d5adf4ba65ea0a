package model

import "time"

// Retention bounds a profile's history. Zero fields are "no limit".
type Retention struct {
	MaxMessages int64         `json:"maxMessages"`
	MaxBytes    int64         `json:"maxBytes"`
	MaxAge      time.Duration `json:"maxAge"`
}

// DefaultRetention is used when neither the profile nor the user set
// one: the file must not grow without bound.
var DefaultRetention = Retention{MaxMessages: 10_000_000, MaxBytes: 4 << 30}
