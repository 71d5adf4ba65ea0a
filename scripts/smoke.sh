#!/usr/bin/env bash
# smoke.sh — run the real mqttdesk window under Xvfb as a user would:
# a data directory with a connection that connects at start and
# subscribes to #, messages published from outside with mosquitto_pub,
# and a screenshot in which OCR must find the published topic. Then stop
# it with SIGTERM, check it exits cleanly, and start it again on the same
# directory to check the history is still shown.
#
# The binary is built with the race detector, so a widget touched off the
# Fyne goroutine shows up here even though unit tests cannot see it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/xvfb.sh
source scripts/demo.sh

out=${SMOKE_OUT:-$(mktemp -d)}
mkdir -p "$out"
go build -race -o "$out/mqttdesk-race" .
bin=$out/mqttdesk-race

data=$(mktemp -d)
pid="" bpid=""
trap 'kill $pid $bpid 2>/dev/null; stop_xvfb; rm -rf "$data"' EXIT

fail() {
	echo "smoke: FAIL: $*" >&2
	echo "--- app output ---" >&2
	cat "$out/app.log" >&2 || true
	exit 1
}

port=$(free_port)
"$bin" --data-dir "$data/broker" broker --tcp "127.0.0.1:$port" --ws off >"$out/broker.log" 2>&1 &
bpid=$!
prepare_demo "$bin" "$data/app" "$port"
start_xvfb

# start_app: run the window, wait for it, open the demo connection.
start_app() {
	rm -f "$out/uimap.json"
	MQTTDESK_KEYRING=off MQTTDESK_UI_MAP="$out/uimap.json" "$bin" --data-dir "$data/app" >>"$out/app.log" 2>&1 &
	pid=$!
	win=$(wait_window mqttdesk "$pid") || fail "no window titled mqttdesk appeared within 30 s"
	xwininfo -id "$win" | grep -q 'Map State: IsViewable' || fail "window $win is not viewable"
	sleep 2 # connected at start, first refresh ticks through fyne.Do
	click_text "$win" "$out/uimap.json" "Lab broker" || fail "the saved connection is not in the sidebar"
	sleep 1
}

# stop_app: SIGTERM, then a clean exit within 10 s.
stop_app() {
	kill -TERM "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "app still running 10 s after SIGTERM"
	set +e
	wait "$pid"
	local code=$?
	set -e
	[[ $code -eq 0 ]] || fail "app exited with status $code after SIGTERM"
}

# find_text PNG TEXT: OCR the screenshot and look for TEXT.
find_text() {
	convert "$1" -colorspace Gray -negate -resize 200% "$out/ocr.png"
	tesseract "$out/ocr.png" - 2>/dev/null | tr -s ' ' >"$out/ocr.txt"
	grep -q "$2" "$out/ocr.txt"
}

start_app
for i in 1 2 3; do
	mosquitto_pub -p "$port" -q 1 -t "smoke/kitchen/temperature" -m "{\"reading\": $i, \"unit\": \"celsius\"}"
done
sleep 1.5
import -window root "$out/smoke.png"
stddev=$(convert "$out/smoke.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
awk -v s="$stddev" 'BEGIN { exit !(s > 0.05) }' || fail "screenshot is blank (grey standard deviation $stddev)"
find_text "$out/smoke.png" "smoke/kitchen/temperature" || fail "the published topic is not on screen (OCR read: $(head -c 600 "$out/ocr.txt"))"
stop_app

start_app # the history is still there after a restart
import -window root "$out/smoke-restart.png"
find_text "$out/smoke-restart.png" "smoke/kitchen/temperature" || fail "after a restart the history is not on screen"
stop_app

if grep -qE 'DATA RACE|panic:|should have been called in fyne.Do' "$out/app.log"; then
	fail "the app reported a race, a panic or a Fyne threading error"
fi
echo "smoke: ok (topic found by OCR before and after a restart, grey stddev $stddev, clean exits; screenshots in $out)"
