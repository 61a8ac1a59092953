# shellcheck shell=bash
# Shared by tests/deploy/proxy.sh, two-servers.sh and caddy.sh: the release build of Steward
# behind a real reverse proxy that terminates TLS (nginx, or Caddy for caddy.sh), with everything
# (binary copy, site copy, certificate, proxy configuration, logs, databases) in one temporary
# directory that the EXIT trap removes together with every process started here.
#
# Source it, then call deploy_init; it sets:
#   DEPLOY_PROXY  the proxy in front: nginx (the default) or caddy
#   DEPLOY_ROOT   the clone
#   DEPLOY_DIR    the temporary directory
#   DEPLOY_BIN    a copy of the release binary (a rebuild cannot swap it under the run)
#   DEPLOY_SITE   a copy of target/site
#   DEPLOY_CERT   the self-signed certificate (PEM) for IP:127.0.0.1 and DNS:localhost
#   DEPLOY_PYTHON the Python with the official clients (STEWARD_COMPAT_PYTHON, else the venv)

DEPLOY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEPLOY_DIR=
DEPLOY_BIN=
DEPLOY_SITE=
DEPLOY_CERT=
DEPLOY_KEY=
DEPLOY_PYTHON=
DEPLOY_NGINX=${STEWARD_NGINX:-/usr/sbin/nginx}
DEPLOY_NGINX_PID=
DEPLOY_PROXY=nginx
DEPLOY_CADDY=${STEWARD_CADDY:-/usr/bin/caddy}
DEPLOY_CADDY_PID=
# Parallel arrays: one entry per Steward process started by start_steward.
DEPLOY_NAMES=()
DEPLOY_PIDS=()
DEPLOY_LOGS=()

deploy_say() { echo "deploy: $*" >&2; }
deploy_fail() {
  deploy_say "FAILED: $*"
  exit 1
}

# Prepares the temporary directory and the EXIT trap, checks the tools, copies the binary and
# the site. $1: a short name for the run (goes into the directory's name); $2: the proxy in
# front, nginx (the default) or caddy.
deploy_init() {
  local name=$1
  DEPLOY_PROXY=${2:-nginx}
  local target=${CARGO_TARGET_DIR:-$HOME/.cache/steward/target}
  local bin="$target/release/steward"
  [[ -x "$bin" ]] || deploy_fail "$bin not built (run: cargo leptos build --release)"
  [[ -d "$DEPLOY_ROOT/target/site/pkg" ]] || deploy_fail "$DEPLOY_ROOT/target/site not built (run: cargo leptos build --release)"
  case "$DEPLOY_PROXY" in
    nginx) [[ -x "$DEPLOY_NGINX" ]] || deploy_fail "$DEPLOY_NGINX missing (apt-get install -y nginx-light)" ;;
    caddy) [[ -x "$DEPLOY_CADDY" ]] || deploy_fail "$DEPLOY_CADDY missing (apt-get install -y caddy)" ;;
    *) deploy_fail "unknown proxy: $DEPLOY_PROXY (nginx or caddy)" ;;
  esac
  command -v openssl >/dev/null || deploy_fail "openssl missing"
  command -v curl >/dev/null || deploy_fail "curl missing"
  [[ -x /usr/bin/chromium ]] || deploy_fail "/usr/bin/chromium missing (make test-tools installs it)"
  [[ -x "$DEPLOY_ROOT/end2end/node_modules/.bin/playwright" ]] \
    || deploy_fail "Playwright missing in end2end/ (make test-tools installs it)"
  DEPLOY_PYTHON=${STEWARD_COMPAT_PYTHON:-$HOME/.cache/steward/venv/bin/python}
  [[ -x "$DEPLOY_PYTHON" ]] || deploy_fail "$DEPLOY_PYTHON missing (make test-tools installs the official clients)"

  DEPLOY_DIR=$(mktemp -d "/tmp/steward-$name.XXXXXX")
  trap deploy_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [[ "$DEPLOY_PROXY" == caddy ]]; then
    mkdir -p "$DEPLOY_DIR/caddy" "$DEPLOY_DIR/tls"
  else
    mkdir -p "$DEPLOY_DIR/nginx/tmp" "$DEPLOY_DIR/tls"
  fi
  DEPLOY_BIN="$DEPLOY_DIR/steward"
  cp "$bin" "$DEPLOY_BIN"
  DEPLOY_SITE="$DEPLOY_DIR/site"
  cp -r "$DEPLOY_ROOT/target/site" "$DEPLOY_SITE"
  deploy_say "working in $DEPLOY_DIR"
}

# On exit: on failure, the logs; then every process started here, then the directory.
deploy_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ $status -ne 0 && -n "$DEPLOY_DIR" ]]; then
    local i
    for i in "${!DEPLOY_NAMES[@]}"; do
      echo "---- ${DEPLOY_NAMES[$i]} log (last 150 lines) ----" >&2
      tail -n 150 "${DEPLOY_LOGS[$i]}" >&2 2>/dev/null || true
    done
    if [[ "$DEPLOY_PROXY" == caddy ]]; then
      echo "---- caddy log (last 100 lines) ----" >&2
      tail -n 100 "$DEPLOY_DIR/caddy/caddy.log" >&2 2>/dev/null || true
    else
      echo "---- nginx error log ----" >&2
      tail -n 100 "$DEPLOY_DIR/nginx/error.log" >&2 2>/dev/null || true
      echo "---- nginx access log (last 40 lines) ----" >&2
      tail -n 40 "$DEPLOY_DIR/nginx/access.log" >&2 2>/dev/null || true
    fi
    deploy_say "exit status $status"
  fi
  if [[ -n "$DEPLOY_NGINX_PID" ]]; then
    kill "$DEPLOY_NGINX_PID" 2>/dev/null || true
    wait "$DEPLOY_NGINX_PID" 2>/dev/null || true
  fi
  if [[ -n "$DEPLOY_CADDY_PID" ]]; then
    kill "$DEPLOY_CADDY_PID" 2>/dev/null || true
    wait "$DEPLOY_CADDY_PID" 2>/dev/null || true
  fi
  local pid
  for pid in "${DEPLOY_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${DEPLOY_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n "$DEPLOY_DIR" ]] && rm -rf "$DEPLOY_DIR"
  exit $status
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A self-signed certificate for IP:127.0.0.1 and DNS:localhost, made now, valid two days.
make_cert() {
  DEPLOY_CERT="$DEPLOY_DIR/tls/cert.pem"
  DEPLOY_KEY="$DEPLOY_DIR/tls/key.pem"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$DEPLOY_KEY" -out "$DEPLOY_CERT" >"$DEPLOY_DIR/tls/openssl.log" 2>&1 \
    || { cat "$DEPLOY_DIR/tls/openssl.log" >&2; deploy_fail "openssl could not make the certificate"; }
  chmod 600 "$DEPLOY_KEY"
}

# Writes $DEPLOY_DIR/nginx/nginx.conf: TLS on 127.0.0.1:$1, proxying to the Steward servers at
# the addresses $2... (one: a plain proxy_pass; several: an upstream, round-robin). The part an
# operator writes is printed; the rest only keeps nginx's files in the temporary directory.
# The access log names the upstream that served each request ($upstream_addr).
write_nginx_conf() {
  local port=$1
  shift
  local n="$DEPLOY_DIR/nginx"
  local site target
  if [[ $# -eq 1 ]]; then
    target="http://$1"
    site=""
  else
    target="http://steward"
    site="upstream steward {"$'\n'
    local addr
    for addr in "$@"; do site+="    server $addr;"$'\n'; done
    site+="}"$'\n\n'
  fi
  site+="server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate     $DEPLOY_CERT;
    ssl_certificate_key $DEPLOY_KEY;

    location / {
        proxy_pass $target;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
}"
  printf '%s\n' "$site" >"$n/site.conf"
  # As root, nginx's workers would otherwise run as nobody, who cannot enter the 0700
  # temporary directory to buffer a large response (the WASM bundle) in proxy_temp_path.
  local user=
  [[ $(id -u) -eq 0 ]] && user="user root;"
  cat >"$n/nginx.conf" <<EOF
# Test harness wrapper: nginx's own files in the temporary directory.
$user
worker_processes 1;
error_log $n/error.log warn;
events { worker_connections 512; }
http {
    log_format upstream '\$remote_addr [\$time_local] "\$request" \$status upstream=\$upstream_addr';
    access_log $n/access.log upstream;
    client_body_temp_path $n/tmp/body;
    proxy_temp_path $n/tmp/proxy;
    fastcgi_temp_path $n/tmp/fastcgi;
    uwsgi_temp_path $n/tmp/uwsgi;
    scgi_temp_path $n/tmp/scgi;

    # ---- what an operator writes ----
$(sed 's/^/    /' "$n/site.conf")
    # ---- end ----
}
EOF
  echo "---- nginx configuration (the operator's part) ----" >&2
  cat "$n/site.conf" >&2
  echo "----" >&2
}

# Starts nginx on the configuration written by write_nginx_conf and waits for TLS on $1.
start_nginx() {
  local port=$1
  local n="$DEPLOY_DIR/nginx"
  "$DEPLOY_NGINX" -t -p "$n" -c "$n/nginx.conf" -g "daemon off; pid $n/nginx.pid;" >"$n/test.log" 2>&1 \
    || { cat "$n/test.log" >&2; deploy_fail "nginx refuses its configuration"; }
  "$DEPLOY_NGINX" -p "$n" -c "$n/nginx.conf" -g "daemon off; pid $n/nginx.pid;" >>"$n/error.log" 2>&1 &
  DEPLOY_NGINX_PID=$!
  local _
  for _ in $(seq 1 50); do
    curl -s -o /dev/null --cacert "$DEPLOY_CERT" "https://127.0.0.1:$port/" 2>/dev/null && return 0
    kill -0 "$DEPLOY_NGINX_PID" 2>/dev/null || deploy_fail "nginx exited"
    sleep 0.1
  done
  deploy_fail "nginx does not answer on https://127.0.0.1:$port"
}

# Writes $DEPLOY_DIR/caddy/Caddyfile: TLS on 127.0.0.1:$1 with the run's certificate, proxying
# to the Steward server at $2, with Caddy's defaults (the client's Host kept, X-Forwarded-For
# set). The site block is what an operator writes, and is printed; the global options before it
# only keep Caddy to that one TCP port and its files in the temporary directory:
#   admin off                        no admin endpoint (it would listen on localhost:2019)
#   auto_https disable_redirects     no HTTP->HTTPS redirect server (it would listen on port 80)
#   default_bind 127.0.0.1           the loopback only, as nginx's `listen 127.0.0.1:PORT`
#   servers { protocols h1 h2 }      no HTTP/3 (it would add a UDP socket on the port)
#   storage file_system DIR          Caddy's data (its local CA) in the temporary directory
#   skip_install_trust               never touch the system's trust store
write_caddy_conf() {
  local port=$1 upstream=$2
  local c="$DEPLOY_DIR/caddy"
  printf 'https://127.0.0.1:%s {\n\ttls %s %s\n\treverse_proxy %s\n}\n' \
    "$port" "$DEPLOY_CERT" "$DEPLOY_KEY" "$upstream" >"$c/site.caddy"
  cat >"$c/Caddyfile" <<EOF
# Test harness: Caddy on this one port, its files in the temporary directory.
{
	admin off
	auto_https disable_redirects
	default_bind 127.0.0.1
	servers {
		protocols h1 h2
	}
	storage file_system $c/data
	skip_install_trust
}

# ---- what an operator writes ----
$(cat "$c/site.caddy")
# ---- end ----
EOF
  echo "---- Caddyfile (the operator's part) ----" >&2
  cat "$c/site.caddy" >&2
  echo "----" >&2
}

# Starts Caddy in the foreground (in the background of this shell) on the Caddyfile written by
# write_caddy_conf, with HOME and the XDG directories in the temporary directory, and waits for
# TLS on $1. Fails if Caddy listens on anything but 127.0.0.1:$1.
start_caddy() {
  local port=$1
  local c="$DEPLOY_DIR/caddy"
  local -a caddy_env=(env HOME="$c/home" XDG_DATA_HOME="$c/xdg-data" XDG_CONFIG_HOME="$c/xdg-config")
  mkdir -p "$c/home" "$c/xdg-data" "$c/xdg-config"
  "${caddy_env[@]}" "$DEPLOY_CADDY" validate --config "$c/Caddyfile" --adapter caddyfile >"$c/validate.log" 2>&1 \
    || { cat "$c/validate.log" >&2; deploy_fail "caddy refuses its configuration"; }
  "${caddy_env[@]}" "$DEPLOY_CADDY" run --config "$c/Caddyfile" --adapter caddyfile >>"$c/caddy.log" 2>&1 &
  DEPLOY_CADDY_PID=$!
  local _ ok=
  for _ in $(seq 1 50); do
    if curl -s -o /dev/null --cacert "$DEPLOY_CERT" "https://127.0.0.1:$port/" 2>/dev/null; then ok=1; break; fi
    kill -0 "$DEPLOY_CADDY_PID" 2>/dev/null || deploy_fail "caddy exited"
    sleep 0.1
  done
  [[ -n "$ok" ]] || deploy_fail "caddy does not answer on https://127.0.0.1:$port"
  if command -v ss >/dev/null; then
    local sockets
    sockets=$(ss -Hltunp 2>/dev/null | grep -F "pid=$DEPLOY_CADDY_PID," | awk '{print $1, $5}' | sort -u)
    [[ "$sockets" == "tcp 127.0.0.1:$port" ]] \
      || deploy_fail "caddy listens on more than 127.0.0.1:$port (tcp):"$'\n'"$sockets"
  fi
}

# Through https://127.0.0.1:$1, from the source address 127.0.0.2 (a client that is not the
# proxy: Steward's peer is the proxy at 127.0.0.1) claiming `X-Forwarded-For: 198.51.100.9`,
# signs up and reads the session list: the session's address must be $2, which Steward can only
# have learnt from the proxy's X-Forwarded-For (198.51.100.9 if the proxy appends to the
# client's header, like nginx's $proxy_add_x_forwarded_for; 127.0.0.2 if it replaces it, like
# Caddy without trusted_proxies).
check_forwarded_client() {
  local public="https://127.0.0.1:$1" expected=$2
  local jar="$DEPLOY_DIR/forwarded.cookies" run body
  run=$(date +%s%N)
  local -a curl=(curl -fsS --cacert "$DEPLOY_CERT" --interface 127.0.0.2 -b "$jar" -c "$jar"
    -H 'Accept: application/json' -H 'X-Forwarded-For: 198.51.100.9')
  body=$("${curl[@]}" --data-urlencode "company=Forwarded $run" \
    --data-urlencode "email=forwarded-$run@example.com" --data-urlencode "password=Velvet-Orbit-Canyon-42" \
    "$public/api/signup") || deploy_fail "POST $public/api/signup from 127.0.0.2 failed"
  body=$("${curl[@]}" -d "" "$public/api/list_sessions") \
    || deploy_fail "POST $public/api/list_sessions from 127.0.0.2 failed"
  local ips
  ips=$(python3 -c 'import json, sys; print(" ".join(s["ip"] for s in json.load(sys.stdin)))' <<<"$body") \
    || deploy_fail "list_sessions answered: $body"
  [[ "$ips" == "$expected" ]] \
    || deploy_fail "a client at 127.0.0.2 claiming 198.51.100.9 got a session from '$ips' (expected $expected)"
  deploy_say "the client's address from $DEPLOY_PROXY's X-Forwarded-For: $ips: ok"
}

# Starts the copied binary as server $1 listening on 127.0.0.1:$2, with the environment of
# end2end/run.sh, the proxy settings for the public URL $3, and any further VAR=value in $4...
start_steward() {
  local name=$1 port=$2 public=$3
  shift 3
  local data="$DEPLOY_DIR/$name-data"
  local log="$DEPLOY_DIR/$name.log"
  mkdir -p "$data"
  chmod 700 "$data"
  # Every test comes from this one address: the per-client limits are off, as in end2end/run.sh.
  env LEPTOS_SITE_ROOT="$DEPLOY_SITE" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=steward LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" STEWARD_DATA_DIR="$data" \
    STEWARD_COOKIE_SECURE=true \
    STEWARD_PUBLIC_URL="$public" \
    STEWARD_TRUSTED_PROXIES=127.0.0.1/32,::1/128 \
    STEWARD_CLIENT_LOGINS_PER_MINUTE=0 STEWARD_CLIENT_SIGNUPS_PER_HOUR=0 \
    STEWARD_CLIENT_PASSWORD_CHECKS_PER_MINUTE=0 \
    "$@" "$DEPLOY_BIN" serve >"$log" 2>&1 &
  DEPLOY_NAMES+=("$name")
  DEPLOY_PIDS+=($!)
  DEPLOY_LOGS+=("$log")
}

# Waits until every server started so far answers /healthz on its own port ($1...: the ports,
# in the order the servers were started).
wait_healthy() {
  local i=0 port _
  for port in "$@"; do
    local ok=
    for _ in $(seq 1 150); do
      if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
      kill -0 "${DEPLOY_PIDS[$i]}" 2>/dev/null || deploy_fail "${DEPLOY_NAMES[$i]} exited at start"
      sleep 0.1
    done
    [[ -n "$ok" ]] || deploy_fail "${DEPLOY_NAMES[$i]} not healthy on port $port"
    i=$((i + 1))
  done
}

# Checks what the proxy itself must get right, with curl through https://127.0.0.1:$1.
check_tls_basics() {
  local public="https://127.0.0.1:$1"
  local body headers
  # The certificate verifies for 127.0.0.1 (no -k): the generated SAN is right.
  body=$(curl -fsS --cacert "$DEPLOY_CERT" "$public/healthz") || deploy_fail "GET $public/healthz failed"
  [[ "$body" == ok* ]] || deploy_fail "GET $public/healthz answered: $body"
  headers=$(curl -fsS --cacert "$DEPLOY_CERT" -D - -o /dev/null "$public/login") \
    || deploy_fail "GET $public/login failed"
  grep -qi '^strict-transport-security: max-age=' <<<"$headers" \
    || deploy_fail "no HSTS header behind TLS with STEWARD_COOKIE_SECURE=true:"$'\n'"$headers"
  deploy_say "TLS, health and HSTS through $DEPLOY_PROXY: ok"
}

# Runs the Playwright specs $2... of end2end/proxy-tests against the public URL $1.
run_playwright() {
  local public=$1
  shift
  (
    cd "$DEPLOY_ROOT/end2end"
    STEWARD_E2E_BASE_URL="$public" STEWARD_DEPLOY_ACCESS_LOG="$DEPLOY_DIR/$DEPLOY_PROXY/access.log" \
      npx playwright test -c proxy.config.ts "$@"
  ) || deploy_fail "Playwright through $DEPLOY_PROXY"
}

# How many requests matching the extended regex $2 (against the request line) each upstream
# address $3... served, from nginx's access log, starting at line $1 (1-based). Prints
# "ADDRESS COUNT" lines.
upstream_counts() {
  local from=$1 pattern=$2
  shift 2
  local addr
  for addr in "$@"; do
    printf '%s %s\n' "$addr" "$(tail -n "+$from" "$DEPLOY_DIR/nginx/access.log" \
      | grep -E "\"[A-Z]+ $pattern" | grep -cF "upstream=$addr" || true)"
  done
}

# The number of lines in nginx's access log so far.
access_log_lines() {
  wc -l <"$DEPLOY_DIR/nginx/access.log"
}
