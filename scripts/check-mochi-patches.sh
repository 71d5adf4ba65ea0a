#!/usr/bin/env bash
# check-mochi-patches.sh: checks that third_party/mochi is exactly the
# pristine upstream module (from the module cache, fetched through the
# module proxy when missing) with third_party/mochi/patches/*.patch applied
# in order, so that the patch files cannot drift from the fork's code.
# Only the files the fork keeps are compared; PATCHES.md, the patches and
# go.mod (trimmed to the packages mqttdesk builds) are mqttdesk's own.
#
#   scripts/check-mochi-patches.sh                check, exit 1 on a difference
#   scripts/check-mochi-patches.sh --series DIR   also leave DIR as a git
#       repository: upstream, then one commit per patch (git am), to edit a
#       patch and write the series again with
#       git format-patch --zero-commit --no-signature
set -euo pipefail

cd "$(dirname "$0")/.."
fork=third_party/mochi
module=github.com/mochi-mqtt/server/v2
version=$(awk -v m="$module" '$1 == m { print $2; exit }' go.mod)
upstream=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ ! -d "$upstream" ]; then
	echo "check-mochi-patches: no module directory for $module@$version" >&2
	exit 1
fi

series=""
if [ "${1:-}" = "--series" ]; then
	series=${2:?--series needs a directory}
	mkdir -p "$series"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=${series:-$work/tree}
mkdir -p "$tree"

# The fork's files as upstream has them (files the patches add are absent).
kept=$(cd "$fork" && find . -type f ! -name PATCHES.md ! -name go.mod ! -path './patches/*' | sort)
for f in $kept; do
	if [ -f "$upstream/$f" ]; then
		mkdir -p "$tree/$(dirname "$f")"
		cp "$upstream/$f" "$tree/$f"
		chmod u+w "$tree/$f"
	fi
done

patches=$(find "$PWD/$fork/patches" -name '*.patch' | sort)
if [ -n "$series" ]; then
	git -C "$tree" init -q
	git -C "$tree" add -A
	git -C "$tree" -c user.name=upstream -c user.email=upstream@invalid commit -qm "$module $version"
	# shellcheck disable=SC2086 # one argument per patch
	git -C "$tree" -c user.name=mqttdesk -c user.email=mqttdesk@invalid am -q $patches
else
	for p in $patches; do
		if ! (cd "$tree" && git apply --whitespace=nowarn "$p"); then
			echo "check-mochi-patches: $(basename "$p") does not apply on $module $version and the patches before it" >&2
			exit 1
		fi
	done
fi

if ! diff -r -u -x .git -x PATCHES.md -x go.mod -x patches "$tree" "$fork" >"$work/diff"; then
	cat "$work/diff"
	echo "check-mochi-patches: $fork differs from $module $version with its patches applied (diff above: patched upstream, then the fork)" >&2
	exit 1
fi
echo "check-mochi-patches: $fork is $module $version with $(echo "$patches" | wc -l) patches"
