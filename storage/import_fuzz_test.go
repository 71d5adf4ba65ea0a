package storage

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// FuzzImport: a file to import is hostile. Whatever it holds, Import
// returns (within a deadline), never panics, and adds either every
// connection it names or none.
func FuzzImport(f *testing.F) {
	f.Add([]byte(`{"format":"mqttdesk-export","version":1,"profiles":[]}`))
	f.Add([]byte(`{"format":"mqttdesk-export","version":1,"profiles":[{"profile":{"options":{"name":"a","scheme":"mqtt","host":"h","port":1883,"version":"5.0"}},"subscriptions":[{"filter":"#","qos":1}],"messages":[{"topic":"t","payload":"eA=="}]}]}`))
	f.Add([]byte(`{"format":"mqttdesk-export","version":1,"profiles":[{"profile":{"options":{"name":"a","scheme":"gopher","port":-5}}}]}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	s, err := Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	f.Fuzz(func(t *testing.T, file []byte) {
		before, err := s.Profiles()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sum, err := s.Import(ctx, bytes.NewReader(file))
		after, lerr := s.Profiles()
		if lerr != nil {
			t.Fatal(lerr)
		}
		added := len(after) - len(before)
		if err != nil && added != 0 {
			t.Fatalf("a failed import (%v) added %d connections", err, added)
		}
		if err == nil && added != sum.Profiles {
			t.Fatalf("import says %d connections, added %d", sum.Profiles, added)
		}
	})
}
