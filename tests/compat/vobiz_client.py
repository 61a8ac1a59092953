"""The official Vobiz client (vobiz-python 0.1.1) against Steward: the whole sub-account
lifecycle and its error cases. Usage: vobiz_client.py BASE_URL AUTH_ID AUTH_TOKEN OTHER_AUTH_ID
(OTHER_AUTH_ID: another main account's auth_id, which these credentials must not reach)."""

import sys

import vobiz
import vobiz.resources.subaccounts as subaccounts
from vobiz import exceptions

base, auth_id, auth_token, other_auth_id = sys.argv[1:5]
subaccounts.VOBIZ_API_V1 = f"{base}/api/v1"
client = vobiz.RestClient(auth_id=auth_id, auth_token=auth_token)
PASSWORD = "Velvet-Orbit-Canyon-42"


def expect_error(kind, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except kind as e:
        return str(e)
    raise AssertionError(f"{call.__name__}{args} did not raise {kind.__name__}")


created = client.subaccounts.create(
    name="Support Team",
    email="support@example.com",
    rate_limit=500,
    permissions={"calls": True, "cdr": False},
    password=PASSWORD,
    phone="+1234567890",
    description="Support-facing voice workload",
)
sub = created.sub_account
assert created.message, created
assert sub.auth_id.startswith("SA_") and len(sub.auth_id) == 13, sub.auth_id
assert created.auth_credentials.auth_id == sub.auth_id
token = created.auth_credentials.auth_token
assert len(token) >= 22 and sub.auth_token == token
assert created.tokens.token_type == "bearer" and created.tokens.expires_in == 1800
assert created.tokens.access_token and created.tokens.refresh_token
assert sub.rate_limit == 500 and sub.permissions.calls is True and sub.permissions.cdr is False
assert sub.kyc_mode == "personal_use" and sub.enabled is True
assert sub.parent_auth_id == auth_id
sub_id = sub.id

listed = client.subaccounts.list(page=1, size=20, active_only=True)
assert listed.total == 1 and listed.page == 1 and listed.size == 20, listed
assert listed.sub_accounts[0].id == sub_id
assert listed.sub_accounts[0].auth_token == "<redacted>"

got = client.subaccounts.get(sub_id)
assert got.name == "Support Team" and got.email == "support@example.com"

updated = client.subaccounts.update(sub_id, description="Night shift", enabled=False)
assert updated.sub_account.description == "Night shift"
assert updated.sub_account.enabled is False
assert client.subaccounts.list(page=1, size=20, active_only=True).total == 0
assert client.subaccounts.list(page=1, size=20, active_only=False).total == 1

# A customer-use sub-account needs an e-mail, and starts with calls blocked until KYC.
message = expect_error(
    exceptions.ValidationError,
    client.subaccounts.update,
    sub_id,
    kyc_mode="customer_use",
    email="",
)
assert "email" in message, message
kyc = client.subaccounts.update(sub_id, kyc_mode="customer_use")
assert kyc.sub_account.kyc_calls_blocked is True

# Validation, duplicates, unknown ids, wrong credentials, another account.
expect_error(
    exceptions.ValidationError,
    client.subaccounts.create,
    name="support team",
    email="x@example.com",
    rate_limit=10,
    permissions={"calls": True, "cdr": True},
    password=PASSWORD,
)
for bad_limit in (0, 100001):
    expect_error(
        exceptions.ValidationError,
        client.subaccounts.create,
        name=f"Limit {bad_limit}",
        email="x@example.com",
        rate_limit=bad_limit,
        permissions={"calls": True, "cdr": True},
        password=PASSWORD,
    )
expect_error(
    exceptions.ValidationError,
    client.subaccounts.create,
    name="Bad phone",
    email="x@example.com",
    rate_limit=10,
    permissions={"calls": True, "cdr": True},
    password=PASSWORD,
    phone="12345",
)
expect_error(exceptions.ResourceNotFoundError, client.subaccounts.get, "999999999")
wrong = vobiz.RestClient(auth_id=auth_id, auth_token="not-the-token")
expect_error(exceptions.AuthenticationError, wrong.subaccounts.list)
as_sub = vobiz.RestClient(auth_id=sub.auth_id, auth_token=token)
expect_error(exceptions.AuthenticationError, as_sub.subaccounts.list)  # disabled above
stranger = vobiz.RestClient(auth_id=other_auth_id, auth_token=auth_token)
expect_error(exceptions.AuthenticationError, stranger.subaccounts.list)
client.auth_id = other_auth_id  # the path names another account; the headers stay ours
client.session.headers.update({"X-Auth-ID": auth_id})
expect_error(exceptions.ResourceNotFoundError, client.subaccounts.list)
client.auth_id = auth_id

client.subaccounts.delete(sub_id)
expect_error(exceptions.ResourceNotFoundError, client.subaccounts.get, sub_id)
assert client.subaccounts.list().total == 0
print("vobiz: ok")
