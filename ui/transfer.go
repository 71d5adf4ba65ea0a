package ui

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// progressEvery is how often a transfer's dialog shows how far it got.
const progressEvery = 100 * time.Millisecond

// transfer is an import or an export under way: a dialog with a progress
// bar and Cancel, fed by a byte count its reader or writer keeps.
type transfer struct {
	w      *Window
	what   string // "Importing sensors.json"
	total  int64  // bytes expected, 0 when unknown
	done   atomic.Int64
	cancel context.CancelFunc
	bar    *widget.ProgressBar
	spin   *widget.ProgressBarInfinite
	label  *widget.Label
	dlg    dialog.Dialog
}

// runTransfer shows a progress dialog titled what and runs work in the
// background with a context that Cancel ends. work wraps its reader or
// writer with t.reading or t.writing; total is the size expected (0:
// unknown). finish runs on the Fyne goroutine once work returns and the
// progress dialog is closed, with nil when the user cancelled: a dialog it
// opens stays open (Fyne closes the overlays above one it closes).
func (w *Window) runTransfer(what string, total int64, work func(ctx context.Context, t *transfer) error, finish func(error)) {
	ctx, cancel := context.WithCancel(context.Background())
	t := &transfer{w: w, what: what, total: total, cancel: cancel, label: widget.NewLabel(what + "…")}
	t.dlg = dialog.NewCustom(what, "Cancel", t.content(), w.Window)
	t.dlg.SetOnClosed(cancel)
	w.dialogs.show(t.dlg)
	stop := make(chan struct{})
	go t.tick(stop)
	inBackground(func() (struct{}, error) {
		defer close(stop)
		return struct{}{}, work(ctx, t)
	}, func(_ struct{}, err error) {
		if ctx.Err() != nil {
			err = nil // cancelled by the user, who knows
		}
		t.dlg.Hide()
		finish(err)
	})
}

func (t *transfer) content() fyne.CanvasObject {
	if t.total > 0 {
		t.bar = widget.NewProgressBar()
		return widgetVBox(t.label, t.bar)
	}
	t.spin = widget.NewProgressBarInfinite()
	return widgetVBox(t.label, t.spin)
}

// tick shows the progress until stop closes.
func (t *transfer) tick(stop <-chan struct{}) {
	tk := time.NewTicker(progressEvery)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			if t.spin != nil {
				onMain(t.spin.Stop)
			}
			return
		case <-tk.C:
			onMain(t.show)
		}
	}
}

func (t *transfer) show() {
	n := t.done.Load()
	if t.bar == nil {
		t.label.SetText(fmt.Sprintf("%s: %s", t.what, sizeText(n)))
		return
	}
	t.label.SetText(fmt.Sprintf("%s: %s of %s", t.what, sizeText(n), sizeText(t.total)))
	t.bar.SetValue(min(1, float64(n)/float64(t.total)))
}

// reading counts what r gives as the transfer's progress.
func (t *transfer) reading(r io.Reader) io.Reader { return &countingReader{r: r, n: &t.done} }

// writing counts what goes to w as the transfer's progress.
func (t *transfer) writing(w io.Writer) io.Writer { return &countingWriter{w: w, n: &t.done} }

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
