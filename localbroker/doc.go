// Package localbroker is mqttdesk's embedded MQTT broker: a mochi-mqtt server
// behind a small API (New, Start, Stop, Stats, Endpoints) that listens on
// TCP and WebSocket, optionally TLS and secure WebSocket with a local CA, with
// optional credentials and persistence.
//
// Only app and main import localbroker. localbroker is the only package that
// imports mochi-mqtt; no mochi type crosses its API.
package localbroker
