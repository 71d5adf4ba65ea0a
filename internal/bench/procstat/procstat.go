// Package procstat reads a process's memory from Linux's /proc, for the
// benchmarks of any mqttdesk package; it imports none of them.
package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Self stands for the calling process in Memory.
const Self = 0

// Memory returns field of /proc/PID/status, such as "VmRSS" (all resident
// memory) or "RssAnon" (resident memory not backed by a file: the heap,
// stacks and runtime), in bytes.
func Memory(pid int, field string) (int64, error) {
	path := "/proc/self/status"
	if pid != Self {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("procstat: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				break
			}
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("procstat: %s of %s: %w", field, path, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("procstat: no %s in %s", field, path)
}
