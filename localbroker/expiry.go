package localbroker

import (
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// maxMessageExpiry is the server's maximum message expiry in seconds.
// mochi expires messages after a day by default; a local test broker keeps
// retained messages until they are replaced, like mosquitto.
const maxMessageExpiry = 10 * 365 * 24 * 3600

// Message expiry: mochi puts a Message Expiry Interval on every PUBLISH it
// sends, counted down from the server's maximum when the publisher set
// none; MQTT 5 sends it only when the publisher did (MQTT-3.3.2-5). By the
// time a hook sees the outgoing packet the property has been overwritten,
// so the hook tells the two apart by the deadline: a message without
// expiry expires exactly maxMessageExpiry after it was made. A publisher's
// expiry at or over the maximum (which mochi caps at it) is kept one
// second under it on arrival, so that it is still sent. A delayed will's
// deadline is the end of its delay, not an expiry: it goes without one.

// OnPublish keeps a publisher's expiry under the maximum (see above).
func (h *complianceHook) OnPublish(_ *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if underMaximum(&pk.Properties) {
		pk.Expiry = pk.Created + int64(pk.Properties.MessageExpiryInterval)
	}
	return pk, nil
}

// OnWill keeps a will's expiry under the maximum, as OnPublish does.
func (h *complianceHook) OnWill(_ *mqtt.Client, will mqtt.Will) (mqtt.Will, error) {
	underMaximum(&will.Properties)
	return will, nil
}

// underMaximum lowers an expiry at or over maxMessageExpiry to one second
// under it and reports whether it did.
func underMaximum(p *packets.Properties) bool {
	if p.MessageExpiryInterval < maxMessageExpiry {
		return false
	}
	p.MessageExpiryInterval = maxMessageExpiry - 1
	return true
}

// expirySet reports whether an outgoing PUBLISH carries an expiry its
// publisher set (see above).
func expirySet(pk *packets.Packet) bool {
	return pk.Connect.WillProperties.WillDelayInterval == 0 && pk.Expiry-pk.Created < maxMessageExpiry
}
