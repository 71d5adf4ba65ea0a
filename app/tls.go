package app

import (
	"github.com/mqttdesk/mqttdesk/mqtt"
	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// CheckTLS says what is wrong with o's certificate and key files and
// passphrase, if anything; nil for connections without TLS.
func CheckTLS(o mqtt.Options) error { return mqttcore.CheckTLS(o) }
