package instrument

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// probeEvery is how often the event-loop probe posts to the Fyne goroutine.
const probeEvery = 50 * time.Millisecond

// eventLoopProbe measures how late the Fyne event loop runs what is posted
// to it: the delay a click or a key press would wait.
type eventLoopProbe struct {
	mu      sync.Mutex
	samples []probeSample
	stop    chan struct{}
	done    chan struct{}
}

type probeSample struct {
	at    time.Time
	delay time.Duration
}

// ProbeEventLoop starts posting a function to the Fyne goroutine, 50 ms
// apart on average, and recording how late it runs. The returned stop ends the probe
// and writes one line per sample to path: the Unix time in nanoseconds it
// was posted and its delay in nanoseconds. mqttdesk runs it when the
// MQTTDESK_PROBE environment variable names a file, for the benchmarks.
func ProbeEventLoop(path string) (stop func() error) {
	p := &eventLoopProbe{stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return func() error {
		close(p.stop)
		<-p.done
		return p.write(path)
	}
}

// run posts at random moments, probeEvery apart on average, so that the
// probes fall at every point of the window's 20 Hz refresh cycle rather
// than at one.
func (p *eventLoopProbe) run() {
	defer close(p.done)
	for {
		wait := probeEvery/2 + rand.N(probeEvery)
		select {
		case <-p.stop:
			return
		case <-time.After(wait):
			posted := time.Now()
			fyne.Do(func() {
				d := time.Since(posted)
				p.mu.Lock()
				p.samples = append(p.samples, probeSample{posted, d})
				p.mu.Unlock()
			})
		}
	}
}

func (p *eventLoopProbe) write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("event loop probe: %w", err)
	}
	w := bufio.NewWriter(f)
	p.mu.Lock()
	for _, s := range p.samples {
		fmt.Fprintf(w, "%d %d\n", s.at.UnixNano(), s.delay.Nanoseconds())
	}
	p.mu.Unlock()
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("event loop probe: %w", err)
	}
	return f.Close()
}
