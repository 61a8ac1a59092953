#!/usr/bin/env bash
# Starts the release build of Steward on a fresh SQLite database and a free port, waits until it
# is healthy, runs the Playwright suite against it, and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
bin="$target/release/steward"
[[ -x "$bin" ]] || { echo "e2e: $bin not built (run: cargo leptos build --release)" >&2; exit 1; }
[[ -x /usr/bin/chromium ]] || { echo "e2e: /usr/bin/chromium missing (make test-tools installs it)" >&2; exit 1; }

data=$(mktemp -d /tmp/steward-e2e.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"

# A real SMTP server (tests/mail/smtp_server.py) takes the mail Steward sends; each message lands
# in $mail as NNNN.json, where the recovery tests read their links.
python=${STEWARD_COMPAT_PYTHON:-$HOME/.cache/steward/venv/bin/python}
mail=$(mktemp -d /tmp/steward-e2e-mail.XXXXXX)
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$python" tests/mail/smtp_server.py "$smtp_port" "$mail" >"$data/smtp.log" 2>&1 &
smtp=$!
server=
cleanup() {
  [[ -n "$server" ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  kill "$smtp" 2>/dev/null || true
  wait "$smtp" 2>/dev/null || true
  rm -rf "$data" "$mail"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -qx ready "$data/smtp.log" 2>/dev/null && break
  kill -0 "$smtp" 2>/dev/null || { cat "$data/smtp.log" >&2; echo "e2e: SMTP server exited" >&2; exit 1; }
  sleep 0.1
done
grep -qx ready "$data/smtp.log" || { cat "$data/smtp.log" >&2; echo "e2e: SMTP server not ready" >&2; exit 1; }

# Every test comes from this one address: the per-client limits are off here (tests/api/abuse.rs
# covers them). A login locks after five failures, so that a test reaches the lock at once.
LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=steward LEPTOS_ENV=PROD \
LEPTOS_SITE_ADDR="127.0.0.1:$port" STEWARD_DATA_DIR="$data" STEWARD_COOKIE_SECURE=false \
STEWARD_CLIENT_LOGINS_PER_MINUTE=0 STEWARD_CLIENT_SIGNUPS_PER_HOUR=0 STEWARD_CLIENT_PASSWORD_CHECKS_PER_MINUTE=0 \
STEWARD_LOGIN_LOCK_AFTER=5 \
STEWARD_SMTP_URL="smtp://127.0.0.1:$smtp_port" STEWARD_MAIL_FROM='Steward <panel@steward.test>' \
STEWARD_MAIL_RETRY_SECONDS=1 STEWARD_PUBLIC_URL="$base" \
  "$bin" serve >"$data/server.log" 2>&1 &
server=$!

for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log" >&2; echo "e2e: server exited" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null || { cat "$data/server.log" >&2; echo "e2e: server not healthy" >&2; exit 1; }

cd end2end
status=0
STEWARD_E2E_BASE_URL="$base" STEWARD_E2E_MAIL_DIR="$mail" npx playwright test "$@" || status=$?
if [[ $status -ne 0 ]]; then
  echo "---- server log ----" >&2
  tail -n 100 "$data/server.log" >&2
  echo "---- SMTP server log ----" >&2
  tail -n 20 "$data/smtp.log" >&2
fi
exit $status
