package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the figures were measured.
type machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	MemoryGB int    `json:"memoryGiB"`
	OS       string `json:"os"`
	Kernel   string `json:"kernel"`
	Go       string `json:"go"`
	Commit   string `json:"commit"`
	// Peers are the versions of the programs measured beside mqttdesk.
	Peers map[string]string `json:"peers"`
}

func describeMachine() machine {
	return machine{
		CPU:      procField("/proc/cpuinfo", "model name", ":"),
		Cores:    runtime.NumCPU(),
		MemoryGB: memTotalGiB(),
		OS:       strings.Trim(procField("/etc/os-release", "PRETTY_NAME", "="), `"`),
		Kernel:   strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		Go:       runtime.Version(),
		Commit:   firstLine("git", "describe", "--always", "--dirty"),
		Peers: map[string]string{
			"mosquitto": strings.TrimPrefix(firstLine("mosquitto", "-h"), "mosquitto version "),
			"node":      firstLine("node", "--version"),
			"mqtt.js":   packageVersion("localbroker/testdata/mqttjs/node_modules/mqtt/package.json"),
		},
	}
}

func (m machine) String() string {
	return fmt.Sprintf("Machine: %s, %d cores, %d GiB; %s, Linux %s; %s; mosquitto %s; Node.js %s with MQTT.js %s; commit %s",
		m.CPU, m.Cores, m.MemoryGB, m.OS, m.Kernel, m.Go, m.Peers["mosquitto"], m.Peers["node"], m.Peers["mqtt.js"], m.Commit)
}

// procField returns the value of the first line of file that starts with
// key, after sep.
func procField(file, key, sep string) string {
	sc := bufio.NewScanner(strings.NewReader(readFile(file)))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), sep); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotalGiB() int {
	var kb int
	_, _ = fmt.Sscanf(procField("/proc/meminfo", "MemTotal", ":"), "%d", &kb)
	return (kb + 1<<19) >> 20
}

func readFile(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

// firstLine runs a command and returns the first line of its output, or
// "not found".
func firstLine(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if line == "" {
		return "not found"
	}
	return line
}

// packageVersion reads the version from an npm package.json.
func packageVersion(path string) string {
	var p struct{ Version string }
	if json.Unmarshal([]byte(readFile(path)), &p) != nil || p.Version == "" {
		return "not found"
	}
	return p.Version
}
