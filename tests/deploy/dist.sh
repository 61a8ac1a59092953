#!/usr/bin/env bash
# Packs an already-built release into OUT_DIR/steward-VERSION-x86_64-linux.tar.gz, one folder
# steward-VERSION/ holding:
#   steward               the release binary ($CARGO_TARGET_DIR/release/steward)
#   site/                 target/site of this clone: pkg/ (wasm, js, css) and the public files;
#                         the binary serves the site folder that sits beside it
#   steward.service       packaging/steward.service
#   steward.env.example   packaging/steward.env.example
#   README.md, LICENSE*   when present
# It builds nothing: run `cargo leptos build --release` first (`make dist` does).
# The archive is reproducible: names sorted, owner root, modes normalised, every mtime the last
# commit's time (or $SOURCE_DATE_EPOCH), gzip without a timestamp.
set -euo pipefail

usage="usage: tests/deploy/dist.sh OUT_DIR"
fail() {
  echo "dist: $*" >&2
  exit 1
}
[[ $# -eq 1 && -n "$1" ]] || fail "$usage"

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
target=${CARGO_TARGET_DIR:-$HOME/.cache/steward/target}
bin="$target/release/steward"
site="$root/target/site"
# The machine that built the binary (x86_64 here): steward-VERSION-x86_64-linux.tar.gz.
arch="$(uname -m)-linux"

# The version of the [package] table.
version=$(awk '
  /^\[/ { in_package = ($0 == "[package]") }
  in_package && /^version[[:space:]]*=/ { gsub(/.*=[[:space:]]*"|".*/, ""); print; exit }
' "$root/Cargo.toml")
[[ -n "$version" ]] || fail "no version in the [package] table of $root/Cargo.toml"

[[ -x "$bin" ]] || fail "$bin not built (run: cargo leptos build --release)"
[[ -d "$site/pkg" ]] || fail "$site/pkg not built (run: cargo leptos build --release)"
for kind in wasm js css; do
  compgen -G "$site/pkg/*.$kind" >/dev/null || fail "$site/pkg has no .$kind file (run: cargo leptos build --release)"
done
for f in packaging/steward.service packaging/steward.env.example README.md; do
  [[ -f "$root/$f" ]] || fail "$root/$f missing"
done
# A binary of another version (a stale build) would be packed under the wrong name.
bin_version=$("$bin" --version 2>/dev/null) || fail "$bin --version failed"
[[ "$bin_version" == "steward $version" ]] \
  || fail "$bin says \"$bin_version\", Cargo.toml says $version: rebuild (cargo leptos build --release)"

tmp=$(mktemp -d /tmp/steward-dist.XXXXXX)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

name="steward-$version"
stage="$tmp/$name"
mkdir "$stage"
cp "$bin" "$stage/steward"
cp -R "$site" "$stage/site"
cp "$root/packaging/steward.service" "$stage/steward.service"
cp "$root/packaging/steward.env.example" "$stage/steward.env.example"
cp "$root/README.md" "$stage/README.md"
shopt -s nullglob
for license in "$root"/LICENSE* "$root"/COPYING*; do
  [[ -f "$license" ]] && cp "$license" "$stage/"
done
shopt -u nullglob

# Normalised modes: the binary and folders 0755, everything else 0644.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$stage/steward"

epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
archive="$name-$arch.tar.gz"
mkdir -p "$out"
tar --create --format=gnu --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@$epoch" --directory="$tmp" "$name" \
  | gzip -n -9 >"$tmp/$archive"
# Moved into place whole: a failed run never leaves half an archive in OUT_DIR.
mv "$tmp/$archive" "$out/$archive"

echo "dist: $out/$archive"
echo "dist: sha256 $(sha256sum "$out/$archive" | cut -d' ' -f1)"
tar -tzvf "$out/$archive" | awk '{ printf "dist:   %s %10s %s\n", $1, $3, $6 }'
