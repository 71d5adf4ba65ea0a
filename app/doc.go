// Package app is mqttdesk's headless core: it owns the store, the local
// broker and the client sessions, keeps the state the views read, and
// answers the commands the UI sends. It needs no display.
//
// Only ui and main import app. App's methods are safe for concurrent use;
// those that wait on the network or the disk say so.
package app
