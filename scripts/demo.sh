#!/usr/bin/env bash
# Sourced by smoke.sh and screenshots.sh: prepare_demo BIN DATADIR PORT
# fills DATADIR with a connection to a broker on 127.0.0.1:PORT that
# connects at start and subscribes to #, the way a user would set it up.
prepare_demo() {
	local bin=$1 dir=$2 port=$3 file
	file=$(mktemp --suffix .json)
	cat >"$file" <<JSON
{"format":"mqttdesk-export","version":1,"exported":"2026-01-01T00:00:00Z","profiles":[
{"profile":{"id":"demo","options":{"name":"Lab broker","scheme":"mqtt","host":"127.0.0.1","port":$port,
 "version":"5.0","keepAlive":60,"connectTimeout":10,"clean":true,
 "reconnect":{"enabled":true,"initialDelay":1000000000,"maxDelay":5000000000,"maxAttempts":0},"tls":{},"proxy":{}},
 "order":0,"created":"2026-01-01T00:00:00Z","autoConnect":true},
 "subscriptions":[{"id":"all","filter":"#","qos":1,"color":"#34c388","enabled":true,"order":0},
  {"id":"sensors","filter":"lab/sensor/+","qos":0,"color":"#3b82f6","alias":"Sensors","enabled":true,"order":1}],
 "messages":[]}]}
JSON
	"$bin" --data-dir "$dir" import "$file" >/dev/null
	rm -f "$file"
}

# free_port prints a TCP port nobody listens on, below the ephemeral range.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 10000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
