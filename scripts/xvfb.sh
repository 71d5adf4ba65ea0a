#!/usr/bin/env bash
# Sourced by the scripts that need a display: start_xvfb starts Xvfb on a
# free display number and exports DISPLAY; stop_xvfb ends it.

start_xvfb() {
	local fifo
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" 2>/dev/null &
	XVFB_PID=$!
	local display
	read -r -t 20 display <"$fifo" || {
		echo "Xvfb did not start" >&2
		return 1
	}
	rm -f "$fifo"
	export DISPLAY=":$display"
}

stop_xvfb() {
	[[ -n ${XVFB_PID:-} ]] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
	return 0
}

# wait_window NAME PID: wait up to 30 s for a window titled NAME; prints its id.
wait_window() {
	local name=$1 pid=$2 id
	for _ in $(seq 300); do
		id=$(xdotool search --onlyvisible --name "^${name}\$" 2>/dev/null | head -1 || true)
		[[ -n $id ]] && {
			echo "$id"
			return 0
		}
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# click_text WIN MAP TEXT: click the middle of the first element of the
# main window whose text starts with TEXT, as the UI map the app writes
# (MQTTDESK_UI_MAP=MAP) places it. Waits up to 10 s for it to appear.
click_text() {
	local win=$1 map=$2 text=$3 xy
	for _ in $(seq 100); do
		xy=$(jq -r --arg t "$text" '
			first(.windows[] | select(.title == "mqttdesk")) as $w | first($w.elements[]
			| select(.layer == 0 and (.text | startswith($t))))
			| "\((.x + .w / 2) * $w.scale | floor) \((.y + .h / 2) * $w.scale | floor)"' \
			"$map" 2>/dev/null || true)
		if [[ -n $xy ]]; then
			# shellcheck disable=SC2086 # two numbers, split on purpose
			xdotool mousemove --window "$win" $xy click 1
			return 0
		fi
		sleep 0.1
	done
	echo "no element showing \"$text\" in the window" >&2
	return 1
}
