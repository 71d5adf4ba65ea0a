package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/mqttdesk/mqttdesk/model"
)

// importer is what File → Import… and dropped files need from the core:
// Import blocks until the file is read, and adds all of it or nothing.
type importer interface {
	Import(ctx context.Context, r io.Reader) (model.ImportSummary, error)
}

// importFile asks for an export file and imports it.
func (w *Window) importFile() {
	open := dialog.NewFileOpen(func(in fyne.URIReadCloser, err error) {
		if err != nil || in == nil {
			return
		}
		uri := in.URI()
		_ = in.Close()
		w.importURIs([]fyne.URI{uri})
	}, w.Window)
	open.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	w.showFile(open)
}

// dropped imports the files dropped on the window, one after another.
func (w *Window) dropped(_ fyne.Position, uris []fyne.URI) {
	w.importURIs(uris)
}

// importURIs imports each file in turn, with a progress dialog, and says
// what was added. A file that fails adds nothing and stops the rest.
func (w *Window) importURIs(uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	uri := uris[0]
	var sum model.ImportSummary // set by the work, read once it is done
	imported := false
	w.runTransfer("Importing "+uri.Name(), localFileSize(uri), func(ctx context.Context, t *transfer) error {
		in, err := storage.Reader(uri)
		if err != nil {
			return fmt.Errorf("cannot open %s: %w", uri.Name(), err)
		}
		defer in.Close()
		if sum, err = w.core.Import(ctx, t.reading(in)); err != nil {
			return fmt.Errorf("%s: %w", uri.Name(), err)
		}
		imported = true
		return nil
	}, func(err error) {
		w.afterCommand(err)
		if imported {
			w.importDone(uri, sum, uris[1:])
		}
	})
}

// importDone says what the import of uri added, then goes on with rest.
func (w *Window) importDone(uri fyne.URI, sum model.ImportSummary, rest []fyne.URI) {
	d := dialog.NewInformation("Import finished", importSentence(uri.Name(), sum), w.Window)
	if len(rest) > 0 {
		d.SetOnClosed(func() { w.importURIs(rest) })
	}
	w.dialogs.show(d)
}

// importSentence says what an import added, in one sentence.
func importSentence(name string, sum model.ImportSummary) string {
	parts := []string{
		plural(int64(sum.Profiles), "connection"),
		plural(int64(sum.Subscriptions), "subscription"),
		plural(sum.Messages, "message"),
	}
	return fmt.Sprintf("Added %s and %s from %s.", strings.Join(parts[:2], ", "), parts[2], name)
}

// localFileSize is the size of the local file uri names, 0 when unknown.
func localFileSize(uri fyne.URI) int64 {
	if uri.Scheme() != "file" {
		return 0
	}
	info, err := os.Stat(uri.Path())
	if err != nil {
		return 0
	}
	return info.Size()
}
