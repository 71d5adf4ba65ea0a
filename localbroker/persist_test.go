package localbroker

import (
	"testing"

	"github.com/mochi-mqtt/server/v2/hooks/storage"
)

func TestSortQueued(t *testing.T) {
	msg := func(client string, created int64, id uint16) storage.Message {
		return storage.Message{Client: client, Created: created, PacketID: id}
	}
	for _, tc := range []struct {
		name string
		in   []storage.Message
		want []uint16
	}{
		{"ids sort as numbers, not key strings", []storage.Message{msg("c", 5, 10), msg("c", 5, 9), msg("c", 5, 100)}, []uint16{9, 10, 100}},
		{"time first", []storage.Message{msg("c", 7, 1), msg("c", 6, 2)}, []uint16{2, 1}},
		{"wrapped ids: low ones last", []storage.Message{msg("c", 5, 2), msg("c", 5, 65534), msg("c", 5, 1), msg("c", 5, 65535)}, []uint16{65534, 65535, 1, 2}},
		{"clients apart", []storage.Message{msg("b", 5, 1), msg("a", 5, 2)}, []uint16{2, 1}},
	} {
		sortQueued(tc.in)
		for i, id := range tc.want {
			if tc.in[i].PacketID != id {
				t.Errorf("%s: got %v at %d, want %d", tc.name, tc.in[i].PacketID, i, id)
			}
		}
	}
}

// TestStoredWildcardRetainedDropped: a retained message on a wildcard
// topic in the file (a will could retain one) is not restored.
func TestStoredWildcardRetainedDropped(t *testing.T) {
	var msgs []storage.Message
	for _, topic := range []string{"x/#", "kept", "a/+/b", "$SYS/kept"} {
		msgs = append(msgs, storage.Message{TopicName: topic})
	}
	got := withoutWildcardTopics(msgs)
	if len(got) != 2 || got[0].TopicName != "kept" || got[1].TopicName != "$SYS/kept" {
		t.Fatalf("restored %v", got)
	}
}
