package app

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mqttdesk/mqttdesk/internal/bench/mqttload"
	"github.com/mqttdesk/mqttdesk/internal/bench/procstat"
)

// connectingAtOnce is how many clients BenchmarkBrokerThousandClients
// connects at the same time, as a load tool paces new connections.
const connectingAtOnce = 50

// thousandClients is how many clients it connects: 1,000, or 200 with
// BENCH_QUICK, which checks the harness where the open-file limit may be
// low.
func thousandClients() int {
	if os.Getenv("BENCH_QUICK") != "" {
		return 200
	}
	return 1000
}

// BenchmarkBrokerThousandClients connects 1,000 clients to `mqttdesk
// broker` and to mosquitto, each broker in a fresh process of its own,
// and reports the time until every client has its CONNACK and the
// resident memory the clients add to the broker. Three rounds each,
// medians.
func BenchmarkBrokerThousandClients(b *testing.B) {
	figures := map[string][]float64{}
	for range b.N {
		for range 3 {
			for _, start := range []func(*testing.B) benchBroker{startOurBroker, startMosquitto} {
				br := start(b)
				took, added := connectMany(b, br)
				br.stop()
				figures[br.name+"_connect_ms"] = append(figures[br.name+"_connect_ms"], float64(took.Microseconds())/1000)
				figures[br.name+"_rss_MB"] = append(figures[br.name+"_rss_MB"], float64(added)/(1<<20))
			}
		}
	}
	for unit, v := range figures {
		b.ReportMetric(median(v), unit)
	}
	fmt.Printf("\n%d clients: connected in %.0f ms (mqttdesk) and %.0f ms (mosquitto); memory added %.1f MB and %.1f MB\n", thousandClients(),
		median(figures["mqttdesk_connect_ms"]), median(figures["mosquitto_connect_ms"]),
		median(figures["mqttdesk_rss_MB"]), median(figures["mosquitto_rss_MB"]))
}

// connectMany connects thousandClients() clients to br and returns how long
// that took and how much the broker's resident memory grew, measured a
// second after the last CONNACK. The clients disconnect before it returns.
func connectMany(b *testing.B, br benchBroker) (time.Duration, int64) {
	n := thousandClients()
	before := residentBytes(b, br.pid)
	conns := make([]*mqttload.Conn, n)
	errs := make(chan error, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	start := time.Now()
	var wg sync.WaitGroup
	for range connectingAtOnce {
		wg.Go(func() {
			for i := range next {
				c, err := mqttload.DialBuffered(br.addr, "many-"+strconv.Itoa(i), 512)
				if err != nil {
					errs <- fmt.Errorf("%s: client %d: %w", br.name, i, err)
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	defer func() {
		for _, c := range conns {
			if c != nil {
				_ = c.Close()
			}
		}
	}()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	time.Sleep(time.Second) // let the broker finish setting the clients up
	return took, residentBytes(b, br.pid) - before
}

// residentBytes reads process pid's resident memory (VmRSS).
func residentBytes(b *testing.B, pid int) int64 {
	n, err := procstat.Memory(pid, "VmRSS")
	if err != nil {
		b.Fatal(err)
	}
	return n
}
