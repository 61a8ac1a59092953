#!/usr/bin/env bash
# Backup and restore of a PostgreSQL deployment, with the commands the README shows:
#   1. a database `steward` owned by a role `steward`, as an operator sets it up;
#   2. the release binary on it (fixed server key): an account, an API token and an OVHcloud
#      application from the command line; over HTTP three users, a browser login, a consumer key;
#   3. the server stops; pg_dump; the database is dropped and created again, empty; pg_restore;
#   4. every table has the rows it had, and the server, restarted with the same key, serves them:
#      the token lists the same users, the browser's session still holds, a user logs in with
#      their password, the OVHcloud signature (its secret is sealed with the key) still verifies,
#      and a new user can be added (the sequences came back too).
# Run it on a throwaway cluster: tests/with-postgres.sh tests/deploy/pg-backup.sh
set -euo pipefail
shopt -s inherit_errexit

say() { echo "pg-backup: $*" >&2; }
fail() {
  echo "pg-backup: FAILED: $*" >&2
  exit 1
}
[[ -n "${STEWARD_TEST_POSTGRES_URL:-}" ]] \
  || fail "no STEWARD_TEST_POSTGRES_URL: run it as tests/with-postgres.sh tests/deploy/pg-backup.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
target=${CARGO_TARGET_DIR:-$HOME/.cache/steward/target}
[[ -x "$target/release/steward" ]] || fail "$target/release/steward not built (run: cargo leptos build --release)"
for tool in psql pg_dump pg_restore dropdb createdb; do
  [[ -x "$PG_BIN/$tool" ]] || fail "$PG_BIN/$tool missing (apt-get install -y postgresql-15)"
done
for tool in curl sha1sum python3; do
  command -v "$tool" >/dev/null || fail "$tool missing"
done

tmp=$(mktemp -d /tmp/steward-pg-backup.XXXXXX)
server=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [[ $status -ne 0 ]]; then
    local log
    for log in "$tmp"/server-*.log; do
      [[ -f "$log" ]] || continue
      echo "---- ${log##*/} (last 80 lines) ----" >&2
      tail -n 80 "$log" >&2 || true
    done
  fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A copy of the binary: a rebuild during the run cannot swap it.
bin="$tmp/steward"
cp "$target/release/steward" "$bin"
mkdir -m 700 "$tmp/data" "$tmp/backup"

# ---- 1. the database, as an operator creates it ----
admin_url=$STEWARD_TEST_POSTGRES_URL # postgres://postgres@127.0.0.1:PORT/postgres, a superuser
hostport=${admin_url#*://}
hostport=${hostport#*@}
hostport=${hostport%%/*}
pg_host=${hostport%:*}
pg_port=${hostport##*:}
db_url="postgres://steward:secret@$hostport/steward"
"$PG_BIN/psql" "$admin_url" -X -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE steward LOGIN PASSWORD 'secret'" \
  -c "CREATE DATABASE steward OWNER steward" >/dev/null \
  || fail "cannot create the role and the database steward"
say "database steward (owner steward) on $hostport"

# ---- Steward with a bare environment: only what is set here ----
server_key=5f3c8e2a9b1d4f6e0a7c3b8d2e9f1a4c6b0d8e3f7a2c5b9e1d4f8a0c3e6b2d7f
password='Velvet-Orbit-Canyon-42'
steward_env=(
  env -i PATH=/usr/bin:/bin HOME="$tmp"
  STEWARD_DATABASE_URL="$db_url" STEWARD_SERVER_KEY="$server_key"
  STEWARD_DATA_DIR="$tmp/data" STEWARD_COOKIE_SECURE=false
  LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=steward LEPTOS_ENV=PROD
  STEWARD_CLIENT_LOGINS_PER_MINUTE=0 STEWARD_CLIENT_SIGNUPS_PER_HOUR=0
  STEWARD_CLIENT_PASSWORD_CHECKS_PER_MINUTE=0
)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"

# `steward ARGS...` on the test database; its log goes to server-cli.log, its stdout is returned.
cli() {
  "${steward_env[@]}" "$bin" "$@" 2>>"$tmp/server-cli.log" || fail "steward $* failed (see server-cli.log)"
}

start_server() {
  local name=$1
  "${steward_env[@]}" "$bin" serve --addr "127.0.0.1:$port" >"$tmp/server-$name.log" 2>&1 &
  server=$!
  local _
  for _ in $(seq 1 150); do
    if curl -fsS "$base/healthz" >/dev/null 2>&1; then
      say "server ($name) healthy on $base"
      return 0
    fi
    kill -0 "$server" 2>/dev/null || fail "the server ($name) exited at start"
    sleep 0.1
  done
  fail "the server ($name) is not healthy on $base after 15 s"
}

stop_server() {
  kill -TERM "$server"
  local status=0
  wait "$server" || status=$?
  server=
  [[ $status -eq 0 ]] || fail "the server exited with $status on SIGTERM"
}

# A server function, POST /api/NAME with form fields NAME=VALUE...; AUTH is either
# "token" (the API token), "jar:FILE" (a cookie jar, read and written) or "none".
api() {
  local auth=$1 name=$2
  shift 2
  local args=(-sS -o "$tmp/answer" -w '%{http_code}' -X POST -H 'accept: application/json')
  case "$auth" in
    token) args+=(-H "authorization: APIKey $token") ;;
    jar:*) args+=(-b "${auth#jar:}" -c "${auth#jar:}") ;;
    none) ;;
  esac
  local field
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  local code
  code=$(curl "${args[@]}" "$base/api/$name") || fail "POST /api/$name: no answer"
  [[ "$code" == 200 ]] || fail "POST /api/$name answered $code: $(cat "$tmp/answer")"
  cat "$tmp/answer"
}

# A signed OVHcloud call GET /1.0/PATH with the application and consumer key ($1 = PATH).
ovh_get() {
  local url="$base/1.0/$1" ts sig code
  ts=$(curl -fsS "$base/1.0/auth/time") || fail "GET /1.0/auth/time failed"
  # shellcheck disable=SC2016 # a literal $1$
  sig='$1$'$(printf '%s' "$ovh_secret+$consumer_key+GET+$url++$ts" | sha1sum | cut -d' ' -f1)
  code=$(curl -sS -o "$tmp/answer" -w '%{http_code}' -H "X-Ovh-Application: $ovh_key" \
    -H "X-Ovh-Consumer: $consumer_key" -H "X-Ovh-Timestamp: $ts" -H "X-Ovh-Signature: $sig" "$url") \
    || fail "GET /1.0/$1: no answer"
  [[ "$code" == 200 ]] || fail "signed GET /1.0/$1 answered $code: $(cat "$tmp/answer")"
  cat "$tmp/answer"
}

# Prints the Python expression $1 of the JSON document on stdin, named d. Silent on an empty
# input: the command that should have written it has already said why it failed.
json() {
  python3 -c '
import json, sys
text = sys.stdin.read()
if not text.strip():
    sys.exit(1)
print(eval(sys.argv[1], {"d": json.loads(text)}))' "$1"
}

logins_via_token() { api token list_users | json '" ".join(sorted(u["login"] for u in d["users"]))'; }

# Every table of the database with its row count, one "schema.table|count" line each.
row_counts() {
  "$PG_BIN/psql" "$db_url" -X -A -t -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT string_agg(format('SELECT %L, count(*) FROM %I.%I', n.nspname || '.' || c.relname,
                         n.nspname, c.relname), ' UNION ALL ' ORDER BY n.nspname, c.relname)
       || ' ORDER BY 1'
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
\gexec
SQL
}

# ---- 2. data made before the backup ----
cli migrate >/dev/null
account=$(printf '%s\n' "$password" | cli account create --company 'Backup Test Co' \
  --email holder@example.com --password-stdin)
[[ "$account" =~ ^[0-9]{4}-[0-9]{3}-[0-9]{2}$ ]] || fail "account create printed \"$account\""
token=$(cli credentials create --account "$account" --kind token --name backup-test | json 'd["token"]')
ovh_app=$(cli credentials create --account "$account" --kind ovh-application --name backup-test)
ovh_key=$(json 'd["application_key"]' <<<"$ovh_app")
ovh_secret=$(json 'd["application_secret"]' <<<"$ovh_app")
say "account $account, an API token and an OVHcloud application from the command line"

start_server before
for user in ana.lopez:DEFAULT bo.chen:ADMIN cy.ndiaye:UNPRIVILEGED; do
  api token create_user "login=${user%%:*}" "email=${user%%:*}@example.com" "group=${user#*:}" \
    "description=made before the backup" "password=$password" >/dev/null
done
users_before=$(logins_via_token)
[[ "$users_before" == "ana.lopez bo.chen cy.ndiaye" ]] || fail "users before the backup: $users_before"

jar="$tmp/ana.cookies"
api "jar:$jar" login "account_id=$account/ana.lopez" "password=$password" >/dev/null
[[ "$(api "jar:$jar" whoami | json 'd["login_id"]')" == "$account/ana.lopez" ]] || fail "ana.lopez is not logged in"

consumer_key=$(curl -fsS -X POST -H "X-Ovh-Application: $ovh_key" -H 'content-type: application/json' \
  -d '{"accessRules":[{"method":"GET","path":"/me/identity/user"}]}' "$base/1.0/auth/credential" \
  | json 'd["consumerKey"]') || fail "POST /1.0/auth/credential failed"
cli ovh validate-consumer-key --key "$consumer_key" --user "$account" >/dev/null
ovh_before=$(ovh_get me/identity/user | json '" ".join(sorted(d))')
[[ "$ovh_before" == "$users_before" ]] || fail "OVHcloud lists \"$ovh_before\", the panel \"$users_before\""
say "before the backup: users $users_before; ana.lopez logged in; OVHcloud signed calls work"

stop_server
row_counts >"$tmp/rows-before"
[[ -s "$tmp/rows-before" ]] || fail "no table in the database"

# ---- 3. backup, drop, create, restore: the README's commands, run as written ----
# STEWARD_DATABASE_URL is the app's own URL (the role steward); dropdb and createdb run as the
# superuser, reached here through PGHOST, PGPORT and PGUSER (on a database host: sudo -u postgres).
# shellcheck disable=SC2016 # run by bash -c, with the variable set there
backup_cmd='pg_dump --format=custom --file=steward.dump "$STEWARD_DATABASE_URL"'
drop_cmd='dropdb steward'
create_cmd='createdb --owner=steward steward'
# shellcheck disable=SC2016
restore_cmd='pg_restore --single-transaction --no-owner --dbname="$STEWARD_DATABASE_URL" steward.dump'
as_app=(env PATH="$PG_BIN:$PATH" STEWARD_DATABASE_URL="$db_url")
as_superuser=(env PATH="$PG_BIN:$PATH" PGHOST="$pg_host" PGPORT="$pg_port" PGUSER=postgres)
shown() {
  local who=$1 cmd=$2
  shift 2
  echo "+ $cmd    # as the $who" >&2
  (cd "$tmp/backup" && umask 077 && "$@" bash -euo pipefail -c "$cmd") || fail "$cmd"
}
shown "app's role" "$backup_cmd" "${as_app[@]}"
[[ -s "$tmp/backup/steward.dump" ]] || fail "pg_dump wrote no steward.dump"
say "steward.dump: $(wc -c <"$tmp/backup/steward.dump") bytes, mode $(stat -c %a "$tmp/backup/steward.dump")"
shown "superuser" "$drop_cmd" "${as_superuser[@]}"
shown "superuser" "$create_cmd" "${as_superuser[@]}"
[[ -z "$(row_counts)" ]] || fail "the database created again is not empty"
shown "app's role" "$restore_cmd" "${as_app[@]}"

row_counts >"$tmp/rows-after"
diff -u "$tmp/rows-before" "$tmp/rows-after" >&2 \
  || fail "the restored tables' row counts differ (above: - before the backup, + restored)"
say "all $(wc -l <"$tmp/rows-before") tables restored with their row counts"

# ---- 4. the restored database, served again with the same key ----
start_server after
[[ "$(api token whoami | json 'd["login_id"]')" == "$account" ]] || fail "the API token no longer acts as the holder"
users_after=$(logins_via_token)
[[ "$users_after" == "$users_before" ]] || fail "users after the restore: \"$users_after\", before: \"$users_before\""
[[ "$(api "jar:$jar" whoami | json 'd["login_id"]')" == "$account/ana.lopez" ]] \
  || fail "ana.lopez's session from before the backup no longer holds"
bo_jar="$tmp/bo.cookies"
api "jar:$bo_jar" login "account_id=$account/bo.chen" "password=$password" >/dev/null
[[ "$(api "jar:$bo_jar" whoami | json 'd["login_id"]')" == "$account/bo.chen" ]] \
  || fail "bo.chen cannot log in with the password set before the backup"
ovh_after=$(ovh_get me/identity/user | json '" ".join(sorted(d))')
[[ "$ovh_after" == "$users_before" ]] || fail "OVHcloud lists \"$ovh_after\" after the restore"
api token create_user login=dee.after email=dee@example.com group=DEFAULT \
  "description=made after the restore" "password=$password" >/dev/null
[[ "$(logins_via_token)" == "ana.lopez bo.chen cy.ndiaye dee.after" ]] \
  || fail "a user added after the restore is not listed: $(logins_via_token)"
stop_server
say "after the restore: the token lists $users_after; ana.lopez's session holds; bo.chen logs in;"
say "  the OVHcloud signature verifies (sealed secret opened with the same key); new users can be added"

cat >&2 <<'EOF'
pg-backup: ok. The commands, as the README shows them:
  # Back up (Steward may keep running; the dump is one consistent snapshot). The server key is
  # not in the dump: without the same STEWARD_SERVER_KEY (or key file) the sealed secrets are lost.
  umask 077
EOF
cat >&2 <<EOF
  $backup_cmd
  # Restore: stop every Steward server, then as a PostgreSQL superuser (sudo -u postgres):
  $drop_cmd
  $create_cmd
  # then as the app's role, and start Steward again with the same server key:
  $restore_cmd
EOF
