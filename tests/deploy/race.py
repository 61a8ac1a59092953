"""Concurrent creations through nginx, spread over two Steward servers on one database.
Usage: race.py PUBLIC_URL ACCESS_LOG UPSTREAM_A UPSTREAM_B   (REQUESTS_CA_BUNDLE=the cert)

Twenty clients sign up the same company at the same moment, then twenty create the same login
in one account. As in tests/api/races.rs, but across processes: exactly one of each succeeds,
every other gets exactly the conflict a lone latecomer gets (409 naming the one field), and no
answer is a 5xx or mentions a database failure. nginx's access log must show that both servers
took part in each race. With STEWARD_TEST_POSTGRES_URL set, the database is counted too."""

import json
import os
import subprocess
import sys
import threading
import uuid

import requests

public, access_log, *upstreams = sys.argv[1:]
assert len(upstreams) == 2, "two upstream addresses"
RACERS = 20
PASSWORD = "Velvet-Orbit-Canyon-42"
run = uuid.uuid4().hex[:10]


def post(endpoint, form, cookies=None):
    """A server function as the hydrated page calls it: (status, body). Each call opens its own
    connection, so that nginx spreads them."""
    r = requests.post(
        f"{public}/api/{endpoint}",
        data=form,
        cookies=cookies,
        headers={"Accept": "application/json"},
        allow_redirects=False,
        timeout=120,
    )
    return r.status_code, r.text, r


def race(make_form, endpoint, cookies=None):
    """RACERS simultaneous calls; the (status, body) of each."""
    barrier = threading.Barrier(RACERS)
    answers = [None] * RACERS
    errors = []

    def racer(i):
        form = make_form(i)
        try:
            barrier.wait(timeout=30)
            status, body, _ = post(endpoint, form, cookies)
            answers[i] = (status, body)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"racer {i}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, "\n".join(errors)
    return answers


def assert_clean(status, body):
    lower = body.lower()
    assert status < 500, f"a server error: {status}: {body}"
    assert "database is locked" not in lower and "internal" not in lower, f"{status}: {body}"


def assert_conflict(answer, field):
    status, body = answer
    assert status == 409, f"a conflict expected, got {status}: {body}"
    fields = json.loads(body).get("Invalid")
    assert isinstance(fields, list) and len(fields) == 1 and fields[0]["field"] == field, body


def assert_one_winner(what, answers, latecomer):
    winners = 0
    for status, body in answers:
        assert_clean(status, body)
        if status == 200:
            winners += 1
        else:
            assert (status, body) == latecomer, f"{what}: a loser got {status}: {body}, a latecomer {latecomer}"
    assert winners == 1, f"{what}: {winners} of {RACERS} succeeded: {answers}"
    print(f"race {what}: 1 of {RACERS} succeeded, {RACERS - 1} got {latecomer[0]}")


def log_lines():
    with open(access_log, encoding="utf-8") as f:
        return f.read().splitlines()


def assert_both_served(what, endpoint, before):
    lines = [line for line in log_lines()[before:] if f"POST /api/{endpoint} " in line]
    counts = {u: sum(1 for line in lines if f"upstream={u}" in line) for u in upstreams}
    print(f"race {what}: {counts}")
    for u, n in counts.items():
        assert n >= 1, f"{what}: {u} served none of the racing requests: {counts}"


def psql(sql):
    url = os.environ.get("STEWARD_TEST_POSTGRES_URL")
    if not url:
        return None
    out = subprocess.run(["psql", url, "-Atc", sql], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


# ---- Twenty sign-ups of one company ----
company = f"Race {run}"
before = len(log_lines())
answers = race(
    lambda i: {"company": company, "email": f"holder{i}-{run}@example.com", "password": PASSWORD},
    "signup",
)
latecomer = post("signup", {"company": company, "email": f"late-{run}@example.com", "password": PASSWORD})[:2]
assert_conflict(latecomer, "company")
assert_one_winner("sign-ups of one company", answers, latecomer)
assert_both_served("sign-ups of one company", "signup", before)
count = psql(f"SELECT COUNT(*) FROM accounts WHERE company_key = lower('{company}') AND parent_id IS NULL")
assert count in (None, 1), f"{count} accounts named {company}"

# ---- Twenty creations of one login in one account ----
status, body, response = post(
    "signup", {"company": f"Holder {run}", "email": f"holder-{run}@example.com", "password": PASSWORD}
)
assert status == 200, f"{status}: {body}"
account_id = response.json()
session = {c.name: c.value for c in response.cookies}
assert "__Host-steward" in session, f"no session cookie: {list(session)}"


def user_form(i):
    return {
        "login": "racer",
        "email": f"racer{i}-{run}@example.com",
        "group": "DEFAULT",
        "description": "",
        "password": PASSWORD,
    }


before = len(log_lines())
answers = race(user_form, "create_user", session)
latecomer = post("create_user", user_form(RACERS), session)[:2]
assert_conflict(latecomer, "login")
assert_one_winner("creations of one login", answers, latecomer)
assert_both_served("creations of one login", "create_user", before)
count = psql(
    "SELECT COUNT(*) FROM users WHERE login_key = 'racer' AND account_id = "
    f"(SELECT id FROM accounts WHERE code = '{account_id}')"
)
assert count in (None, 1), f"{count} users racer in {account_id}"
print("races over both servers: ok")
