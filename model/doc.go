// Package model holds the records mqttdesk keeps and shows, as plain
// values: saved connections (Profile) and subscriptions, the user's
// settings and retention, the publish history, and the questions asked of
// the message history (Query, Direction). storage keeps them, app works
// with them, ui shows them, cli imports and exports them.
//
// model imports only the standard library and mqtt.
package model
