#!/usr/bin/env bash
# smoke.sh — start the real mqttdesk window under Xvfb, check it draws,
# then stop it with SIGTERM and check it exits cleanly.
#
# The binary is built with the race detector, so a widget touched off the
# Fyne goroutine shows up here even though unit tests cannot see it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/xvfb.sh

out=${SMOKE_OUT:-$(mktemp -d)}
mkdir -p "$out"
go build -race -o "$out/mqttdesk-race" .

config=$(mktemp -d)
trap 'stop_xvfb; rm -rf "$config"' EXIT
start_xvfb

fail() {
	echo "smoke: FAIL: $*" >&2
	echo "--- app output ---" >&2
	cat "$out/app.log" >&2 || true
	exit 1
}

MQTTDESK_KEYRING=off XDG_CONFIG_HOME=$config "$out/mqttdesk-race" >"$out/app.log" 2>&1 &
pid=$!

win=$(wait_window mqttdesk "$pid") || fail "no window titled mqttdesk appeared within 30 s"
xwininfo -id "$win" | grep -q 'Map State: IsViewable' || fail "window $win is not viewable"
sleep 2 # first frames, and a few refresh ticks through fyne.Do
import -window root "$out/smoke.png"

stddev=$(convert "$out/smoke.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
colors=$(convert "$out/smoke.png" -format '%k' info:)
awk -v s="$stddev" 'BEGIN { exit !(s > 0.05) }' || fail "screenshot is blank (grey standard deviation $stddev)"
[[ $colors -gt 16 ]] || fail "screenshot has only $colors colours"

kill -TERM "$pid"
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "app still running 10 s after SIGTERM"
set +e
wait "$pid"
code=$?
set -e
[[ $code -eq 0 ]] || fail "app exited with status $code after SIGTERM"
if grep -qE 'DATA RACE|panic:|should have been called in fyne.Do' "$out/app.log"; then
	fail "the app reported a race, a panic or a Fyne threading error"
fi
echo "smoke: ok (window $win, grey stddev $stddev, $colors colours, clean exit; screenshot $out/smoke.png)"
