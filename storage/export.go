package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mqttdesk/mqttdesk/mqttcore"
)

// ExportFormat names mqttdesk's export files.
const ExportFormat = "mqttdesk-export"

// ExportOptions choose what goes into an export besides profiles and
// subscriptions.
type ExportOptions struct {
	Messages bool // the message history too
	Secrets  bool // passwords and passphrases, in plain text: only when asked
	// ProfileID, when set, exports that profile alone.
	ProfileID string
}

type exportHeader struct {
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Exported time.Time `json:"exported"`
}

type exportProfile struct {
	Profile       Profile         `json:"profile"`
	Secrets       *exportSecrets  `json:"secrets,omitempty"`
	Subscriptions []Subscription  `json:"subscriptions,omitempty"`
	Messages      []exportMessage `json:"messages,omitempty"`
}

type exportSecrets struct {
	Password      string `json:"password,omitempty"`
	KeyPassphrase string `json:"keyPassphrase,omitempty"`
	ProxyPassword string `json:"proxyPassword,omitempty"`
}

type exportMessage struct {
	Time       time.Time            `json:"time"`
	Direction  Direction            `json:"direction"`
	Topic      string               `json:"topic"`
	QoS        byte                 `json:"qos"`
	Retain     bool                 `json:"retain,omitempty"`
	Properties *mqttcore.Properties `json:"properties,omitempty"`
	Payload    []byte               `json:"payload"` // base64 in JSON: exact bytes, binary included
}

// Export writes every profile with its subscriptions (and, as o says, its
// messages and secrets) as JSON to w. Messages are written page by page,
// so a large history does not sit in memory.
func (s *Store) Export(ctx context.Context, w io.Writer, o ExportOptions) error {
	profiles, err := s.Profiles()
	if err != nil {
		return err
	}
	if err := s.Flush(ctx); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	head, _ := json.Marshal(exportHeader{Format: ExportFormat, Version: 1, Exported: time.Now()})
	if _, err := fmt.Fprintf(w, "%s,\"profiles\":[\n", head[:len(head)-1]); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	first := true
	for _, p := range profiles {
		if o.ProfileID != "" && p.ID != o.ProfileID {
			continue
		}
		if !first {
			_, _ = io.WriteString(w, ",")
		}
		first = false
		if err := s.exportProfile(ctx, w, enc, p, o); err != nil {
			return fmt.Errorf("storage: export %q: %w", p.Options.Name, err)
		}
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}

func (s *Store) exportProfile(ctx context.Context, w io.Writer, enc *json.Encoder, p Profile, o ExportOptions) error {
	ep := exportProfile{Profile: p}
	if o.Secrets {
		ep.Secrets = &exportSecrets{Password: p.Options.Password, KeyPassphrase: p.Options.TLS.KeyPassphrase, ProxyPassword: p.Options.Proxy.Password}
	}
	subs, err := s.Subscriptions(p.ID)
	if err != nil {
		return err
	}
	ep.Subscriptions = subs
	head, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%s,\"messages\":[", head[:len(head)-1]); err != nil {
		return err
	}
	if o.Messages {
		if err := s.exportMessages(ctx, w, enc, p.ID); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}

func (s *Store) exportMessages(ctx context.Context, w io.Writer, enc *json.Encoder, profileID string) error {
	first := true
	for after := uint64(0); ctx.Err() == nil; {
		page, err := s.PageAfter(profileID, after, 1000)
		if err != nil || len(page) == 0 {
			return err
		}
		for _, m := range page {
			if !first {
				_, _ = io.WriteString(w, ",")
			}
			first = false
			em := exportMessage{Time: m.Time, Direction: m.Direction, Topic: m.Topic, QoS: m.QoS, Retain: m.Retain, Properties: m.Properties, Payload: m.Payload}
			if err := enc.Encode(em); err != nil {
				return err
			}
		}
		after = page[len(page)-1].Seq
	}
	return ctx.Err()
}

// ImportSummary says what an import added.
type ImportSummary struct {
	Profiles, Subscriptions int
	Messages                int64
}

// ErrNotAnExport is returned by Import for a file that is not an mqttdesk
// export.
var ErrNotAnExport = errors.New("storage: not an mqttdesk export file")

// Import adds what an Export wrote. Imported profiles never replace
// existing ones: each gets a new ID. Secrets are restored when the file
// has them. Messages are appended to the new profiles' histories.
func (s *Store) Import(ctx context.Context, r io.Reader) (ImportSummary, error) {
	var sum ImportSummary
	var file struct {
		exportHeader
		Profiles []json.RawMessage `json:"profiles"`
	}
	if err := json.NewDecoder(r).Decode(&file); err != nil || file.Format != ExportFormat {
		return sum, fmt.Errorf("%w (%v)", ErrNotAnExport, err)
	}
	for _, raw := range file.Profiles {
		var ep exportProfile
		if err := json.Unmarshal(raw, &ep); err != nil {
			return sum, fmt.Errorf("storage: import: %w", err)
		}
		if err := s.importProfile(ctx, ep, &sum); err != nil {
			return sum, err
		}
	}
	return sum, s.Flush(ctx)
}

func (s *Store) importProfile(ctx context.Context, ep exportProfile, sum *ImportSummary) error {
	p := ep.Profile
	p.ID = ""
	if ep.Secrets != nil {
		p.Options.Password, p.Options.TLS.KeyPassphrase, p.Options.Proxy.Password = ep.Secrets.Password, ep.Secrets.KeyPassphrase, ep.Secrets.ProxyPassword
	}
	p, err := s.SaveProfile(p)
	if err != nil {
		return err
	}
	sum.Profiles++
	for _, sub := range ep.Subscriptions {
		sub.ID = ""
		if _, err := s.SaveSubscription(p.ID, sub); err != nil {
			return err
		}
		sum.Subscriptions++
	}
	for _, m := range ep.Messages {
		msg := Message{Time: m.Time, Direction: m.Direction, Topic: m.Topic, QoS: m.QoS, Retain: m.Retain, Properties: m.Properties, Payload: m.Payload}
		if _, err := s.Append(ctx, p.ID, msg); err != nil {
			return err
		}
		sum.Messages++
	}
	return nil
}
