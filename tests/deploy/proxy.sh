#!/usr/bin/env bash
# One Steward server (the release build, on a fresh SQLite database) behind a real nginx that
# terminates TLS with a certificate made for this run, configured as an operator would: a plain
# `proxy_pass` with nginx's default headers (so the Host Steward sees is its own address) plus
# X-Forwarded-For. Then, through https://127.0.0.1:<nginx port> only:
#   - curl: the certificate, /healthz, HSTS;
#   - Playwright (end2end/proxy-tests/proxy.spec.ts): sign-up, log-in, a user, two-factor
#     enrolment and a login with a code, a sub-account's one-time credentials, with and without
#     JavaScript; the session cookie is Secure; a client's X-Forwarded-For is the address shown;
#   - the official python-ovh and Tencent Cloud clients (tests/deploy/ovh_through_proxy.py),
#     whose signatures cover the public URL.
# Exits non-zero on any failure (with the server log and nginx's error log), and always stops
# what it started and removes its temporary directory.
set -euo pipefail
# shellcheck source=tests/deploy/lib.sh
source "$(dirname "$0")/lib.sh"

deploy_init proxy
make_cert
app_port=$(free_port)
nginx_port=$(free_port)
public="https://127.0.0.1:$nginx_port"

start_steward steward "$app_port" "$public"
wait_healthy "$app_port"
write_nginx_conf "$nginx_port" "127.0.0.1:$app_port"
start_nginx "$nginx_port"
check_tls_basics "$nginx_port"

run_playwright "$public" proxy-tests/proxy.spec.ts
deploy_say "Playwright through nginx: ok"

(
  cd "$DEPLOY_DIR"
  REQUESTS_CA_BUNDLE="$DEPLOY_CERT" "$DEPLOY_PYTHON" "$DEPLOY_ROOT/tests/deploy/ovh_through_proxy.py" \
    "$public" "$DEPLOY_CERT"
) || deploy_fail "the official clients through nginx"

deploy_say "proxy: all checks passed"
