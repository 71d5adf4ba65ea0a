package mqttcore

// v3ConnackCodes maps MQTT 3.1.1 CONNACK return codes to their MQTT 5
// equivalents, so that errors read the same for both versions.
var v3ConnackCodes = map[byte]byte{
	1: 0x84, // unacceptable protocol version
	2: 0x85, // identifier rejected
	3: 0x88, // server unavailable
	4: 0x86, // bad user name or password
	5: 0x87, // not authorized
}
