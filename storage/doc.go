// Package storage keeps mqttdesk's data in one bbolt file: saved
// connections (profiles), settings and, as it grows, subscriptions and
// message history. Secrets never sit in it in plain text.
//
// Only app imports storage, and storage is the only package that imports
// bbolt.
package storage
