package localbroker

import (
	"cmp"
	"slices"
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
// packet IDs, each client's in the order they were queued: the file yields
// them by key, where "if_c:10" sorts before "if_c:9".
func (h *persistHook) StoredInflightMessages() ([]storage.Message, error) {
	msgs, err := h.Hook.StoredInflightMessages()
	for i := range msgs {
		if msgs[i].PacketID == 0 {
			msgs[i].PacketID = packetIDFromKey(msgs[i].ID)
		}
	}
	sortQueued(msgs)
	return msgs, err
}

// sortQueued orders messages by client, then by the time they were queued
// (whole seconds), then by packet ID, which a client's session hands out in
// increasing order. When a client's IDs wrapped past 65535 (they span more
// than half the range), the low ones came last.
func sortQueued(msgs []storage.Message) {
	wrapped := map[string]bool{}
	lowest, highest := map[string]uint16{}, map[string]uint16{}
	for _, m := range msgs {
		if lo, ok := lowest[m.Client]; !ok || m.PacketID < lo {
			lowest[m.Client] = m.PacketID
		}
		highest[m.Client] = max(highest[m.Client], m.PacketID)
	}
	for c := range lowest {
		wrapped[c] = highest[c]-lowest[c] > 1<<15
	}
	rank := func(m storage.Message) uint32 {
		if wrapped[m.Client] && m.PacketID < 1<<15 {
			return uint32(m.PacketID) + 1<<16
		}
		return uint32(m.PacketID)
	}
	slices.SortStableFunc(msgs, func(a, b storage.Message) int {
		return cmp.Or(strings.Compare(a.Client, b.Client), cmp.Compare(a.Created, b.Created), cmp.Compare(rank(a), rank(b)))
	})
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
