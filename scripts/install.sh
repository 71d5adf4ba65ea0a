#!/usr/bin/env bash
# install.sh PACKAGE — put the app of a package made by package.sh into
# the user's applications: ~/.local/bin/mqttdesk, its menu entry in
# ~/.local/share/applications and its icon in ~/.local/share/icons.
# HOME chooses where (the package test installs into a scratch HOME).
set -euo pipefail
pkg=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$pkg" -C "$work"
make --no-print-directory -C "$work/mqttdesk" user-install >/dev/null
if command -v update-desktop-database >/dev/null; then
	update-desktop-database "$HOME/.local/share/applications" 2>/dev/null || true
fi
echo "install: $HOME/.local/bin/mqttdesk, with its entry in the applications menu"
case ":$PATH:" in
*":$HOME/.local/bin:"*) ;;
*) echo "install: add ~/.local/bin to PATH to run mqttdesk from a terminal" ;;
esac
