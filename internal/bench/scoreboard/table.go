package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table lays out text in columns, each aligned left or right.
type table struct {
	header []string
	right  []bool
	lines  [][]string
}

func (t *table) add(cells ...string) { t.lines = append(t.lines, cells) }

func (t *table) write(w io.Writer) {
	widths := make([]int, len(t.header))
	for _, line := range append([][]string{t.header}, t.lines...) {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, line := range append([][]string{t.header}, t.lines...) {
		cells := make([]string, len(line))
		for i, c := range line {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if t.right[i] {
				cells[i] = pad + c
			} else {
				cells[i] = c + pad
			}
		}
		fmt.Fprintln(w, strings.TrimRight(strings.Join(cells, "  "), " "))
	}
}
