// Package mqttcore holds one MQTT client session: its options, connecting,
// subscribing, publishing and the events it reports. MQTT 5 goes through
// paho.golang, 3.1.1 through paho.mqtt.golang; no paho type crosses this
// package's API, so callers never know which library serves a connection.
//
// app imports mqttcore; storage imports it for the Options type only.
package mqttcore
