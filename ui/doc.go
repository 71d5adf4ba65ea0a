// Package ui is mqttdesk's Fyne interface: windows, dialogs, widgets and
// theme. It draws what app holds and calls app's commands through the small
// interfaces declared here; it imports no paho, mochi or bbolt.
//
// Only main imports ui. Widgets are touched on the Fyne goroutine only:
// every hop from another goroutine goes through onMain.
package ui
