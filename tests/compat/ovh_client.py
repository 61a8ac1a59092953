"""The official OVHcloud client (ovh 1.2.0) against Steward's /1.0: the server time, consumer-key
requests, identity users and groups, sub-accounts and their consumer keys, with the error cases.
Usage: ovh_client.py BASE_URL APP_KEY APP_SECRET CONSUMER_KEY READ_ONLY_KEY REVOKED_KEY
(CONSUMER_KEY: authorized by the account's holder for every method on /*; READ_ONLY_KEY: authorized
for GET /me/identity/* only; REVOKED_KEY: authorized, then revoked)."""

import sys

import ovh
from ovh.exceptions import (
    BadParametersError,
    Forbidden,
    InvalidCredential,
    InvalidKey,
    NotCredential,
    NotGrantedCall,
    ResourceConflictError,
    ResourceNotFoundError,
)

base, app_key, app_secret, consumer_key, read_only_key, revoked_key = sys.argv[1:7]
ovh.client.ENDPOINTS["steward"] = base + "/1.0"
STRONG = "Quartz-Lantern-Meadow-97"


def client(ck, secret=app_secret, key=app_key):
    return ovh.Client(
        endpoint="steward", application_key=key, application_secret=secret, consumer_key=ck
    )


def expect_error(kind, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except kind as e:
        return e
    except Exception as e:  # noqa: BLE001 - say which exception it was
        raise AssertionError(f"{args} raised {type(e).__name__}: {e}, not {kind.__name__}") from e
    raise AssertionError(f"{args} did not raise {kind.__name__}")


admin = client(consumer_key)

# The server time: a bare integer, unsigned.
now = admin.get("/auth/time", _need_auth=False)
assert isinstance(now, int) and now > 1_700_000_000, now

# A consumer-key request: pending until a user authorizes it on its validation page.
pending = client(None)
request = pending.request_consumerkey(
    [{"method": "GET", "path": "/me/*"}], redirect_url="https://app.example/done"
)
assert request["state"] == "pendingValidation", request
assert "/ovh/authorize/" in request["validationUrl"], request
assert request["consumerKey"] and request["consumerKey"] not in request["validationUrl"]
expect_error(NotCredential, pending.get, "/me/identity/user")
ck_request = client(None).new_consumer_key_request()
ck_request.add_recursive_rules(ovh.API_READ_WRITE, "/me/identity")
assert ck_request.request()["state"] == "pendingValidation"
expect_error(BadParametersError, client(None).request_consumerkey, [])
expect_error(
    BadParametersError, client(None).request_consumerkey, [{"method": "PATCH", "path": "/me"}]
)

# The caller's account: python-ovh's first example, `client.get('/me')['firstname']`.
me = admin.get("/me")
assert me["nichandle"] and me["customerCode"] == me["nichandle"], me
assert me["firstname"] and me["email"] and me["state"] == "complete", me
assert me["language"] in ("en_GB", "fr_FR"), me

# The key's own credential, and the caller's keys and applications (python-ovh's README walks
# /me/api/credential, then each credential and its application).
current = admin.get("/auth/currentCredential")
assert current["status"] == "validated" and current["rules"], current
assert {"method": "GET", "path": "/*"} in current["rules"], current
# Any key may read its own credential, whatever its rules.
read_only_current = client(read_only_key).get("/auth/currentCredential")
assert read_only_current["rules"] == [{"method": "GET", "path": "/me/identity/*"}], read_only_current
validated = admin.get("/me/api/credential", status="validated")
assert current["credentialId"] in validated, validated
assert read_only_current["credentialId"] in validated, validated
by_app = admin.get("/me/api/credential", applicationId=current["applicationId"])
assert current["credentialId"] in by_app, by_app
assert admin.get("/me/api/credential", applicationId=999999) == []
credential = admin.get(f"/me/api/credential/{current['credentialId']}")
assert credential["credentialId"] == current["credentialId"], credential
assert credential["creation"] and credential["status"] == "validated", credential
assert credential["applicationId"] == current["applicationId"], credential
application = admin.get(f"/me/api/credential/{current['credentialId']}/application")
assert application["applicationKey"] == app_key and application["status"] == "active", application
assert "applicationSecret" not in application, application
assert current["applicationId"] in admin.get("/me/api/application")
assert admin.get(f"/me/api/application/{current['applicationId']}")["name"] == application["name"]
expect_error(ResourceNotFoundError, admin.get, "/me/api/credential/999999")
expect_error(ResourceNotFoundError, admin.get, "/me/api/application/999999")

# Identity users: the panel's password policy and privileges.
assert admin.get("/me/identity/user") == []
weak = expect_error(
    BadParametersError,
    admin.post,
    "/me/identity/user",
    login="alice",
    email="alice@example.com",
    password="password",
    group="DEFAULT",
    description="",
)
assert "password" in str(weak), weak
assert admin.get("/me/identity/user") == []
created = admin.post(
    "/me/identity/user",
    login="alice",
    email="alice@example.com",
    password=STRONG,
    group="DEFAULT",
    description="Ops",
)
assert created is None, created
expect_error(
    ResourceConflictError,
    admin.post,
    "/me/identity/user",
    login="ALICE",
    email="other@example.com",
    password=STRONG,
)
expect_error(
    BadParametersError,
    admin.post,
    "/me/identity/user",
    login="no spaces",
    email="x@example.com",
    password=STRONG,
)
assert admin.get("/me/identity/user") == ["alice"]
user = admin.get("/me/identity/user/alice")
assert user["login"] == "alice" and user["email"] == "alice@example.com", user
assert user["group"] == "DEFAULT" and user["description"] == "Ops" and user["status"] == "OK", user
assert user["creation"] and user["lastUpdate"] and user["passwordLastUpdate"] and user["urn"], user
assert admin.put("/me/identity/user/alice", description="Ops lead", group="ADMIN") is None
user = admin.get("/me/identity/user/alice")
assert user["description"] == "Ops lead" and user["group"] == "ADMIN" and user["email"] == "alice@example.com"
expect_error(BadParametersError, admin.put, "/me/identity/user/alice", group="NOPE")
expect_error(BadParametersError, admin.put, "/me/identity/user/alice", email="not an address")
assert admin.post("/me/identity/user/alice/disable") is None
assert admin.get("/me/identity/user/alice")["status"] == "DISABLED"
assert admin.post("/me/identity/user/alice/enable") is None
assert admin.get("/me/identity/user/alice")["status"] == "OK"
expect_error(ResourceNotFoundError, admin.get, "/me/identity/user/nobody")
expect_error(ResourceNotFoundError, admin.post, "/me/identity/user/nobody/disable")

# Groups: built-in ones keep their role and cannot be deleted.
groups = admin.get("/me/identity/group")
assert {"ADMIN", "DEFAULT", "UNPRIVILEGED"} <= set(groups), groups
created_group = admin.post("/me/identity/group", name="auditors", role="NONE", description="Read only")
assert created_group["name"] == "auditors" and created_group["urn"], created_group
group = admin.get("/me/identity/group/auditors")
assert group["name"] == "auditors" and group["role"] == "UNPRIVILEGED", group
assert group["description"] == "Read only" and group["defaultGroup"] is False and group["creation"], group
expect_error(ResourceConflictError, admin.post, "/me/identity/group", name="Auditors", role="REGULAR")
expect_error(BadParametersError, admin.post, "/me/identity/group", name="x", role="ROOT")
assert admin.put("/me/identity/group/auditors", role="REGULAR", description="Now writes") is None
group = admin.get("/me/identity/group/auditors")
assert group["role"] == "REGULAR" and group["description"] == "Now writes", group
assert admin.get("/me/identity/group/DEFAULT")["defaultGroup"] is True
expect_error(BadParametersError, admin.put, "/me/identity/group/ADMIN", role="NONE")
expect_error(BadParametersError, admin.delete, "/me/identity/group/ADMIN")
assert admin.delete("/me/identity/group/auditors") is None
expect_error(ResourceNotFoundError, admin.get, "/me/identity/group/auditors")
assert admin.delete("/me/identity/user/alice") is None
expect_error(ResourceNotFoundError, admin.get, "/me/identity/user/alice")
assert admin.get("/me/identity/user") == []

# Sub-accounts, and a consumer key acting in one.
first = admin.post("/me/subAccount", description="Branch office")
assert isinstance(first, int), first
again = admin.post("/me/subAccount", description="Branch office")
bare = admin.post("/me/subAccount")
assert len({first, again, bare}) == 3
assert {first, again, bare} <= set(admin.get("/me/subAccount"))
sub = admin.get(f"/me/subAccount/{first}")
assert sub["id"] == first and sub["description"] == "Branch office" and sub["creationDate"], sub
assert admin.get(f"/me/subAccount/{again}")["description"] == "Branch office"
assert admin.put(f"/me/subAccount/{again}", description="Second branch") is None
assert admin.get(f"/me/subAccount/{again}")["description"] == "Second branch"
expect_error(ResourceNotFoundError, admin.put, "/me/subAccount/999999", description="x")
expect_error(ResourceNotFoundError, admin.get, "/me/subAccount/999999")
expect_error(ResourceNotFoundError, admin.get, "/me/subAccount/abc")
sub_key = admin.post(f"/me/subAccount/{first}/createConsumerKey")["consumerKey"]
in_sub = client(sub_key)
assert in_sub.get("/me/identity/user") == []
assert in_sub.post("/me/identity/user", login="bob", email="bob@example.com", password=STRONG) is None
assert in_sub.get("/me/identity/user") == ["bob"]
assert admin.get("/me/identity/user") == [], "the sub-account's user leaked into the parent"
expect_error(Forbidden, in_sub.post, "/me/subAccount", description="nested")
expect_error(ResourceNotFoundError, in_sub.get, f"/me/subAccount/{first}")
# Logging out: the key the call is signed with stops working, and only that one.
assert in_sub.post("/auth/logout") is None
expect_error(InvalidCredential, in_sub.get, "/me/identity/user")
assert admin.get("/me/identity/user") == []

# Access rules: a read-only key reads, and nothing else.
read_only = client(read_only_key)
assert read_only.get("/me/identity/user") == []
expect_error(
    NotGrantedCall,
    read_only.post,
    "/me/identity/user",
    login="eve",
    email="eve@example.com",
    password=STRONG,
)
expect_error(NotGrantedCall, read_only.get, "/me/subAccount")
assert admin.get("/me/identity/user") == []

# Bad signatures, unknown applications, revoked and unknown keys.
expect_error(BadParametersError, client(consumer_key, secret="W" * 32).get, "/me/identity/user")
expect_error(InvalidKey, client(consumer_key, key="0123456789abcdef").get, "/me/identity/user")
expect_error(InvalidCredential, client(revoked_key).get, "/me/identity/user")
expect_error(InvalidCredential, client("Z" * 32).get, "/me/identity/user")
print("ovh client: all checks passed")
