package localbroker

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/mochi-mqtt/server/v2/hooks/storage"
	"github.com/mochi-mqtt/server/v2/hooks/storage/bolt"

	"github.com/mqttdesk/mqttdesk/internal/boltfile"
)

// persistHook is mochi's bolt storage hook with one repair: the hook saves
// queued QoS 1 and 2 messages without their packet ID, and mochi then
// refuses to resend them after a restart ("missing packet id"), cutting the
// client off. The ID is part of each record's key (if_<client>:<id>), so it
// is restored from there when the messages are loaded.
//
// The file is checked before bbolt maps it (checkPersistFile), and the
// hook's open and its reads of what the file holds run under
// boltfile.Guard: a damaged file is an error, not a crash of the process.
type persistHook struct {
	*bolt.Hook
	path string
}

func newPersistHook(path string) *persistHook {
	return &persistHook{Hook: new(bolt.Hook), path: path}
}

// Init opens the file; see openError for what its error says.
func (h *persistHook) Init(config any) error {
	return openError(h.path, boltfile.Guard(func() error { return h.Hook.Init(config) }))
}

// guarded runs a read of the file, whose failure is damage: the file
// was checked, so what bbolt or the hook refuses does not decode.
func guarded[T any](h *persistHook, read func() (T, error)) (v T, err error) {
	err = boltfile.Guard(func() error {
		v, err = read()
		return err
	})
	if err != nil {
		return v, openError(h.path, err)
	}
	return v, nil
}

func (h *persistHook) StoredClients() ([]storage.Client, error) {
	return guarded(h, h.Hook.StoredClients)
}

func (h *persistHook) StoredSubscriptions() ([]storage.Subscription, error) {
	return guarded(h, h.Hook.StoredSubscriptions)
}

// StoredRetainedMessages returns the saved retained messages but those
// on a topic with wildcards, which a will could retain before wills were
// checked: every subscriber to # got it, and refused the packet.
func (h *persistHook) StoredRetainedMessages() ([]storage.Message, error) {
	msgs, err := guarded(h, h.Hook.StoredRetainedMessages)
	return withoutWildcardTopics(msgs), err
}

func withoutWildcardTopics(msgs []storage.Message) []storage.Message {
	return slices.DeleteFunc(msgs, func(m storage.Message) bool {
		return strings.ContainsAny(m.TopicName, "+#")
	})
}

func (h *persistHook) StoredSysInfo() (storage.SystemInfo, error) {
	return guarded(h, h.Hook.StoredSysInfo)
}

// StoredInflightMessages returns the saved queued messages with their
// packet IDs, each client's in the order they were queued: the file yields
// them by key, where "if_c:10" sorts before "if_c:9".
func (h *persistHook) StoredInflightMessages() ([]storage.Message, error) {
	msgs, err := guarded(h, h.Hook.StoredInflightMessages)
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
