#!/usr/bin/env bash
# One Steward server (the release build, on a fresh SQLite database) behind Caddy (Debian's
# package) terminating TLS with a certificate made for this run, configured as an operator would:
# a site block with `tls CERT KEY` and a plain `reverse_proxy`, Caddy's default headers (the
# client's Host kept, X-Forwarded-For set). Caddy runs in the foreground with its files in the
# temporary directory, on one TCP port on 127.0.0.1 (no admin endpoint, no port 80, no HTTP/3).
# Then, through https://127.0.0.1:<caddy port> only:
#   - curl: the certificate, /healthz, HSTS; a client at 127.0.0.2 gets its own address (from
#     Caddy's X-Forwarded-For), not the one it claims in its own X-Forwarded-For;
#   - Playwright (end2end/proxy-tests/proxy.spec.ts), as behind nginx, except that Caddy 2.6
#     trusts no client's X-Forwarded-For (it replaces it): STEWARD_DEPLOY_XFF=replace;
#   - the official python-ovh and Tencent Cloud clients (tests/deploy/ovh_through_proxy.py).
# Exits non-zero on any failure (with the server log and Caddy's log), and always stops what it
# started and removes its temporary directory.
set -euo pipefail
# shellcheck source=tests/deploy/lib.sh
source "$(dirname "$0")/lib.sh"

deploy_init caddy caddy
make_cert
app_port=$(free_port)
caddy_port=$(free_port)
public="https://127.0.0.1:$caddy_port"

start_steward steward "$app_port" "$public"
wait_healthy "$app_port"
write_caddy_conf "$caddy_port" "127.0.0.1:$app_port"
start_caddy "$caddy_port"
check_tls_basics "$caddy_port"
check_forwarded_client "$caddy_port" 127.0.0.2

STEWARD_DEPLOY_XFF=replace run_playwright "$public" proxy-tests/proxy.spec.ts
deploy_say "Playwright through caddy: ok"

(
  cd "$DEPLOY_DIR"
  REQUESTS_CA_BUNDLE="$DEPLOY_CERT" "$DEPLOY_PYTHON" "$DEPLOY_ROOT/tests/deploy/ovh_through_proxy.py" \
    "$public" "$DEPLOY_CERT"
) || deploy_fail "the official clients through caddy"

deploy_say "caddy: all checks passed"
