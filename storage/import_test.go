package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"
)

// exportOfThree writes, with Export, a file of three connections, each
// with a subscription and 300 messages.
func exportOfThree(t *testing.T) []byte {
	t.Helper()
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	for _, name := range []string{"Plant", "Office", "Lab"} {
		p, err := s.SaveProfile(model.Profile{Options: fixtureOptions(name)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveSubscription(p.ID, model.Subscription{Filter: name + "/#", QoS: 1}); err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			if _, err := s.Append(ctx, p.ID, Message{Time: time.Now(), Topic: name + "/t", Payload: fmt.Appendf(nil, "%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := s.Export(ctx, &buf, model.ExportOptions{Messages: true, Secrets: true}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// editThird decodes an export, lets edit change its third connection and
// encodes it again.
func editThird(t *testing.T, file []byte, edit func(p map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(file, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc["profiles"].([]any)[2].(map[string]any))
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func optionsOf(p map[string]any) map[string]any {
	return p["profile"].(map[string]any)["options"].(map[string]any)
}

func firstMessage(p map[string]any) map[string]any {
	return p["messages"].([]any)[0].(map[string]any)
}

// TestImportIsAllOrNothing imports export files whose third connection
// is wrong in one way each: the import fails, says what is wrong, and
// adds nothing, not even the messages of the first two.
func TestImportIsAllOrNothing(t *testing.T) {
	file := exportOfThree(t)
	for _, tc := range []struct {
		name string
		edit func(p map[string]any)
		want string
	}{
		{"scheme gopher", func(p map[string]any) { optionsOf(p)["scheme"] = "gopher" }, `scheme "gopher"`},
		{"port -5", func(p map[string]any) { optionsOf(p)["port"] = -5 }, "port -5"},
		{"no name", func(p map[string]any) { optionsOf(p)["name"] = "" }, "name"},
		{"version 4", func(p map[string]any) { optionsOf(p)["version"] = "4" }, "MQTT version"},
		{"keep-alive of a day", func(p map[string]any) { optionsOf(p)["keepAlive"] = 86400 }, "keep-alive"},
		{"no connection", func(p map[string]any) { delete(p, "profile") }, "no connection"},
		{"filter a/#/b", func(p map[string]any) {
			p["subscriptions"].([]any)[0].(map[string]any)["filter"] = "a/#/b"
		}, "a/#/b"},
		{"subscription QoS 3", func(p map[string]any) { p["subscriptions"].([]any)[0].(map[string]any)["qos"] = 3 }, "QoS 3"},
		{"message topic with a wildcard", func(p map[string]any) { firstMessage(p)["topic"] = "a/+" }, "wildcard"},
		{"message QoS 3", func(p map[string]any) { firstMessage(p)["qos"] = 3 }, "QoS 3"},
		{"message direction 7", func(p map[string]any) { firstMessage(p)["direction"] = 7 }, "direction 7"},
		{"message payload not base64", func(p map[string]any) { firstMessage(p)["payload"] = "%%%" }, "base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNothingImported(t, bytes.NewReader(editThird(t, file, tc.edit)), tc.want)
		})
	}
}

// checkNothingImported imports file into a fresh store: the import must
// fail with an error containing want and leave the store empty.
func checkNothingImported(t *testing.T, file io.Reader, want string) {
	t.Helper()
	s := openTest(t, t.TempDir())
	sum, err := s.Import(context.Background(), file)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("import: %v; want an error about %q", err, want)
	}
	if sum != (model.ImportSummary{}) {
		t.Fatalf("summary %+v of a failed import", sum)
	}
	if list, _ := s.Profiles(); len(list) != 0 {
		t.Fatalf("%d connections added", len(list))
	}
	if ids := s.historyProfiles(); len(ids) != 0 {
		t.Fatalf("histories left behind for %v", ids)
	}
}

// endless is a reader that never ends: what an import reads from it must
// stay bounded.
type endless struct {
	head []byte
	fill byte
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.fill
	}
	return len(p), nil
}

// TestImportOfHostileFiles: a file cut short, an endless string, endless
// nesting, too many connections: each fails, within bounded memory (the
// limits are lowered for the test), and adds nothing.
func TestImportOfHostileFiles(t *testing.T) {
	defer func(l importLimits) { limits = l }(limits)
	limits = importLimits{value: 1 << 20, held: 4 << 20, profiles: 5}
	file := exportOfThree(t)
	many := editThird(t, file, func(map[string]any) {})
	var doc map[string]any
	_ = json.Unmarshal(many, &doc)
	list := doc["profiles"].([]any)
	doc["profiles"] = append(append(list, list...), list...)
	many, _ = json.Marshal(doc)
	afterComma := bytes.LastIndex(file[:len(file)/2], []byte("}\n,{")) + 3

	for _, tc := range []struct {
		name string
		r    io.Reader
		want string
	}{
		{"cut in the second connection's messages", bytes.NewReader(file[:len(file)*1/2]), "unexpected EOF"},
		{"cut after a comma between messages", bytes.NewReader(file[:afterComma]), "unexpected EOF"},
		{"an endless payload", &endless{head: []byte(`{"format":"mqttdesk-export","version":1,"profiles":[{"messages":[{"payload":"`), fill: 'A'}, "larger than"},
		{"an endless topic", &endless{head: []byte(`{"format":"mqttdesk-export","version":1,"profiles":[{"profile":{"options":{"name":"`), fill: 'x'}, "larger than"},
		{"endless nesting", &endless{head: []byte(`{"format":"mqttdesk-export","other":`), fill: '['}, "exceeded max depth"},
		{"nesting 20,000 deep", strings.NewReader(`{"format":"mqttdesk-export","other":` + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + `}`), "exceeded max depth"},
		{"nine connections, five allowed", bytes.NewReader(many), "more than 5"},
		{"another format", strings.NewReader(`{"format":"something-else","profiles":[]}`), "not an mqttdesk export"},
		{"no format", strings.NewReader(`{"profiles":[{"profile":{}}]}`), "not an mqttdesk export"},
		{"a newer version", strings.NewReader(`{"format":"mqttdesk-export","version":2,"profiles":[]}`), "version 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNothingImported(t, tc.r, tc.want)
		})
	}
}

// TestImportCancelled: an import whose context ends adds nothing.
func TestImportCancelled(t *testing.T) {
	file := exportOfThree(t)
	s := openTest(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Import(ctx, bytes.NewReader(file)); !errors.Is(err, context.Canceled) {
		t.Fatalf("import: %v", err)
	}
	if list, _ := s.Profiles(); len(list) != 0 || len(s.historyProfiles()) != 0 {
		t.Fatalf("a cancelled import added %d connections", len(list))
	}
}

// TestImportAddsBesideExisting: a valid file adds its connections, their
// subscriptions, secrets and messages in order, next to what was there,
// and the new histories take appends after the imported messages.
func TestImportAddsBesideExisting(t *testing.T) {
	file := exportOfThree(t)
	s := openTest(t, t.TempDir())
	if _, err := s.SaveProfile(model.Profile{Options: mqtt.NewOptions("mine", mqtt.SchemeMQTT, "h")}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sum, err := s.Import(ctx, bytes.NewReader(file))
	if err != nil || sum != (model.ImportSummary{Profiles: 3, Subscriptions: 3, Messages: 900}) {
		t.Fatalf("import: %+v, %v", sum, err)
	}
	list, _ := s.Profiles()
	if len(list) != 4 {
		t.Fatalf("%d connections", len(list))
	}
	for _, p := range list {
		if p.Options.Name == "mine" {
			continue
		}
		subs, _ := s.Subscriptions(p.ID)
		page, _ := s.PageAfter(p.ID, 0, 1000)
		if len(subs) != 1 || len(page) != 300 || string(page[299].Payload) != "299" || p.Options.Password != "secret of "+p.Options.Name {
			t.Fatalf("%s: %d subscriptions, %d messages, password %q", p.Options.Name, len(subs), len(page), p.Options.Password)
		}
		seq, err := s.Append(ctx, p.ID, Message{Topic: "after", Payload: []byte("x")})
		if err != nil || seq != 301 {
			t.Fatalf("append after the import: seq %d, %v", seq, err)
		}
	}
}

// TestImportedCopiesGetTheirOwnNames imports one file three times: each
// copy of a connection gets a name no other connection has, so the user
// can tell them apart in the sidebar.
func TestImportedCopiesGetTheirOwnNames(t *testing.T) {
	file := exportOfThree(t)
	s := openTest(t, t.TempDir())
	for range 3 {
		if _, err := s.Import(context.Background(), bytes.NewReader(file)); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := s.Profiles()
	names := map[string]bool{}
	for _, p := range list {
		names[p.Options.Name] = true
	}
	for _, want := range []string{"Plant", "Plant (imported)", "Plant (imported 2)", "Lab (imported 2)"} {
		if !names[want] {
			t.Errorf("no connection named %q among %v", want, names)
		}
	}
	if len(names) != 9 {
		t.Errorf("%d names for 9 connections: %v", len(names), names)
	}
}
