#!/usr/bin/env bash
# Two Steward servers (the release build) on one PostgreSQL database, sharing one server key,
# behind one nginx that terminates TLS and balances them round-robin (a plain `upstream` block,
# nginx's default headers plus X-Forwarded-For). Run it with a throwaway cluster:
#   tests/with-postgres.sh tests/deploy/two-servers.sh
# Through https://127.0.0.1:<nginx port> only:
#   - both servers start at once on the empty database (migrations under their lock);
#   - Playwright (end2end/proxy-tests/two-servers.spec.ts): a walk whose requests alternate
#     between the servers (nginx's access log names the upstream of each request, and both must
#     have served pages and server functions): log-in, users, a generated password and a
#     sub-account's credentials shown once whichever server is asked again;
#   - the official python-ovh and Tencent Cloud clients (a secret sealed by one server is opened
#     by the other);
#   - races (tests/deploy/race.py): twenty simultaneous sign-ups of one company and twenty
#     creations of one login, spread over both servers: exactly one succeeds, every other gets
#     the clean conflict a latecomer gets, never a 5xx.
# Exits non-zero on any failure (with both server logs and nginx's error log), and always stops
# what it started and removes its temporary directory (the cluster is with-postgres.sh's).
set -euo pipefail
# shellcheck source=tests/deploy/lib.sh
source "$(dirname "$0")/lib.sh"

[[ -n "${STEWARD_TEST_POSTGRES_URL:-}" ]] \
  || deploy_fail "STEWARD_TEST_POSTGRES_URL is not set: run tests/with-postgres.sh tests/deploy/two-servers.sh"

deploy_init two-servers
make_cert
port_a=$(free_port)
port_b=$(free_port)
nginx_port=$(free_port)
public="https://127.0.0.1:$nginx_port"
server_key=$(openssl rand -hex 32)

# Both at once, as after a deployment: one of them applies the migrations, the other waits.
for server in "a $port_a" "b $port_b"; do
  read -r name port <<<"$server"
  start_steward "steward-$name" "$port" "$public" \
    STEWARD_DATABASE_URL="$STEWARD_TEST_POSTGRES_URL" STEWARD_SERVER_KEY="$server_key"
done
wait_healthy "$port_a" "$port_b"
upstream_a="127.0.0.1:$port_a"
upstream_b="127.0.0.1:$port_b"
write_nginx_conf "$nginx_port" "$upstream_a" "$upstream_b"
start_nginx "$nginx_port"
check_tls_basics "$nginx_port"

# Requires at least $2 requests matching $1 (request-line regex) on each server since line $3.
require_both() {
  local pattern=$1 least=$2 from=$3 what=$4 addr count
  while read -r addr count; do
    deploy_say "  $what served by $addr: $count"
    ((count >= least)) || deploy_fail "$addr served $count $what (at least $least expected): the walk did not alternate"
  done < <(upstream_counts "$from" "$pattern" "$upstream_a" "$upstream_b")
}

from=$(($(access_log_lines) + 1))
run_playwright "$public" proxy-tests/two-servers.spec.ts
require_both '/' 10 "$from" "requests"
require_both '/(users|sub-accounts|security|reveal)' 1 "$from" "page loads"
require_both '/api/' 2 "$from" "server-function calls"
deploy_say "Playwright over both servers: ok"

from=$(($(access_log_lines) + 1))
(
  cd "$DEPLOY_DIR"
  REQUESTS_CA_BUNDLE="$DEPLOY_CERT" "$DEPLOY_PYTHON" "$DEPLOY_ROOT/tests/deploy/ovh_through_proxy.py" \
    "$public" "$DEPLOY_CERT"
) || deploy_fail "the official clients over both servers"
require_both '/1\.0/' 2 "$from" "OVH calls"

REQUESTS_CA_BUNDLE="$DEPLOY_CERT" "$DEPLOY_PYTHON" "$DEPLOY_ROOT/tests/deploy/race.py" \
  "$public" "$DEPLOY_DIR/nginx/access.log" "$upstream_a" "$upstream_b" \
  || deploy_fail "the races over both servers"

deploy_say "two servers: all checks passed"
