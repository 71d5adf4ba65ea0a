package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mqttdesk/mqttdesk/model"
	"github.com/mqttdesk/mqttdesk/mqtt"

	bolt "go.etcd.io/bbolt"
)

// file reads the export's top-level object: its format first, then its
// profiles.
func (im *importer) file(ctx context.Context) error {
	if err := im.delim('{'); err != nil {
		return fmt.Errorf("%w (%v)", ErrNotAnExport, err)
	}
	format := false
	for im.dec.More() {
		key, err := im.key()
		if err != nil {
			return err
		}
		switch key {
		case "format":
			var f string
			if err := im.decode(&f); err != nil || f != ExportFormat {
				return fmt.Errorf("%w (format %q)", ErrNotAnExport, f)
			}
			format = true
		case "version":
			if err := im.version(); err != nil {
				return err
			}
		case "profiles":
			if !format {
				return ErrNotAnExport
			}
			if err := im.profiles(ctx); err != nil {
				return err
			}
		default:
			if err := im.skip(); err != nil {
				return err
			}
		}
	}
	if !format {
		return ErrNotAnExport
	}
	return im.delim('}')
}

func (im *importer) version() error {
	var v int
	if err := im.decode(&v); err != nil {
		return err
	}
	if v > 1 {
		return fmt.Errorf("the file is of export version %d, from a newer mqttdesk", v)
	}
	return nil
}

func (im *importer) profiles(ctx context.Context) error {
	if err := im.delim('['); err != nil {
		return err
	}
	for n := 1; im.dec.More(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := im.profile(ctx, n); err != nil {
			return err
		}
	}
	return im.delim(']')
}

// profile reads connection n of the file, in whatever order its parts
// come.
func (im *importer) profile(ctx context.Context, n int) error {
	sp, err := im.stage()
	if err != nil {
		return err
	}
	if err := im.delim('{'); err != nil {
		return err
	}
	for im.dec.More() {
		key, err := im.key()
		if err != nil {
			return err
		}
		if err := im.part(ctx, sp, key); err != nil {
			return fmt.Errorf("%s: %w", sp.label(n), err)
		}
	}
	if err := im.delim('}'); err != nil {
		return err
	}
	return im.finish(n, sp)
}

// part reads the part named key of a connection.
func (im *importer) part(ctx context.Context, sp *stagedProfile, key string) error {
	switch key {
	case "profile":
		var p model.Profile
		if err := im.decodeHeld(&p); err != nil {
			return err
		}
		return sp.newProfile(p)
	case "secrets":
		sp.secrets = new(exportSecrets)
		return im.decodeHeld(sp.secrets)
	case "subscriptions":
		if err := im.decodeHeld(&sp.subs); err != nil {
			return err
		}
		return checkSubscriptions(sp.subs)
	case "messages":
		return im.messages(ctx, sp)
	}
	return im.skip()
}

// checkSubscriptions checks a connection's subscriptions as the editor
// would, and gives each a new ID.
func checkSubscriptions(subs []model.Subscription) error {
	for i := range subs {
		sub := &subs[i]
		err := mqtt.ValidateFilter(sub.Filter)
		switch {
		case err != nil:
		case sub.QoS > 2:
			err = fmt.Errorf("QoS %d is not 0, 1 or 2", sub.QoS)
		case sub.RetainHandling > 2:
			err = fmt.Errorf("retain handling %d is not 0, 1 or 2", sub.RetainHandling)
		case sub.Identifier < 0 || sub.Identifier > 268_435_455:
			err = fmt.Errorf("subscription identifier %d is out of range", sub.Identifier)
		}
		if err != nil {
			return fmt.Errorf("subscription %q: %w", sub.Filter, err)
		}
		sub.ID = newID()
	}
	return nil
}

// messages reads a connection's messages and writes them to its new
// history, a group per transaction.
func (im *importer) messages(ctx context.Context, sp *stagedProfile) error {
	if err := im.delim('['); err != nil {
		return err
	}
	var group []appendReq
	size, seq := 0, uint64(0)
	for im.dec.More() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var m exportMessage
		seq++
		err := im.decode(&m)
		if err == nil {
			err = checkMessage(m)
		}
		if err != nil {
			return fmt.Errorf("message %d: %w", seq, err)
		}
		msg := Message{Seq: seq, Time: m.Time, Direction: m.Direction, Topic: m.Topic, QoS: m.QoS, Retain: m.Retain, Properties: m.Properties, Payload: m.Payload}
		group = append(group, appendReq{profile: sp.p.ID, msg: msg})
		if size += len(m.Payload); len(group) == groupSize || size > 16<<20 {
			if err := im.write(group); err != nil {
				return err
			}
			group, size = group[:0], 0
		}
	}
	im.sum.Messages += int64(seq)
	if err := im.write(group); err != nil {
		return err
	}
	return im.delim(']')
}

func checkMessage(m exportMessage) error {
	switch {
	case len(m.Topic) > bolt.MaxKeySize:
		return fmt.Errorf("its topic of %d bytes is longer than mqttdesk can store", len(m.Topic))
	case m.QoS > 2:
		return fmt.Errorf("QoS %d is not 0, 1 or 2", m.QoS)
	case m.Direction != model.Received && m.Direction != model.Published:
		return fmt.Errorf("direction %d is not received (0) or published (1)", m.Direction)
	}
	return mqtt.ValidateTopicName(m.Topic)
}

// write commits a group of imported messages.
func (im *importer) write(group []appendReq) error {
	if len(group) == 0 {
		return nil
	}
	err := im.s.update(func(tx *bolt.Tx) error {
		_, err := im.s.appendGroup(tx, group)
		return err
	})
	if err != nil {
		im.s.topics.forget(group[0].profile)
	}
	return err
}

// decode decodes the next value into v, reading at most limits.value
// bytes for it. A value is always expected where decode is called, so a
// file that ends there ends too early.
func (im *importer) decode(v any) error {
	im.in.left = limits.value
	return endedEarly(im.dec.Decode(v)) // after a comma, say
}

// decodeHeld decodes a value kept until the commit, within limits.held
// for all of them.
func (im *importer) decodeHeld(v any) error {
	before := im.dec.InputOffset()
	if err := im.decode(v); err != nil {
		return err
	}
	if im.held += im.dec.InputOffset() - before; im.held > limits.held {
		return fmt.Errorf("the file's connections and subscriptions take more than %d MiB", limits.held>>20)
	}
	return nil
}

func (im *importer) skip() error {
	var raw json.RawMessage
	return im.decode(&raw)
}

// key reads the next object key.
func (im *importer) key() (string, error) {
	tok, err := im.token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%v where a key belongs", tok)
	}
	return key, nil
}

// delim reads the delimiter want.
func (im *importer) delim(want json.Delim) error {
	tok, err := im.token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("%v where %v belongs", tok, want)
	}
	return nil
}

func (im *importer) token() (json.Token, error) {
	im.in.left = limits.value
	tok, err := im.dec.Token()
	return tok, endedEarly(err) // before its last bracket, say
}

// endedEarly is err, or io.ErrUnexpectedEOF for the end of the file: the
// importer reads only where more must come.
func endedEarly(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
