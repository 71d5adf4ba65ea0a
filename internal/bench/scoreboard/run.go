package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// results holds what the benchmarks reported: by benchmark name (without
// the "Benchmark" prefix and the GOMAXPROCS suffix), by unit, the value.
type results map[string]map[string]float64

// runBenchmarks runs `go test -bench` in each package in turn, so that no
// two benchmarks share the machine, echoing their output to w. It carries
// on past a package that fails and returns the failures joined.
func runBenchmarks(pkgs []string, pattern string, w io.Writer) (results, error) {
	all := results{}
	var errs []error
	for _, pkg := range pkgs {
		fmt.Fprintf(w, "\n── %s ──\n", pkg)
		start := time.Now()
		err := benchPackage(pkg, pattern, all, w)
		fmt.Fprintf(w, "── %s: %s ──\n", pkg, time.Since(start).Round(time.Second))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", pkg, err))
		}
	}
	return all, errors.Join(errs...)
}

func benchPackage(pkg, pattern string, into results, w io.Writer) error {
	cmd := exec.Command("go", "test", "-v", "-run", "^$", "-bench", pattern, "-benchtime", "1x", "-timeout", "40m", pkg)
	cmd.Env = append(os.Environ(), "MQTTDESK_REQUIRE_PEERS=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "=== RUN") {
			continue
		}
		fmt.Fprintln(w, line)
		if name, metrics, ok := parseResultLine(line); ok {
			into[name] = metrics
		}
	}
	return cmd.Wait()
}

var resultLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parseResultLine reads a line such as
//
//	BenchmarkBrokerVsMosquitto/1to1_qos0-2  1  5123 ns/op  258249 mqttdesk_msg/s
//
// into the benchmark's name and its metrics by unit.
func parseResultLine(line string) (string, map[string]float64, bool) {
	m := resultLine.FindStringSubmatch(line)
	if m == nil {
		return "", nil, false
	}
	fields := strings.Fields(m[2])
	if len(fields) < 2 || len(fields)%2 != 0 {
		return "", nil, false
	}
	metrics := map[string]float64{}
	for i := 0; i < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return "", nil, false
		}
		metrics[fields[i+1]] = v
	}
	return m[1], metrics, true
}
