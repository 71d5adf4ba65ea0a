#!/usr/bin/env bash
# screenshots.sh — refresh the images the README shows, from the real app
# under Xvfb: a conversation on a connection (received messages on the
# left, a publish on the right) and the connection editor.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/xvfb.sh
source scripts/demo.sh

go build -o bin/mqttdesk .
data=$(mktemp -d)
pid="" bpid=""
trap 'kill $pid $bpid 2>/dev/null; stop_xvfb; rm -rf "$data"' EXIT
port=$(free_port)
./bin/mqttdesk --data-dir "$data/broker" broker --tcp "127.0.0.1:$port" --ws off >/dev/null 2>&1 &
bpid=$!
prepare_demo ./bin/mqttdesk "$data/app" "$port"
start_xvfb
map=$data/uimap.json
MQTTDESK_KEYRING=off MQTTDESK_UI_MAP="$map" ./bin/mqttdesk --data-dir "$data/app" >/dev/null 2>&1 &
pid=$!
win=$(wait_window mqttdesk "$pid")
sleep 2
click_text "$win" "$map" "Lab broker" # open the connection
sleep 0.5
mosquitto_pub -p "$port" -r -t lab/status -m online
for i in 0 1 2; do
	mosquitto_pub -p "$port" -t "lab/sensor/$i" -m "{\"temperature\": 2$((i + 1)).5, \"humidity\": 4$i, \"unit\": \"C\"}"
done
printf '\x00\x01\x02\x03firmware\xff\xfe' | mosquitto_pub -p "$port" -t lab/device/7/blob -s
mosquitto_pub -p "$port" -t lab/device/7/event -m 'door opened' -D publish user-property source door-sensor -D publish content-type text/plain
# A publish from the composer: topic, payload, Ctrl+Enter.
click_text "$win" "$map" "Topic to publish to"
xdotool type --delay 5 'lab/cmd/fan'
click_text "$win" "$map" "Payload"
xdotool type --delay 5 '{"speed": 3}'
xdotool key ctrl+Return
sleep 1.2
mkdir -p docs
import -window "$win" docs/screenshot.png
xdotool key ctrl+n
sleep 0.8
import -window "$win" docs/editor.png
echo "wrote docs/screenshot.png and docs/editor.png"
