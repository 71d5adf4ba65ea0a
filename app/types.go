package app

import (
	"github.com/mqttdesk/mqttdesk/mqttcore"
	"github.com/mqttdesk/mqttdesk/storage"
)

// The types the views work with. They are the lower packages' own types
// under app's name, so that the views import app alone.
type (
	Options       = mqttcore.Options
	Will          = mqttcore.Will
	TLSOptions    = mqttcore.TLSOptions
	ProxyOptions  = mqttcore.ProxyOptions
	Reconnect     = mqttcore.Reconnect
	Properties    = mqttcore.Properties
	UserProperty  = mqttcore.UserProperty
	Message       = mqttcore.Message
	PublishResult = mqttcore.PublishResult
	LogEntry      = mqttcore.LogEntry
	Subscription  = storage.Subscription
	Query         = storage.Query
	Direction     = storage.Direction
	PublishEntry  = storage.PublishEntry
	AppSettings   = storage.AppSettings
	Retention     = storage.Retention
	FuzzyMatch    = storage.FuzzyMatch
	ExportOptions = storage.ExportOptions
	ImportSummary = storage.ImportSummary
)

// Values of those types.
const (
	MQTT5       = mqttcore.MQTT5
	MQTT311     = mqttcore.MQTT311
	SchemeMQTT  = mqttcore.SchemeMQTT
	SchemeMQTTS = mqttcore.SchemeMQTTS
	SchemeWS    = mqttcore.SchemeWS
	SchemeWSS   = mqttcore.SchemeWSS
	ProxyNone   = mqttcore.ProxyNone
	ProxySOCKS5 = mqttcore.ProxySOCKS5
	ProxyHTTP   = mqttcore.ProxyHTTP

	Received  = storage.Received
	Published = storage.Published

	ThemeSystem = storage.ThemeSystem
	ThemeLight  = storage.ThemeLight
	ThemeDark   = storage.ThemeDark
)

// NewOptions returns the defaults of a new connection; see
// mqttcore.NewOptions.
func NewOptions(name, scheme, host string) Options { return mqttcore.NewOptions(name, scheme, host) }

// DefaultPort returns the usual port of scheme.
func DefaultPort(scheme string) int { return mqttcore.DefaultPort(scheme) }

// GenerateClientID returns a new random client ID.
func GenerateClientID() string { return mqttcore.GenerateClientID() }

// MatchTopic reports whether topic matches the MQTT topic filter.
func MatchTopic(filter, topic string) bool { return mqttcore.MatchTopic(filter, topic) }

// ValidateFilter says what is wrong with a topic filter, if anything.
func ValidateFilter(filter string) error { return mqttcore.ValidateFilter(filter) }

// ValidateTopic says what is wrong with a topic to publish to, if anything.
func ValidateTopic(topic string) error { return mqttcore.ValidateTopicName(topic) }

// CheckTLS says what is wrong with o's certificate and key files and
// passphrase, if anything; nil for connections without TLS.
func CheckTLS(o Options) error { return o.CheckTLS() }
