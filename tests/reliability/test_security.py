"""Credentials stay in their API and their sandbox; secrets never leak into output."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from mock_server.apis.roomle.tokens import make_token
from mock_server.serving import ServerProcess
from mock_server.testing import BizzlinkAuth

WALLET_KEY = "wk_platform_admin_key"
PIGELLO_SECRET = "pgl_norrsken_client_secret"


def roomle() -> dict[str, str]:
    """The seeded super admin's Roomle headers, with a request token made now."""
    return {"apiKey": "rml_platform_api_key",
            "token": make_token("Pl4tf0rm-Secr3t!", "rml_session_super_admin",
                                "rml_platform_api_key", datetime.now(UTC))}


BIZ_TOKEN, BIZ_SECRET = "bzl_partner_both_token", "bzl_partner_both_secret"
REGISTER = {"tenant": {"name": "Iso", "email": "iso@iso.example", "phoneNumber": "030 901820",
                       "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "Iso Admin", "email": "admin@iso.example",
                            "password": "very-secret-pw", "keyDuration": 1, "duration": "DAYS"}}


def test_a_key_of_one_api_is_worthless_on_another(client):
    resp = client.get("/bizzlink/tenants", auth=BizzlinkAuth(WALLET_KEY, "whatever-secret"))
    assert resp.status_code == 401
    resp = client.get("/api/v1/tenants", headers={"X-API-KEY": BIZ_TOKEN})
    assert resp.status_code == 401
    assert resp.json()["statusCode"] == 401
    resp = client.get("/v2/tenants", headers={"apiKey": WALLET_KEY, "token": BIZ_TOKEN})
    assert resp.status_code == 401
    assert resp.json()["error"]["status"] == 401
    resp = client.get("/api/v1/tenants", headers=roomle())
    assert resp.status_code == 401


def test_pigello_headers_open_only_pigello(client):
    creds = client.get("/_sandbox/credentials").json()["pigello"][0]["headers"]
    assert client.get("/accounts/users/customer/tenant/", headers=creds).status_code == 200
    assert client.get("/api/v1/tenants", headers=creds).status_code == 401
    assert client.get("/v2/tenants", headers=creds).status_code == 401
    forged = {**creds, "X-PIGELLO-CLIENT-SECRET": WALLET_KEY}
    resp = client.get("/accounts/users/customer/tenant/", headers=forged)
    assert resp.status_code == 401
    assert WALLET_KEY not in resp.text and PIGELLO_SECRET not in resp.text


def test_one_sandboxs_credentials_do_not_open_another(app, sandbox_id):
    with app.test_client(headers={"X-Sandbox-Id": f"{sandbox_id}-a"}) as a, \
            app.test_client(headers={"X-Sandbox-Id": f"{sandbox_id}-b"}) as b:
        data = a.post("/api/v1/tenants/register", json=REGISTER).json()["data"]
        key = {"X-API-KEY": data["tenantAdmin"]["apiKey"], "X-Tenant-ID": data["tenantId"]}
        assert a.get("/api/v1/tenants", headers=key).status_code == 200
        assert b.get("/api/v1/tenants", headers=key).status_code == 401
        listed = b.get("/api/v1/tenants", headers={"X-API-KEY": WALLET_KEY}).json()
        assert data["tenantId"] not in str(listed)


def test_secrets_never_appear_in_server_output_journal_or_errors():
    srv = ServerProcess("--log-level", "debug", "--access-log", capture=True).start()
    url = srv.url
    try:
        texts = []
        r = httpx.post(f"{url}/api/v1/tenants/register", json=REGISTER,
                       headers={"X-API-KEY": WALLET_KEY})
        texts.append(r.text)
        texts.append(httpx.get(f"{url}/api/v1/tenants", headers={"X-API-KEY": "wrong-key"}).text)
        texts.append(httpx.get(f"{url}/bizzlink/tenants",
                               auth=BizzlinkAuth(BIZ_TOKEN, BIZ_SECRET)).text)
        texts.append(httpx.get(f"{url}/bizzlink/tenants",
                               auth=BizzlinkAuth(BIZ_TOKEN, "not-the-secret")).text)
        roomle = next(p for p in httpx.get(f"{url}/_sandbox/credentials").json()["roomle"]
                      if p["role"] == "anonymous")
        texts.append(httpx.post(f"{url}/v2/auth/signin", headers=roomle["headers"],
                                json={"identification": "user@demo-shop.example",
                                      "password": "demo-user-pw"}).text)
        texts.append(httpx.post(f"{url}/v2/auth/signin", headers=roomle["headers"],
                                json={"identification": "user@demo-shop.example",
                                      "password": "not-the-secret"}).text)
        texts.append(httpx.get(f"{url}/v2/tenants", headers={
            **roomle["headers"], "token": roomle["headers"]["token"][:-6] + "AAAA=="}).text)
        pigello = httpx.get(f"{url}/_sandbox/credentials").json()["pigello"][0]["headers"]
        texts.append(httpx.get(f"{url}/accounts/users/customer/tenant/", headers=pigello).text)
        texts.append(httpx.get(f"{url}/accounts/users/customer/tenant/",
                               headers={**pigello,
                                        "X-PIGELLO-CLIENT-SECRET": "not-the-secret"}).text)
        raw_journal = httpx.get(f"{url}/_sandbox/requests", params={"limit": 100}).text
        texts.append(raw_journal)
        journal = json.dumps(json.loads(raw_journal))   # one spacing for the checks below
    finally:
        srv.stop()
    texts.append(srv.output())
    blob = "\n".join(texts)
    journal_and_output = journal + srv.output()
    for secret in ("very-secret-pw", BIZ_SECRET, BIZ_TOKEN, WALLET_KEY, "not-the-secret",
                   PIGELLO_SECRET, "demo-user-pw", roomle["secret"]):
        assert secret not in blob, secret
    # The session a sign-in hands out is the caller's to see, nobody else's.
    assert "rml_session_" not in journal_and_output
    assert '"authorization": "***"' in journal and '"x-api-key": "***"' in journal
    assert '"x-pigello-client-secret": "***"' in journal
