// Package assets holds mqttdesk's icons and other bundled files as bytes.
// It imports nothing of mqttdesk's and no Fyne; ui turns the bytes into
// Fyne resources.
package assets

import _ "embed"

// Icon is the application icon, 512x512 PNG.
//
//go:embed icon.png
var Icon []byte
