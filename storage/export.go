package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// ExportFormat names mqttdesk's export files.
const ExportFormat = "mqttdesk-export"

type exportHeader struct {
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Exported time.Time `json:"exported"`
}

type exportProfile struct {
	Profile       model.Profile        `json:"profile"`
	Secrets       *exportSecrets       `json:"secrets,omitempty"`
	Subscriptions []model.Subscription `json:"subscriptions,omitempty"`
	Messages      []exportMessage      `json:"messages,omitempty"`
}

type exportSecrets struct {
	Password      string `json:"password,omitempty"`
	KeyPassphrase string `json:"keyPassphrase,omitempty"`
	ProxyPassword string `json:"proxyPassword,omitempty"`
}

type exportMessage struct {
	Time       time.Time        `json:"time"`
	Direction  model.Direction  `json:"direction"`
	Topic      string           `json:"topic"`
	QoS        byte             `json:"qos"`
	Retain     bool             `json:"retain,omitempty"`
	Properties *mqtt.Properties `json:"properties,omitempty"`
	Payload    []byte           `json:"payload"` // base64 in JSON: exact bytes, binary included
}

// Export writes every profile with its subscriptions (and, as o says, its
// messages and secrets) as JSON to w. Messages are written page by page,
// so a large history does not sit in memory.
func (s *Store) Export(ctx context.Context, w io.Writer, o model.ExportOptions) error {
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

func (s *Store) exportProfile(ctx context.Context, w io.Writer, enc *json.Encoder, p model.Profile, o model.ExportOptions) error {
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
