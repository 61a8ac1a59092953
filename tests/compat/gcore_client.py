"""The official Gcore client (gcore 0.59.0) against Steward: the account overview, sub-account
creation, API tokens and users, with their error cases.
Usage: gcore_client.py BASE_URL ADMIN_TOKEN NONE_TOKEN OTHER_COMPANY
(ADMIN_TOKEN: an Administrator's personal token; NONE_TOKEN: a token with role None of the same
account; OTHER_COMPANY: a company name another account already has)."""

import sys

import gcore

base, admin_token, none_token, other_company = sys.argv[1:5]


def client(token):
    return gcore.Gcore(api_key=token, base_url=base, max_retries=0)


def expect_error(kind, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except kind as e:
        return e
    raise AssertionError(f"{call.__name__} did not raise {kind.__name__}")


admin = client(admin_token)
me = admin.iam.get_account_overview()
client_id = me.id
assert me.company_name and me.current_user and me.status == "active", me
assert any(u.id == me.current_user for u in me.users)

# The documented example of Gcore's token docs: `GET /iam/users/me` with the token.
myself = admin.get("/iam/users/me", cast_to=object)
assert myself["id"] == me.current_user and myself["email"], myself
assert myself["client"] == client_id and myself["groups"][0]["name"] == "Administrators", myself

# Sub-accounts (Gcore "clients"): company names are unique across Steward.
created = admin.post("/iam/clients/create", body={"company": "Orbit Resellers"}, cast_to=object)
assert created["company"] == "Orbit Resellers" and isinstance(created["id"], int), created
for taken in ("orbit resellers", other_company):
    e = expect_error(
        gcore.BadRequestError,
        admin.post,
        "/iam/clients/create",
        body={"company": taken},
        cast_to=object,
    )
    assert e.body == {"errors": {"company": ["Company with this name already exists"]}}, e.body
expect_error(
    gcore.BadRequestError, admin.post, "/iam/clients/create", body={"company": ""}, cast_to=object
)
none = client(none_token)
expect_error(
    gcore.PermissionDeniedError,
    none.post,
    "/iam/clients/create",
    body={"company": "Not allowed"},
    cast_to=object,
)

# API tokens: created once with their secret, listed, read, deleted.
token = admin.iam.api_tokens.create(
    client_id,
    client_user={"role": {"id": 5, "name": "Engineers"}},
    exp_date="2099-12-31T23:59:59Z",
    name="deploy",
    description="CI deploys",
)
assert token.token and token.token.startswith(f"{token.id}_"), token
assert token.client_user.role.name == "Engineers" and token.exp_date.startswith("2099-12-31")
engineer = client(token.token)
assert engineer.iam.get_account_overview().id == client_id
listed = admin.iam.api_tokens.list(client_id)
assert any(t.id == token.id for t in listed) and all(t.token is None for t in listed if hasattr(t, "token"))
got = admin.iam.api_tokens.get(token.id, client_id=client_id)
assert got.name == "deploy" and got.description == "CI deploys"
expect_error(
    gcore.BadRequestError,
    none.iam.api_tokens.create,
    client_id,
    client_user={"role": {"id": 1, "name": "Administrators"}},
    exp_date=None,
    name="escalate",
)
expect_error(
    gcore.BadRequestError,
    admin.iam.api_tokens.create,
    client_id,
    client_user={"role": {"id": 2, "name": "Users"}},
    exp_date="2001-01-01T00:00:00Z",
    name="past",
)
expect_error(gcore.NotFoundError, admin.iam.api_tokens.list, client_id + 100000)
admin.iam.api_tokens.delete(token.id, client_id=client_id)
expect_error(gcore.AuthenticationError, engineer.iam.get_account_overview)
expect_error(gcore.NotFoundError, admin.iam.api_tokens.get, token.id, client_id=client_id)

# Users: invite, list with limit/offset, read, update, delete.
invited = admin.iam.users.invite(
    client_id=client_id,
    email="ana.lopez@example.com",
    user_role={"id": 5, "name": "Engineers"},
    name="Ana Lopez",
)
assert invited.status == "ok" and invited.user_id
page = admin.iam.users.list(limit=1, offset=0)
assert page.count >= 2 and len(page.results) == 1
everyone = [u.id for u in admin.iam.users.list(limit=100, offset=0).results]
assert invited.user_id in everyone
ana = admin.iam.users.get(invited.user_id)
assert ana.email == "ana.lopez@example.com" and ana.groups[0].name == "Engineers", ana
assert ana.name == "Ana Lopez"
updated = admin.iam.users.update(invited.user_id, email="ana@example.com", name="Ana L.")
assert updated.email == "ana@example.com" and updated.name == "Ana L."
expect_error(gcore.BadRequestError, admin.iam.users.update, invited.user_id, email="not-an-email")
# What Steward cannot keep is refused in Gcore's 400 shape, never dropped in silence.
e = expect_error(gcore.BadRequestError, admin.iam.users.update, invited.user_id, phone="+33 6 12 34 56 78")
assert "phone" in e.body["errors"], e.body
e = expect_error(gcore.BadRequestError, admin.iam.users.update, invited.user_id, auth_types=["sso"])
assert "auth_types" in e.body["errors"], e.body
e = expect_error(gcore.BadRequestError, admin.iam.users.update, invited.user_id, lang="de")
assert "lang" in e.body["errors"], e.body
assert admin.iam.users.get(invited.user_id).email == "ana@example.com"
kept = admin.iam.users.update(invited.user_id, lang="en", auth_types=["password"], phone=None)
assert kept.lang == "en" and kept.auth_types == ["password"] and kept.phone is None, kept
expect_error(gcore.PermissionDeniedError, none.iam.users.update, invited.user_id, email="x@example.com")
expect_error(gcore.NotFoundError, admin.iam.users.get, 999999999)
again = admin.iam.users.invite(
    client_id=client_id, email="ana.lopez@example.com", user_role={"id": 2, "name": "Users"}
)
assert again.user_id != invited.user_id
admin.iam.users.delete(invited.user_id, client_id=client_id)
expect_error(gcore.NotFoundError, admin.iam.users.get, invited.user_id)
expect_error(gcore.NotFoundError, admin.iam.users.delete, invited.user_id, client_id=client_id)

# Bad credentials.
expect_error(gcore.AuthenticationError, client("1_" + "a" * 32).iam.get_account_overview)
expect_error(gcore.AuthenticationError, client("garbage").iam.users.list)
print("gcore: ok")
