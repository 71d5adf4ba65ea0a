#!/usr/bin/env bash
# package.sh — build dist/mqttdesk-VERSION-linux-ARCH.tar.xz with `fyne
# package`: the app, its .desktop entry (name, categories, keywords from
# FyneApp.toml) and its icon, with the Makefile fyne writes, whose
# `make user-install` puts them in ~/.local.
#
# fyne package rewrites FyneApp.toml (it counts builds); the file is put
# back as it was, so that the work tree stays as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

fyne=${FYNE:-.tools/fyne}
version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
arch=$(go env GOARCH)
out=dist/mqttdesk-$version-linux-$arch.tar.xz

work=$(mktemp -d)
cp FyneApp.toml "$work/FyneApp.toml"
trap 'cp "$work/FyneApp.toml" FyneApp.toml; rm -rf "$work"' EXIT
mkdir -p dist
go build -trimpath -ldflags "-s -w" -o "$work/mqttdesk" .
"$fyne" package --target linux --release --executable "$work/mqttdesk" --name mqttdesk
mv mqttdesk.tar.xz "$out"
echo "package: $out ($(du -h "$out" | cut -f1))"
