"""The official python-ovh and Tencent Cloud clients against Steward behind a TLS proxy.
Usage: ovh_through_proxy.py PUBLIC_URL CERT_PEM   (REQUESTS_CA_BUNDLE=CERT_PEM for python-ovh)

Everything goes through PUBLIC_URL (https://127.0.0.1:<proxy port>, nginx or Caddy), whose
certificate is CERT_PEM: the account, the OVH application and the Tencent access key are made
with the panel's server functions (as a script would), then each official client makes a read
and a write. python-ovh signs the whole URL, host and port included, and the Tencent SDK signs the Host
header: both work only if Steward checks them against its public URL, not against the address
the proxy forwards to. The validation URL of a consumer key must also be on the public URL."""

import sys
import uuid

import ovh
import requests
from ovh.exceptions import BadParametersError
from tencentcloud.cam.v20190116 import cam_client, models
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

public, cert = sys.argv[1:3]
PASSWORD = "Velvet-Orbit-Canyon-42"
STRONG = "Quartz-Lantern-Meadow-97"
run = uuid.uuid4().hex[:10]

panel = requests.Session()
panel.verify = cert


def call(endpoint, **form):
    """A server function, as a script calls it: (status, JSON or text, Location header)."""
    r = panel.post(
        f"{public}/api/{endpoint}",
        data=form,
        headers={"Accept": "application/json"},
        allow_redirects=False,
        timeout=60,
    )
    try:
        body = r.json()
    except ValueError:
        body = r.text
    assert r.status_code == 200, f"POST /api/{endpoint} answered {r.status_code}: {body}"
    return body, r.headers.get("location", "")


def reveal(location, kind):
    """Takes the one-time reveal a creation pointed to."""
    assert location.startswith("/reveal/"), f"expected a reveal address, got {location!r}"
    body, _ = call("take_reveal", id=location.removeprefix("/reveal/"))
    assert kind in body, body
    return body[kind]


# An account, logged in through the proxy.
account_id, _ = call("signup", company=f"Proxied {run}", email=f"proxy-{run}@example.com", password=PASSWORD)
assert isinstance(account_id, str) and account_id, account_id
cookies = {c.name: c for c in panel.cookies}
assert "__Host-steward" in cookies, f"no __Host-steward session cookie: {list(cookies)}"
assert cookies["__Host-steward"].secure, "the session cookie is not Secure"

# ---- OVHcloud ----
_, location = call("create_ovh_application", name=f"Proxy {run}", description="behind the proxy")
app = reveal(location, "OvhApplication")
app_key, app_secret = app["application_key"], app["application_secret"]
ovh.client.ENDPOINTS["steward-proxy"] = public + "/1.0"


def client(consumer_key, secret=app_secret):
    return ovh.Client(
        endpoint="steward-proxy",
        application_key=app_key,
        application_secret=secret,
        consumer_key=consumer_key,
    )


request = client(None).request_consumerkey(
    [{"method": m, "path": "/*"} for m in ("GET", "POST", "PUT", "DELETE")],
    redirect_url="https://app.example/done",
)
assert request["state"] == "pendingValidation", request
validation = request["validationUrl"]
assert validation.startswith(f"{public}/ovh/authorize/"), (
    f"the validation URL {validation} is not on the public URL {public}"
)
page = panel.get(validation, timeout=60)
assert page.status_code == 200 and f"Proxy {run}" in page.text, f"{validation}: {page.status_code}"
call("authorize_ovh_consumer_key", id=validation.rsplit("/", 1)[1])

ck = client(request["consumerKey"])
now = ck.get("/auth/time", _need_auth=False)
assert isinstance(now, int) and now > 1_700_000_000, now
assert ck.get("/me/identity/user") == [], "a new account has no delegated users"
assert (
    ck.post(
        "/me/identity/user",
        login="proxied",
        email=f"proxied-{run}@example.com",
        password=STRONG,
        group="DEFAULT",
        description="through the proxy",
    )
    is None
)
assert ck.get("/me/identity/user") == ["proxied"]
user = ck.get("/me/identity/user/proxied")
assert user["description"] == "through the proxy" and user["group"] == "DEFAULT", user
# The signature is really checked through the proxy: a wrong secret is refused.
try:
    client(request["consumerKey"], secret="W" * 32).get("/me/identity/user")
except BadParametersError:
    pass
else:
    raise AssertionError("a call signed with a wrong secret was accepted")
print("python-ovh through the proxy: ok")

# ---- Tencent Cloud CAM ----
_, location = call("create_tencent_key")
key = reveal(location, "TencentAccessKey")
profile = ClientProfile(
    httpProfile=HttpProfile(protocol="https", endpoint=public.removeprefix("https://"), certification=cert)
)
cam = cam_client.CamClient(credential.Credential(key["secret_id"], key["secret_key"]), "", profile)


def cam_request(model, **fields):
    r = getattr(models, model + "Request")()
    for k, v in fields.items():
        setattr(r, k, v)
    return r


names = sorted(u.Name for u in cam.ListUsers(cam_request("ListUsers")).Data)
assert names == ["proxied"], names
added = cam.AddUser(
    cam_request("AddUser", Name="tc.proxied", Password=STRONG, ConsoleLogin=1, UseApi=0, Email=f"tc-{run}@example.com")
)
assert added.Name == "tc.proxied" and added.Uin > 0, added
assert cam.GetUser(cam_request("GetUser", Name="tc.proxied")).Uin == added.Uin
assert sorted(ck.get("/me/identity/user")) == ["proxied", "tc.proxied"]
print("tencentcloud-sdk through the proxy: ok")
