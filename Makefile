# Steward's two commands: `make run` serves the panel, `make test` checks everything.
# Both install what they need on a fresh machine and skip what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# The build directory lives outside the clone so that fresh clones (CI) reuse earlier builds.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/steward/target
# Incremental caches help while editing, not a clone built once: they grow by gigabytes a run.
export CARGO_INCREMENTAL ?= 0
NODE_BIN := $(CURDIR)/end2end/node_modules/.bin
# binaryen's wasm-opt from npm comes first: Debian's older one breaks hydration.
export PATH := $(NODE_BIN):$(HOME)/.cargo/bin:$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The providers' official clients for the conformance tests, in a venv outside the clone.
COMPAT_VENV := $(HOME)/.cache/steward/venv
export STEWARD_COMPAT_PYTHON := $(COMPAT_VENV)/bin/python

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
CARGO_DENY_VERSION := 0.20.2

.PHONY: run test tools test-tools audit audit-tools lint unit integration integration-sqlite integration-postgres e2e build clean \
	deploy deploy-proxy deploy-caddy deploy-two-servers dist dist-test deploy-pg-backup \
	reliability reliability-suite reliability-sqlite reliability-postgres outage reliability-properties \
	bench bench-tools

## Serve the panel on SQLite at http://127.0.0.1:3000 (plain http, so cookies are not Secure).
run: tools
	STEWARD_COOKIE_SECURE=$${STEWARD_COOKIE_SECURE:-false} cargo leptos serve --release

## Everything: format, lints, the dependency audit, unit tests, integration tests on SQLite and
## PostgreSQL, the short reliability suite, Playwright, and the deployment checks (nginx with TLS,
## two servers on one PostgreSQL, the release archive, PostgreSQL backup and restore).
test: tools test-tools lint audit unit integration reliability-suite e2e deploy
	@echo "make test: all checks passed"

## The full reliability suite (not part of `make test`): 100 crash rounds on each database and a
## 60-second load, plus the database outage.
reliability: tools test-tools
	STEWARD_CRASH_ROUNDS=100 STEWARD_LOAD_SECONDS=60 $(MAKE) reliability-suite
	$(MAKE) reliability-properties
	@echo "make reliability: all checks passed"

tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q '$(CARGO_LEPTOS_VERSION)' \
	  || cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads
	@# wasm-bindgen-cli's own lockfile pins a crate the registry lacks: installed without --locked.
	@wasm-bindgen --version 2>/dev/null | grep -q '$(WASM_BINDGEN_VERSION)' \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@[ -x $(NODE_BIN)/wasm-opt ] && [ -x $(NODE_BIN)/playwright ] \
	  || (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)

test-tools:
	@command -v /usr/bin/chromium >/dev/null \
	  || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)
	@[ -x /usr/lib/postgresql/15/bin/initdb ] \
	  || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql-15)
	@# nginx for the deployment checks; Debian's package starts no service in a container.
	@[ -x /usr/sbin/nginx ] \
	  || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nginx-light)
	@[ -x /usr/bin/caddy ] \
	  || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q caddy)
	@# Reinstalled only when the pinned list changes.
	@cmp -s tests/compat/requirements.txt $(COMPAT_VENV)/requirements.txt 2>/dev/null \
	  || (python3 -m venv $(COMPAT_VENV) \
	      && $(COMPAT_VENV)/bin/pip install -q --disable-pip-version-check -r tests/compat/requirements.txt \
	      && cp tests/compat/requirements.txt $(COMPAT_VENV)/requirements.txt)
	@[ -d tests/compat/node_modules/@ovhcloud/node-ovh ] \
	  || (cd tests/compat && npm ci --no-audit --no-fund)

## The dependency audit: `cargo deny check bans advisories` (deny.toml lists the exceptions).
## The advisory database comes from github.com: see tests/audit.sh for a machine that cannot reach it.
audit: audit-tools
	tests/audit.sh

audit-tools:
	@cargo deny --version 2>/dev/null | grep -q '$(CARGO_DENY_VERSION)' \
	  || cargo install cargo-deny --version $(CARGO_DENY_VERSION) --locked

## Formatting, clippy, and the shape of src/ (no import cycle between areas, unique file names,
## a comment atop every folder, no server file over 520 lines: tests/lint/layout.py).
lint:
	python3 tests/lint/layout.py
	cargo fmt --check
	cargo fmt --check --manifest-path tests/bench/Cargo.toml
	rustfmt --edition 2024 --check tests/common/src/lib.rs
	cargo clippy --all-targets --features ssr -- -D warnings

## Unit tests, with a short run (256 cases each) of the property tests for bad input.
unit:
	cargo test --features ssr --lib --bins

integration: integration-sqlite integration-postgres

integration-sqlite:
	cargo test --features ssr --test api

## Starts a throwaway PostgreSQL cluster, runs the same integration tests against it, removes it.
integration-postgres:
	tests/with-postgres.sh cargo test --features ssr --test api

## Kills Steward mid-write and checks the database (crash), and a mixed load (load): on SQLite,
## then on PostgreSQL; then the database outage. `make test` keeps them short (5 crash rounds,
## 10 s of load); `make reliability` sets STEWARD_CRASH_ROUNDS and STEWARD_LOAD_SECONDS higher.
reliability-suite: reliability-sqlite reliability-postgres outage

# One test at a time: the load test measures the server's memory, the crash test kills servers.
reliability-sqlite:
	cargo test --features ssr --test reliability -- --test-threads=1

reliability-postgres:
	tests/with-postgres.sh cargo test --features ssr --test reliability -- --test-threads=1

## Stops the PostgreSQL cluster under load, so it runs alone on a cluster of its own.
outage:
	tests/with-postgres.sh cargo test --features ssr --test outage

build: tools
	cargo leptos build --release

## Playwright in headless Debian Chromium against a release build on a fresh SQLite database.
e2e: build
	end2end/run.sh

## The deployment checks, against the release build: Playwright and the official OVHcloud and
## Tencent Cloud clients through nginx with TLS (tests/deploy/proxy.sh); two servers behind one
## nginx on one PostgreSQL (two-servers.sh); the release archive unpacked and started elsewhere;
## a PostgreSQL dump and restore.
deploy: deploy-proxy deploy-caddy deploy-two-servers dist-test deploy-pg-backup

deploy-proxy: build
	tests/deploy/proxy.sh

deploy-caddy: build
	tests/deploy/caddy.sh

deploy-two-servers: build
	tests/with-postgres.sh tests/deploy/two-servers.sh

deploy-pg-backup: build
	tests/with-postgres.sh tests/deploy/pg-backup.sh

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DIST := dist/steward-$(VERSION)-$(shell uname -m)-linux.tar.gz

## The release archive: dist/steward-VERSION-ARCH-linux.tar.gz (binary, site, systemd unit,
## example environment file, README).
dist: build
	tests/deploy/dist.sh dist

## Unpacks the archive into a temporary folder and serves a styled, hydrating page from it.
dist-test: dist
	tests/deploy/dist-test.sh $(DIST)

## Longer runs of the checks that look for rare failures; not part of `make test`.

## The property tests for bad input (login IDs, OVH signatures, the TC3 Authorization header,
## the compatible APIs' JSON bodies) with many more cases: PROPTEST_CASES=N to change.
reliability-properties:
	PROPTEST_CASES=$${PROPTEST_CASES:-20000} cargo test --features ssr --lib properties

## The release build under load on SQLite and a throwaway PostgreSQL: prints a table and writes
## target/bench/bench.md and target/bench/bench.json. Not part of `make test`.
bench: build bench-tools
	tests/with-postgres.sh cargo run --release --manifest-path tests/bench/Cargo.toml

bench-tools:
	@command -v sqlite3 >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q sqlite3)
	@[ -x /usr/lib/postgresql/15/bin/initdb ] && command -v psql >/dev/null \
	  || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql-15)

clean:
	cargo clean
