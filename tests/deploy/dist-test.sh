#!/usr/bin/env bash
# Checks a release archive made by tests/deploy/dist.sh the way an operator uses it: unpacks it
# into a fresh folder and starts `steward serve` from ANOTHER working directory, with no LEPTOS_*
# variable and no STEWARD_SITE_DIR (only the address, a data folder and plain-http cookies), so
# that the binary must find the site folder beside itself. Then:
#   - /healthz answers;
#   - /login links a stylesheet, the JavaScript bundle and the WebAssembly module;
#   - each of them answers 200 with its content type (text/css, text/javascript or
#     application/javascript, application/wasm), and the module starts with the wasm magic;
#   - every public file at the top of site/ (favicon...) is served.
# Usage: tests/deploy/dist-test.sh ARCHIVE   (e.g. dist/steward-0.1.0-x86_64-linux.tar.gz)
set -euo pipefail

fail() {
  echo "dist-test: FAILED: $*" >&2
  exit 1
}
say() { echo "dist-test: $*" >&2; }
[[ $# -eq 1 && -n "$1" ]] || fail "usage: tests/deploy/dist-test.sh ARCHIVE"
[[ -f "$1" ]] || fail "$1 does not exist (make it with tests/deploy/dist.sh OUT_DIR)"
archive=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
for tool in tar curl python3; do
  command -v "$tool" >/dev/null || fail "$tool missing"
done

tmp=$(mktemp -d /tmp/steward-dist-test.XXXXXX)
server=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$tmp/server.log" ]]; then
    echo "---- server log (last 100 lines) ----" >&2
    tail -n 100 "$tmp/server.log" >&2 || true
  fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the archive's shape ----
mkdir "$tmp/unpacked"
tar -xzf "$archive" -C "$tmp/unpacked" || fail "cannot unpack $archive"
mapfile -t tops < <(find "$tmp/unpacked" -mindepth 1 -maxdepth 1)
[[ ${#tops[@]} -eq 1 && -d "${tops[0]}" ]] || fail "the archive must hold exactly one top folder, not: ${tops[*]##*/}"
top=${tops[0]}
[[ "${top##*/}" == steward-* ]] || fail "the top folder is ${top##*/}, not steward-VERSION"
version=${top##*/steward-}
[[ "$(basename "$archive")" == "steward-$version-"*.tar.gz ]] \
  || fail "the archive's name does not carry the folder's version $version"
[[ -x "$top/steward" ]] || fail "${top##*/}/steward missing or not executable"
for f in steward.service steward.env.example README.md; do
  [[ -f "$top/$f" ]] || fail "${top##*/}/$f missing"
done
for kind in wasm js css; do
  compgen -G "$top/site/pkg/*.$kind" >/dev/null || fail "${top##*/}/site/pkg has no .$kind file"
done
bin_version=$("$top/steward" --version) || fail "steward --version failed"
[[ "$bin_version" == "steward $version" ]] || fail "the binary says \"$bin_version\", the folder says $version"
say "archive ${archive##*/}: one folder ${top##*/}/ with the binary, site/pkg, the unit, the env example, README.md"

# ---- start it from elsewhere, with a bare environment ----
mkdir -m 700 "$tmp/elsewhere" "$tmp/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
# env -i: nothing of the caller's environment (a LEPTOS_* or STEWARD_* from make, cargo-leptos
# or a shell) can point the binary at a site folder.
(
  cd "$tmp/elsewhere"
  exec env -i PATH=/usr/bin:/bin HOME="$tmp/elsewhere" \
    STEWARD_DATA_DIR="$tmp/data" STEWARD_COOKIE_SECURE=false \
    "$top/steward" serve --addr "127.0.0.1:$port"
) >"$tmp/server.log" 2>&1 &
server=$!
say "started ${top##*/}/steward serve --addr 127.0.0.1:$port in an empty working directory"

healthy=
for _ in $(seq 1 150); do
  if curl -fsS "$base/healthz" >/dev/null 2>&1; then healthy=1; break; fi
  kill -0 "$server" 2>/dev/null || fail "the server exited at start"
  sleep 0.1
done
[[ -n "$healthy" ]] || fail "the server is not healthy on $base after 15 s"

# ---- the login page and what it links ----
code=$(curl -sS -o "$tmp/login.html" -w '%{http_code}' "$base/login") || fail "GET /login failed"
[[ "$code" == 200 ]] || fail "GET /login answered $code"
# One line per asset the page loads: KIND URL, from <link> and <script src> only.
python3 - "$tmp/login.html" >"$tmp/assets" <<'EOF' || fail "cannot read the links of /login"
import sys
from html.parser import HTMLParser

class Links(HTMLParser):
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        url = a.get("href") if tag == "link" else a.get("src") if tag == "script" else None
        if not url:
            return
        path = url.split("?")[0].split("#")[0]
        for ext, kind in ((".css", "css"), (".js", "js"), (".mjs", "js"), (".wasm", "wasm")):
            if path.endswith(ext):
                print(kind, url)

Links().feed(open(sys.argv[1], encoding="utf-8").read())
EOF
for kind in css js wasm; do
  grep -q "^$kind " "$tmp/assets" || fail "/login links no .$kind file; its <link> and <script> tags:
$(grep -oE '<(link|script)[^>]*>' "$tmp/login.html")"
done

# KIND URL -> an absolute URL on this server, then the status, content type and first bytes.
check_asset() {
  local kind=$1 url=$2 full type status
  case "$url" in
    http://* | https://*) full=$url ;;
    /*) full=$base$url ;;
    *) full=$base/$url ;;
  esac
  [[ "$full" == "$base"/* ]] || fail "/login links $url on another server"
  status=$(curl -sS -o "$tmp/asset" -w '%{http_code} %{content_type}' "$full") || fail "GET $url failed"
  type=${status#* }
  type=${type%%;*}
  status=${status%% *}
  [[ "$status" == 200 ]] || fail "GET $url answered $status (${type:-no type}): the site folder was not found"
  case "$kind" in
    css) [[ "$type" == text/css ]] || fail "GET $url: content type $type, not text/css" ;;
    js) [[ "$type" == text/javascript || "$type" == application/javascript ]] \
          || fail "GET $url: content type $type, not text/javascript" ;;
    wasm)
      [[ "$type" == application/wasm ]] || fail "GET $url: content type $type, not application/wasm"
      [[ "$(head -c 4 "$tmp/asset" | od -An -tx1 | tr -d ' \n')" == 0061736d ]] \
        || fail "GET $url: not a WebAssembly module"
      ;;
    *) [[ -s "$tmp/asset" ]] || fail "GET $url: empty" ;;
  esac
  [[ -s "$tmp/asset" ]] || fail "GET $url: empty body"
  say "GET $url: 200 $type, $(wc -c <"$tmp/asset") bytes"
}
while read -r kind url; do
  check_asset "$kind" "$url"
done <"$tmp/assets"

# The public files (assets-dir) are served from the site folder's top.
while IFS= read -r -d '' file; do
  check_asset public "/${file##*/}"
done < <(find "$top/site" -mindepth 1 -maxdepth 1 -type f -print0)

say "ok: the unpacked archive serves its pages, styles, scripts and WebAssembly from any working directory"
