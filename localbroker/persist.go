package localbroker

import (
	"strconv"
	"strings"

	"github.com/mochi-mqtt/server/v2/hooks/storage"
	"github.com/mochi-mqtt/server/v2/hooks/storage/bolt"
)

// persistHook is mochi's bolt storage hook with one repair: the hook saves
// queued QoS 1 and 2 messages without their packet ID, and mochi then
// refuses to resend them after a restart ("missing packet id"), cutting the
// client off. The ID is part of each record's key (if_<client>:<id>), so it
// is restored from there when the messages are loaded.
type persistHook struct {
	*bolt.Hook
}

func newPersistHook() *persistHook { return &persistHook{Hook: new(bolt.Hook)} }

// StoredInflightMessages returns the saved queued messages with their
// packet IDs.
func (h *persistHook) StoredInflightMessages() ([]storage.Message, error) {
	msgs, err := h.Hook.StoredInflightMessages()
	for i := range msgs {
		if msgs[i].PacketID == 0 {
			msgs[i].PacketID = packetIDFromKey(msgs[i].ID)
		}
	}
	return msgs, err
}

func packetIDFromKey(key string) uint16 {
	i := strings.LastIndexByte(key, ':')
	if i < 0 {
		return 0
	}
	id, err := strconv.ParseUint(key[i+1:], 10, 16)
	if err != nil {
		return 0
	}
	return uint16(id)
}
