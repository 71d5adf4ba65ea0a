#!/usr/bin/env bash
# screenshots.sh — refresh docs/ images from the real app under Xvfb:
# the window with the local broker switched on.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/xvfb.sh

go build -o bin/mqttdesk .
config=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; stop_xvfb; rm -rf "$config"' EXIT
start_xvfb
XDG_CONFIG_HOME=$config ./bin/mqttdesk >/dev/null 2>&1 &
pid=$!
win=$(wait_window mqttdesk "$pid")
sleep 1
# The switch sits at the top left of the broker card.
xdotool mousemove --window "$win" 32 100 click 1
sleep 1
# Some traffic, so that the counters show what they are for.
mosquitto_pub -p 1883 -r -t lab/status -m online
mosquitto_sub -p 1883 -t 'lab/#' >/dev/null &
sub=$!
for i in $(seq 60); do
	mosquitto_pub -p 1883 -t "lab/sensor/$((i % 3))" -m "{\"t\": $((20 + i % 5))}"
	sleep 0.03
done
sleep 0.6
mkdir -p docs
import -window "$win" docs/screenshot.png
kill "$sub"
echo "wrote docs/screenshot.png"
