package model

import (
	"errors"
	"fmt"
	"slices"
)

// Themes the window can use.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// AppSettings are the user's preferences for the window.
type AppSettings struct {
	Theme               string `json:"theme"`               // ThemeSystem, ThemeLight or ThemeDark
	PayloadDisplayLimit int    `json:"payloadDisplayLimit"` // bytes shown before "show all"
	MessagesInMemory    int    `json:"messagesInMemory"`    // newest messages kept in memory per connection
	CompactMessages     bool   `json:"compactMessages"`     // the message list shows one line a message
}

// DefaultAppSettings follow the system theme, show 64 KiB of a payload and
// keep the newest 5,000 messages of a connection in memory.
func DefaultAppSettings() AppSettings {
	return AppSettings{Theme: ThemeSystem, PayloadDisplayLimit: 64 << 10, MessagesInMemory: 5000}
}

// Validate reports the first setting that cannot work.
func (a AppSettings) Validate() error {
	if !slices.Contains([]string{ThemeSystem, ThemeLight, ThemeDark}, a.Theme) {
		return fmt.Errorf("theme %q is not system, light or dark", a.Theme)
	}
	if a.PayloadDisplayLimit < 256 {
		return errors.New("the payload display limit must be at least 256 bytes")
	}
	if a.MessagesInMemory < 100 || a.MessagesInMemory > 1_000_000 {
		return errors.New("messages kept in memory must be between 100 and 1,000,000")
	}
	return nil
}
