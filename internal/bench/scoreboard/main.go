// Command scoreboard runs mqttdesk's benchmarks one package at a time and
// prints one table: for each row what was measured, mqttdesk's figure, the
// figure of the peer measured in the same run, their ratio and the aim. It
// writes the same table, with a description of the machine, as JSON.
//
// `make bench` runs it. With BENCH_QUICK=1 every benchmark runs briefly,
// for a smoke check of the harness (`make test` does this); its figures
// are not measurements.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	out := flag.String("out", "bench/results.json", "`file` to write the table to as JSON")
	pkgs := flag.String("pkgs", "./ui ./storage ./app ./mqttcore", "packages to benchmark, in this order")
	pattern := flag.String("bench", ".", "`regexp` of the benchmarks to run (go test -bench)")
	flag.Parse()
	quick := os.Getenv("BENCH_QUICK") != ""

	results, runErr := runBenchmarks(strings.Fields(*pkgs), *pattern, os.Stdout)
	board := newBoard(allRows(), results, describeMachine(), quick)
	fmt.Println()
	board.print(os.Stdout)
	if err := board.writeJSON(*out); err != nil {
		fmt.Fprintf(os.Stderr, "scoreboard: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("\nThe table is also in %s.\n", *out)
	if runErr != nil {
		fmt.Fprintf(os.Stderr, "scoreboard: %v\n", runErr)
		os.Exit(1)
	}
	if missing := board.missing(); *pattern == "." && len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "scoreboard: no figures for rows %s: a benchmark did not report them\n", strings.Join(missing, ", "))
		os.Exit(1)
	}
}
