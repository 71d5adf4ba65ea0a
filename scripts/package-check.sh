#!/usr/bin/env bash
# package-check.sh — what `make test` checks of the package: make it,
# install it into a scratch HOME as `make install` would, validate its
# menu entry and run the installed app.
set -euo pipefail
cd "$(dirname "$0")/.."
# tee -a: when stderr is a file (make test > log), opening /dev/stderr
# without -a would truncate it.
pkg=$(scripts/package.sh | tee -a /dev/stderr | sed -n 's/^package: \([^ ]*\) .*/\1/p')
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME=$home scripts/install.sh "$pkg" >/dev/null
entry=$home/.local/share/applications/io.github.mqttdesk.mqttdesk.desktop
fail() {
	echo "package-check: FAIL: $*" >&2
	exit 1
}
[[ -f $home/.local/share/icons/io.github.mqttdesk.mqttdesk.png ]] || fail "no icon installed"
[[ -f $entry ]] || fail "no .desktop entry installed"
desktop-file-validate "$entry" || fail "the .desktop entry is not valid"
grep -q "^Exec=$home/.local/bin/mqttdesk" "$entry" || fail "the entry does not start the installed app: $(grep ^Exec "$entry")"
grep -q '^Categories=Development;' "$entry" || fail "the entry has no menu categories"
want=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
got=$("$home/.local/bin/mqttdesk" --version)
[[ $got == "mqttdesk $want "* ]] || fail "the installed app says \"$got\", want version $want"
echo "package-check: ok ($pkg installs, its entry validates, the app says: $got)"
