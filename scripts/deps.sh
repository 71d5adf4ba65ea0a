#!/usr/bin/env bash
# deps.sh build|test — install the Debian packages mqttdesk needs.
#
# "build": the C toolchain and the GL/X11/Wayland headers Fyne compiles
# against. "test": those plus Xvfb, mosquitto and its clients, ImageMagick
# the X tools, tesseract (OCR) and jq (to read the UI map) the window
# smoke test uses, and desktop-file-utils and xz to check the package.
#
# Missing packages are installed with apt-get when running as root;
# otherwise the exact command is printed and the script fails.
set -euo pipefail

build_pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev)
test_pkgs=(xvfb xauth mosquitto mosquitto-clients imagemagick xdotool x11-utils tesseract-ocr tesseract-ocr-eng jq desktop-file-utils xz-utils)
# Node.js runs MQTT.js, a WebSocket test peer; a Node already on PATH will do.
command -v npm >/dev/null || test_pkgs+=(nodejs npm)

case "${1:-}" in
build) wanted=("${build_pkgs[@]}") ;;
test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
	echo "usage: $0 build|test" >&2
	exit 2
	;;
esac

if ! command -v go >/dev/null; then
	echo "Go is not installed: get Go 1.26 or newer from https://go.dev/dl/ and put it on PATH." >&2
	exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == *"install ok installed"* ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "mqttdesk needs these Debian packages: ${missing[*]}" >&2
	echo "Install them with:" >&2
	echo "  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null
