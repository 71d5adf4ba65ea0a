package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mqttdesk/mqttdesk/model"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrNotAnExport is returned by Import for a file that is not an mqttdesk
// export.
var ErrNotAnExport = errors.New("storage: not an mqttdesk export file")

// importLimits bound what Import holds of a file, which may be hostile.
type importLimits struct {
	value    int64 // bytes read for one JSON value: a message, a connection, its subscriptions
	held     int64 // bytes of connections and subscriptions held until the commit
	profiles int   // connections in one file
}

// limits allow a message of 256 MiB (MQTT's largest), base64-encoded.
var limits = importLimits{value: 400 << 20, held: 64 << 20, profiles: 10_000}

// Import adds what an Export wrote, all or nothing: when any part of the
// file is wrong (not JSON, cut short, a connection or subscription that
// would not pass the editor's checks, a message that could not be
// stored) or ctx ends, it adds nothing and returns why. Imported profiles
// never replace existing ones: each gets a new ID. Secrets are restored
// when the file has them. It reads the file as a stream: memory does not
// grow with its messages, and a value larger than any export holds is
// refused.
func (s *Store) Import(ctx context.Context, r io.Reader) (model.ImportSummary, error) {
	im := newImporter(s, r)
	err := im.file(ctx)
	if err == nil {
		err = im.commit()
	}
	if err != nil {
		im.discard()
		return model.ImportSummary{}, fmt.Errorf("storage: import: %w; nothing was imported", err)
	}
	return im.sum, nil
}

// importer reads one export file. Messages are written as they come, into
// the histories of the new profiles, which nothing shows until commit
// saves the profiles, in one transaction; discard deletes them.
type importer struct {
	s      *Store
	in     *boundedReader
	dec    *json.Decoder
	held   int64
	staged []*stagedProfile
	sum    model.ImportSummary
}

// stagedProfile is a connection read from the file, not yet saved.
type stagedProfile struct {
	p       model.Profile
	secrets *exportSecrets
	subs    []model.Subscription
	found   bool // the file had its "profile"
}

func newImporter(s *Store, r io.Reader) *importer {
	in := &boundedReader{r: r}
	dec := json.NewDecoder(in)
	return &importer{s: s, in: in, dec: dec}
}

// commit saves every staged profile with its secrets and subscriptions in
// one transaction. A profile whose name is taken is renamed (see
// importedName).
func (im *importer) commit() error {
	return im.s.update(func(tx *bolt.Tx) error {
		taken, err := im.s.takenNames(tx)
		if err != nil {
			return err
		}
		for _, sp := range im.staged {
			if sp.p.Options.Name != "" {
				sp.p.Options.Name = taken.importedName(sp.p.Options.Name)
			}
			if err := im.s.putProfile(tx, sp.p); err != nil {
				return err
			}
			for _, sub := range sp.subs {
				if err := putSubscription(tx, sp.p.ID, sub); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// discard deletes the histories written for the staged profiles. Should
// that fail too, they stay in the file without a profile, which nothing
// shows.
func (im *importer) discard() {
	_ = im.s.update(func(tx *bolt.Tx) error {
		for _, sp := range im.staged {
			err := tx.Bucket(bucketHistory).DeleteBucket([]byte(sp.p.ID))
			if err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
		}
		return nil
	})
	for _, sp := range im.staged {
		im.s.topics.forget(sp.p.ID)
		im.s.seqs.forget(sp.p.ID)
	}
}

// stage adds a new profile to the import, with a new ID.
func (im *importer) stage() (*stagedProfile, error) {
	if len(im.staged) >= limits.profiles {
		return nil, fmt.Errorf("the file holds more than %d connections", limits.profiles)
	}
	sp := &stagedProfile{p: model.Profile{ID: newID()}}
	im.staged = append(im.staged, sp)
	return sp, nil
}

// label names connection n of the file in errors.
func (sp *stagedProfile) label(n int) string {
	if sp.p.Options.Name == "" {
		return fmt.Sprintf("connection %d", n)
	}
	return fmt.Sprintf("connection %d (%q)", n, sp.p.Options.Name)
}

// finish checks a profile read whole and gives it its secrets.
func (im *importer) finish(n int, sp *stagedProfile) error {
	if !sp.found {
		return fmt.Errorf("entry %d of the file holds no connection", n)
	}
	if e := sp.secrets; e != nil {
		o := &sp.p.Options
		o.Password, o.TLS.KeyPassphrase, o.Proxy.Password = e.Password, e.KeyPassphrase, e.ProxyPassword
	}
	im.sum.Profiles++
	im.sum.Subscriptions += len(sp.subs)
	return nil
}

// newProfile sets sp's profile from p, read from the file: a new ID, a
// new creation time, and the checks of the connection editor.
func (sp *stagedProfile) newProfile(p model.Profile) error {
	sp.p.Options.Name = p.Options.Name // for the errors
	if p.Options.Name == "" {
		return errors.New("it has no name")
	}
	if err := p.Options.Validate(); err != nil {
		return err
	}
	p.ID, p.Created = sp.p.ID, time.Now()
	sp.p, sp.found = p, true
	return nil
}

// boundedReader ends with errValueTooLarge once it has read left bytes;
// the importer gives it a new allowance for each value it decodes.
type boundedReader struct {
	r    io.Reader
	left int64
}

var errValueTooLarge = errors.New("a value in the file is larger than any export holds")

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("%w (over %d MiB)", errValueTooLarge, limits.value>>20)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
