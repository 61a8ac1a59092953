#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster: initdb into a temporary directory,
# start it on a free loopback port, export STEWARD_TEST_POSTGRES_URL, run the command, then stop
# the cluster and delete it. Fails loudly when no cluster can be started: the PostgreSQL tests
# never skip silently.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x "$PG_BIN/initdb" ]]; then
  echo "with-postgres: $PG_BIN/initdb not found; install postgresql-15 (make test-tools does)" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/steward-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

# PostgreSQL refuses to run as root: use the postgres user when we are root.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; echo "with-postgres: initdb failed" >&2; exit 1; }
pg_options="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" start -o "$pg_options" >/dev/null \
  || { cat "$dir/server.log" >&2; echo "with-postgres: the cluster did not start" >&2; exit 1; }

export STEWARD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
# What a test needs to stop and start this cluster itself (tests/outage.rs):
#   ${STEWARD_TEST_PG_AS[@]} "$STEWARD_TEST_PG_CTL" -D "$STEWARD_TEST_PG_DATA" -m immediate stop
#   ${STEWARD_TEST_PG_AS[@]} "$STEWARD_TEST_PG_CTL" -D "$STEWARD_TEST_PG_DATA" -w \
#     -l "$STEWARD_TEST_PG_LOG" start -o "$STEWARD_TEST_PG_OPTIONS"
# STEWARD_TEST_PG_AS is the command prefix to run as the postgres user (empty unless root).
export STEWARD_TEST_PG_CTL="$PG_BIN/pg_ctl"
export STEWARD_TEST_PG_DATA="$dir/data"
export STEWARD_TEST_PG_LOG="$dir/server.log"
export STEWARD_TEST_PG_OPTIONS="$pg_options"
export STEWARD_TEST_PG_AS="${as_pg[*]}"
echo "with-postgres: PostgreSQL running on port $port" >&2
"$@"
