// Package windowtest drives the real mqttdesk window under Xvfb as a user
// does, with the pointer and the keyboard (xdotool), reading where things
// are from the map the app writes when MQTTDESK_UI_MAP names a file (see
// instrument.PublishUIMap). Its tests run the binary that `make window` builds
// with the race detector; plain `go test ./...` skips them.
//
// Nothing imports windowtest.
package windowtest
