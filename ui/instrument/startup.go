package instrument

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/mqttdesk/mqttdesk/ui"
)

// startupProbe records when the window paints its first frame, and the
// first frame painted after the shown connection's messages were put in
// the list, for the start-up benchmark. It hangs a one-pixel raster over
// the window: Fyne's painter calls a raster's generator while it paints a
// frame that shows it, so each call is a frame being painted.
type startupProbe struct {
	path   string
	raster *canvas.Raster

	mu         sync.Mutex // the generator runs on the painting goroutine, writes on another
	first      time.Time
	messages   time.Time
	listFilled bool // set on the Fyne goroutine
}

// ProbeStartUp makes w write to path, once it has painted, the Unix time in
// nanoseconds of its first frame ("first-frame N"), and later of the first
// frame showing the open connection's messages ("messages-frame N").
// mqttdesk calls it when the MQTTDESK_STARTUP_PROBE environment variable
// names a file, for the benchmarks. Call it before the window is shown.
func ProbeStartUp(w *ui.Window, path string) {
	p := &startupProbe{path: path}
	p.raster = canvas.NewRaster(p.frame)
	p.raster.Resize(fyne.NewSize(1, 1))
	w.OnMessagesShown(p.messagesShown)
	w.SetContent(container.NewStack(w.Content(), container.NewWithoutLayout(p.raster)))
}

// frame is the raster's generator: a frame is being painted.
func (p *startupProbe) frame(int, int) image.Image {
	now := time.Now()
	p.mu.Lock()
	changed := false
	if p.first.IsZero() {
		p.first, changed = now, true
	}
	if p.listFilled && p.messages.IsZero() {
		p.messages, changed = now, true
	}
	p.mu.Unlock()
	if changed {
		go p.write()
	}
	return image.NewUniform(color.Transparent)
}

// messagesShown is called on the Fyne goroutine when the message list
// first has rows; the next frame painted shows them.
func (p *startupProbe) messagesShown() {
	if p == nil || p.listFilled {
		return
	}
	p.mu.Lock()
	p.listFilled = true
	p.mu.Unlock()
	p.raster.Refresh()
}

func (p *startupProbe) write() {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := fmt.Sprintf("first-frame %d\n", p.first.UnixNano())
	if !p.messages.IsZero() {
		text += fmt.Sprintf("messages-frame %d\n", p.messages.UnixNano())
	}
	if err := os.WriteFile(p.path, []byte(text), 0o600); err != nil {
		fmt.Fprintf(os.Stderr, "mqttdesk: start-up probe: %v\n", err)
	}
}
