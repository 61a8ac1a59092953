#!/usr/bin/env bash
# `make audit`: the dependency audit (cargo-deny).
#   bans        crates that must never be linked (deny.toml): always checked.
#   advisories  known vulnerabilities, against the RustSec advisory database. cargo-deny fetches
#               it from github.com; a machine that cannot reach it (this project's CI machines
#               reach only the package registries) keeps whatever copy it has. Without any copy
#               the check cannot run: it says so and is skipped, unless STEWARD_AUDIT_STRICT=1
#               makes that a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo deny --log-level error check bans

db="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if cargo deny --log-level error check advisories 2>/tmp/steward-audit.$$; then
  rm -f /tmp/steward-audit.$$
  echo "audit: advisories checked"
elif ls "$db"/*/.git >/dev/null 2>&1 && cargo deny --log-level error check --disable-fetch advisories; then
  rm -f /tmp/steward-audit.$$
  echo "audit: advisories checked against the local copy in $db (github.com unreachable)"
elif grep -qiE "advisory|fetch|git|network|resolve|connect" /tmp/steward-audit.$$ \
     && ! grep -qE "error\[(vulnerability|unmaintained|unsound|yanked)\]" /tmp/steward-audit.$$; then
  cat /tmp/steward-audit.$$ >&2
  rm -f /tmp/steward-audit.$$
  if [[ "${STEWARD_AUDIT_STRICT:-0}" == 1 ]]; then
    echo "audit: the RustSec advisory database cannot be fetched (STEWARD_AUDIT_STRICT=1)" >&2
    exit 1
  fi
  echo "audit: SKIPPED advisories: the RustSec advisory database cannot be fetched from this machine" >&2
else
  cat /tmp/steward-audit.$$ >&2
  rm -f /tmp/steward-audit.$$
  exit 1
fi
