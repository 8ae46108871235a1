"""Roomle's published authentication: sign-in, request tokens (01 CBC, 02 ECB), the
published test vector, token age on the sandbox clock, garbled tokens, anonymous
callers, currentTenant/language, credentials and the error format."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mock_server.apis.roomle import tokens
from mock_server.app import create_app
from mock_server.cli import main
from mock_server.config import Config
from mock_server.testing import RoomleAuth, roomle_auth
from tests.roomle.helpers import (
    BASE,
    DEMO,
    MANAGER,
    PRIVATE,
    SUPER,
    USER,
    error_fields,
    headers,
    sandbox_now,
    token_headers,
)

SECRET = "a-Secr3t_Str1ng!"
PLAIN = "2020-12-31T23:00:00.000Z;aSessionToken;aValidApiKey"
PUBLISHED = ("02-jOi87tgUadH3EGwcs/FPR44LlPEVoayzgkkkzmMbPwz50gNngNxgX8aNmNZ1SMAy31j1qsB9RvlF1Rxi"
             "ILGYDQ==")
VECTOR_WORLD = {"version": 1, "roomle": {
    "createdAt": "2020-01-01T00:00:00.000Z",
    "tenants": [{"id": 0, "name": "myName", "apiKey": "aValidApiKey", "secret": SECRET}],
    "users": [{"id": 7, "name": "Doc User", "role": "tenant_manager", "tenant": 0,
               "email": "doc@my-domain.example", "password": "doc-pw",
               "sessionToken": "aSessionToken"}]}}


def _principal(credentials, role=SUPER, **match):
    return credentials("roomle", role, **match)


def _session_count(client) -> int:
    return len(client.get("/_sandbox/state").json()["roomle"]["sessions"])


# --- the published example -----------------------------------------------------------

def test_the_published_example_is_reproduced_by_the_sandboxs_code():
    assert tokens.encrypt(SECRET, PLAIN, tokens.ECB) == PUBLISHED
    at = datetime(2020, 12, 31, 23, 0, tzinfo=UTC)
    assert tokens.make_token(SECRET, "aSessionToken", "aValidApiKey", at) == PUBLISHED
    token = tokens.read_token(SECRET, PUBLISHED)
    assert (token.algorithm, token.timestamp, token.session_token, token.api_key) == \
        ("02", at, "aSessionToken", "aValidApiKey")


def test_the_published_token_opens_the_sandbox_at_its_moment(client):
    assert client.post("/_sandbox/fixtures", json=VECTOR_WORLD).status_code == 200
    client.post("/_sandbox/clock", json={"now": "2020-12-31T23:00:01.000Z"})
    resp = client.get(f"{BASE}/0", headers={"apiKey": "aValidApiKey", "token": PUBLISHED,
                                            "currentTenant": "0", "language": "en"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["tenant"]["apiKey"] == "aValidApiKey"
    url_safe = PUBLISHED.replace("+", "-").replace("/", "_").rstrip("=")
    assert client.get(f"{BASE}/0", headers={"apiKey": "aValidApiKey",
                                            "token": url_safe}).status_code == 200
    client.post("/_sandbox/clock", json={"now": "2020-12-31T23:05:01.000Z"})
    resp = client.get(f"{BASE}/0", headers={"apiKey": "aValidApiKey", "token": PUBLISHED})
    assert resp.status_code == 401 and error_fields(resp) == ["token"]
    assert "expired" in resp.json()["error"]["message"]


def test_cbc_uses_a_zero_iv(client, credentials):
    """01 is AES/CBC/PKCS5Padding with 16 zero bytes as IV (the sandbox's choice),
    built here with the cryptography library directly, not the sandbox's code."""
    p = _principal(credentials)
    now = tokens.format_timestamp(datetime.now(UTC))
    padder = padding.PKCS7(128).padder()
    data = padder.update(f"{now};{p['sessionToken']};{p['apiKey']}".encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(p["secret"].encode()), modes.CBC(bytes(16))).encryptor()
    token = "01-" + base64.b64encode(enc.update(data) + enc.finalize()).decode()
    assert client.get(f"{BASE}/{DEMO}", headers={**p["headers"], "token": token}
                      ).status_code == 200
    ecb_bytes_as_cbc = "01-" + p["headers"]["token"].removeprefix("02-")
    resp = client.get(f"{BASE}/{DEMO}", headers={**p["headers"], "token": ecb_bytes_as_cbc})
    assert resp.status_code == 401 and error_fields(resp) == ["token"]


@pytest.mark.parametrize("algorithm", ["01", "02"])
def test_both_algorithms_through_http(client, credentials, algorithm):
    p = _principal(credentials, MANAGER, tenantId=str(DEMO))
    resp = client.get(f"{BASE}/{DEMO}", headers=token_headers(p, algorithm=algorithm))
    assert resp.status_code == 200 and "apiKey" in resp.json()["tenant"]


# --- sign-in --------------------------------------------------------------------------

def test_sign_in_returns_a_session_that_works(client, credentials):
    anon = _principal(credentials, "anonymous", tenantId=str(DEMO))
    mgr = _principal(credentials, MANAGER, tenantId=str(DEMO))
    resp = client.post("/v2/auth/signin", headers=anon["headers"],
                       json={"identification": mgr["email"], "password": mgr["password"]})
    assert resp.status_code == 200, resp.text
    auth = resp.json()["auth"]
    assert set(auth) == {"token", "userId", "loginDate", "lastActionDate"}
    assert auth["userId"] == str(mgr["userId"]) and auth["loginDate"].endswith("Z")
    session = auth["token"]
    put = client.put(f"{BASE}/{DEMO}", json={"label": "Signed In"},
                     headers=token_headers(mgr, session=session))
    assert put.status_code == 200 and put.json()["tenant"]["label"] == "Signed In"
    assert session in [s["token"] for s in client.get("/_sandbox/state").json()["roomle"]
                       ["sessions"]]


@pytest.mark.parametrize("who,password", [("manager@demo-shop.example", "Not-The-Passw0rd"),
                                          ("nobody@demo-shop.example", "demo-manager-pw"),
                                          ("manager@private-furniture.example",
                                           "private-manager-pw")])
def test_failed_sign_in_is_403_and_creates_nothing(client, credentials, who, password):
    anon = _principal(credentials, "anonymous", tenantId=str(DEMO))
    before = _session_count(client)
    resp = client.post("/v2/auth/signin", headers=anon["headers"],
                       json={"identification": who, "password": password})
    assert resp.status_code == 403 and error_fields(resp) == []
    assert _session_count(client) == before
    assert password not in resp.text


def test_sign_in_needs_a_request_token_and_both_fields(client, credentials):
    anon = _principal(credentials, "anonymous", tenantId=str(DEMO))
    body = {"identification": "user@demo-shop.example", "password": "demo-user-pw"}
    resp = client.post("/v2/auth/signin", json=body, headers={"apiKey": anon["apiKey"]})
    assert resp.status_code == 401 and "token" in error_fields(resp)
    resp = client.post("/v2/auth/signin", json={"identification": "x"}, headers=anon["headers"])
    assert resp.status_code == 400 and error_fields(resp) == ["password"]


def test_super_admin_signs_in_with_any_tenants_api_key(client, credentials):
    anon = _principal(credentials, "anonymous", tenantId=str(PRIVATE))
    resp = client.post("/v2/auth/signin", headers=anon["headers"],
                       json={"identification": "ADMIN@roomle.example",
                             "password": "super-admin-pw"})
    assert resp.status_code == 200


def test_httpx_auth_of_the_pytest_plugin_signs_in_and_encrypts_per_request(client,
                                                                           credentials):
    p = _principal(credentials, MANAGER, tenantId=str(DEMO))
    auth = RoomleAuth(p["apiKey"], p["secret"], identification=p["email"],
                      password=p["password"], current_tenant=str(DEMO), algorithm="01")
    before = _session_count(client)
    assert client.get(f"{BASE}/{DEMO}", auth=auth).status_code == 200
    assert auth.session_token and auth.session_token != p["sessionToken"]
    assert client.put(f"{BASE}/{DEMO}", json={"label": "Via Auth"}, auth=auth).status_code == 200
    assert _session_count(client) == before + 1
    seeded = roomle_auth(_principal(credentials, USER))
    assert client.get(f"{BASE}/{DEMO}", auth=seeded).status_code == 200
    bad = RoomleAuth(p["apiKey"], p["secret"], identification=p["email"], password="wrong")
    with pytest.raises(AssertionError, match="sign-in"):
        client.get(f"{BASE}/{DEMO}", auth=bad)


# --- token checks ---------------------------------------------------------------------

def test_token_age_follows_the_sandbox_clock(client, credentials):
    p = _principal(credentials)
    client.post("/_sandbox/clock", json={"now": "2030-06-01T12:00:00.000Z"})
    now = sandbox_now(client)
    for offset, status in [(0, 200), (-299, 200), (299, 200), (-301, 401), (301, 401)]:
        resp = client.get(f"{BASE}/{DEMO}",
                          headers=token_headers(p, at=now + timedelta(seconds=offset)))
        assert resp.status_code == status, (offset, resp.text)
        if status == 401:
            assert error_fields(resp) == ["token"]
    fresh = token_headers(p, at=now)
    client.post("/_sandbox/clock", json={"advance": 301})
    assert client.get(f"{BASE}/{DEMO}", headers=fresh).status_code == 401


def test_a_token_may_be_sent_again_within_its_window(client, credentials):
    h = headers(credentials, SUPER)
    assert [client.get(f"{BASE}/{DEMO}", headers=h).status_code for _ in range(3)] == [200] * 3


@pytest.mark.parametrize("make", [
    lambda p: "nonsense",
    lambda p: "02-",
    lambda p: "03-" + p["headers"]["token"][3:],
    lambda p: "02-%%%not base64%%%",
    lambda p: "02-" + base64.b64encode(b"short").decode(),
    lambda p: p["headers"]["token"][:-8] + "AAAAAAA=",
    lambda p: tokens.make_token("0123456789abcdef", p["sessionToken"], p["apiKey"],
                                datetime.now(UTC)),
    lambda p: tokens.make_token(p["secret"], p["sessionToken"], "rml_demo_shop_api_key",
                                datetime.now(UTC)),
    lambda p: tokens.make_token(p["secret"], "rml_session_unknown", p["apiKey"],
                                datetime.now(UTC)),
    lambda p: tokens.encrypt(p["secret"], f"{p['sessionToken']};{p['apiKey']}"),
    lambda p: tokens.encrypt(p["secret"], f"31.12.2020 23:00;{p['sessionToken']};{p['apiKey']}"),
    lambda p: tokens.encrypt(p["secret"], f"2020-13-45T99:00:00.000Z;{p['sessionToken']};"
                                          f"{p['apiKey']}"),
    lambda p: p["sessionToken"],
], ids=["no-algorithm", "empty", "unknown-algorithm", "not-base64", "not-blocks",
        "bad-padding", "other-secret", "other-api-key", "unknown-session", "two-parts",
        "bad-timestamp", "impossible-date", "plain-session-token"])
def test_garbled_tokens_are_401_naming_the_token(client, credentials, make):
    p = _principal(credentials)
    resp = client.get(f"{BASE}/{DEMO}", headers={**p["headers"], "token": make(p)})
    assert resp.status_code == 401, resp.text
    assert error_fields(resp) == ["token"]
    assert p["secret"] not in resp.text and p["sessionToken"] not in resp.text


def test_plain_token_mode_is_the_sandboxs_own_and_off_by_default():
    app = create_app(Config(validate_responses=True, roomle_plain_tokens=True))
    with app.test_client(headers={"X-Sandbox-Id": "plain"}) as c:
        sup = c.get("/_sandbox/credentials").json()["roomle"][0]
        plain = {"apiKey": sup["apiKey"], "token": sup["sessionToken"]}
        assert c.get(f"{BASE}/{DEMO}", headers=plain).status_code == 200
        assert c.get(f"{BASE}/{DEMO}", headers=sup["headers"]).status_code == 200
        assert c.get(f"{BASE}/{DEMO}", headers={**plain, "token": "rml_session_nope"}
                     ).status_code == 401


def test_sessions_of_a_deleted_tenants_users_stop_working(client, credentials):
    sup = headers(credentials, SUPER)
    mgr = _principal(credentials, MANAGER, tenantId=str(PRIVATE))
    assert client.get(f"{BASE}/{PRIVATE}", headers=token_headers(mgr)).status_code == 200
    assert client.delete(f"{BASE}/{PRIVATE}", headers=sup).status_code == 204
    assert client.get(f"{BASE}/{DEMO}", headers=token_headers(mgr)).status_code == 401


# --- apiKey, currentTenant, language -----------------------------------------------------

def test_missing_credentials_name_both_headers(client):
    resp = client.get(BASE)
    assert resp.status_code == 401
    assert error_fields(resp) == ["apiKey", "token"]


def test_unknown_api_key_is_401(client, credentials):
    good = headers(credentials, SUPER)
    resp = client.get(BASE, headers={**good, "apiKey": "nope-nope"})
    assert resp.status_code == 401 and error_fields(resp) == ["apiKey"]
    resp = client.get(BASE, headers={"apiKey": good["apiKey"]})
    assert resp.status_code == 401


def test_user_must_use_its_own_tenants_api_key(client, credentials):
    user = _principal(credentials, USER)
    other = _principal(credentials, "anonymous", tenantId=str(PRIVATE))
    h = token_headers(user, secret=other["secret"], api_key=other["apiKey"])
    resp = client.get(BASE, headers={**h, "apiKey": other["apiKey"], "currentTenant": "3"})
    assert resp.status_code == 403 and error_fields(resp) == ["apiKey"]


def test_super_admin_may_use_any_tenants_api_key(client, credentials):
    sup = _principal(credentials)
    other = _principal(credentials, "anonymous", tenantId=str(PRIVATE))
    h = token_headers(sup, secret=other["secret"], api_key=other["apiKey"])
    resp = client.get(f"{BASE}/{DEMO}", headers={**h, "apiKey": other["apiKey"],
                                                 "currentTenant": str(PRIVATE)})
    assert resp.status_code == 200
    assert "apiKey" in resp.json()["tenant"]


@pytest.mark.parametrize("value,status", [("1", 200), (" 1 ", 200), ("2", 403), ("abc", 403)])
def test_current_tenant_must_be_the_api_keys_tenant(client, credentials, value, status):
    h = headers(credentials, SUPER)
    resp = client.get(f"{BASE}/{DEMO}", headers={**h, "currentTenant": value})
    assert resp.status_code == status
    if status == 403:
        assert error_fields(resp) == ["currentTenant"]
    h.pop("currentTenant")
    assert client.get(f"{BASE}/{DEMO}", headers=h).status_code == 200


@pytest.mark.parametrize("value,status", [("de", 200), ("de-AT", 200), ("en_GB", 200),
                                          ("german!", 400), ("1", 400)])
def test_language_is_checked_for_form(client, credentials, value, status):
    h = {**headers(credentials, SUPER), "language": value}
    resp = client.get(f"{BASE}/{DEMO}", headers=h)
    assert resp.status_code == status
    if status == 400:
        assert error_fields(resp) == ["language"]


# --- anonymous callers ------------------------------------------------------------------

def test_anonymous_callers_read_without_secrets_and_never_write(client, credentials):
    anon = _principal(credentials, "anonymous", tenantId=str(DEMO))
    one = client.get(f"{BASE}/{DEMO}", headers=anon["headers"])
    assert one.status_code == 200 and "apiKey" not in one.json()["tenant"]
    assert client.get(BASE, headers=anon["headers"]).status_code == 200
    resp = client.put(f"{BASE}/{DEMO}", json={"label": "x"}, headers=anon["headers"])
    assert resp.status_code == 401 and error_fields(resp) == ["token"]
    resp = client.post(BASE, json={"name": "anon_made"}, headers=anon["headers"])
    assert resp.status_code == 401 and error_fields(resp) == ["token"]
    sup = headers(credentials, SUPER)
    assert client.get(f"{BASE}/{DEMO}", headers=sup).json()["tenant"]["label"] == "Demo Shop"
    assert client.get(BASE, params={"name": "anon_made"}, headers=sup).json()["meta"][
        "total"] == 0


def test_anonymous_callers_of_a_tenant_requiring_authentication_must_sign_in(client,
                                                                            credentials):
    anon = _principal(credentials, "anonymous", tenantId=str(PRIVATE))
    resp = client.get(f"{BASE}/{DEMO}", headers=anon["headers"])
    assert resp.status_code == 401 and error_fields(resp) == ["token"]
    resp = client.post("/v2/auth/signin", headers=anon["headers"],
                       json={"identification": "manager@private-furniture.example",
                             "password": "private-manager-pw"})
    assert resp.status_code == 200


# --- credentials, CLI, error format ---------------------------------------------------------

def test_credentials_list_users_and_every_api_key_with_ready_headers(client):
    creds = client.get("/_sandbox/credentials").json()["roomle"]
    users = [c for c in creds if c["role"] != "anonymous"]
    assert {c["role"] for c in users} == {SUPER, MANAGER, USER}
    assert all(c["email"] and c["password"] and c["secret"] for c in users)
    anonymous = [c for c in creds if c["role"] == "anonymous"]
    tenants = client.get("/_sandbox/state").json()["roomle"]["tenants"]
    assert {c["apiKey"] for c in anonymous} == {t["apiKey"] for t in tenants}
    for c in creds:
        assert set(c["headers"]) == {"apiKey", "token", "currentTenant", "language"}
        assert len(c["secret"].encode()) in (16, 24, 32)
        assert c["headers"]["token"].startswith("02-")
        plain = tokens.decrypt(c["secret"], c["headers"]["token"])[1]
        assert plain.endswith(f";{c.get('sessionToken', 'anonymous')};{c['apiKey']}")
        assert plain == c.get("tokenPlainText", plain)
        expected = 401 if c.get("tenantId") == str(PRIVATE) and c["role"] == "anonymous" else 200
        assert client.get(f"{BASE}/{DEMO}", headers=c["headers"]).status_code == expected
    sup = next(c for c in users if c["role"] == SUPER)
    assert "tenantId" not in sup and sup["userId"] == 1


def test_cli_prints_the_published_token(capsys):
    assert main(["roomle-token", "--secret", SECRET, "--api-key", "aValidApiKey",
                 "--session", "aSessionToken", "--timestamp", "2020-12-31T23:00:00.000Z"]) == 0
    assert capsys.readouterr().out.strip() == PUBLISHED
    assert main(["roomle-token", "--secret", "too-short", "--api-key", "k"]) == 2
    assert "16, 24 or 32" in capsys.readouterr().err


def test_a_new_tenant_gets_a_secret_that_opens_its_api_key(client, credentials):
    made = client.post(BASE, json={"name": "with_secret"}, headers=headers(credentials, SUPER))
    assert made.status_code == 201
    tenant = made.json()["tenant"]
    assert "secret" not in tenant
    creds = client.get("/_sandbox/credentials").json()["roomle"]
    anon = next(c for c in creds if c["role"] == "anonymous" and c["apiKey"] == tenant["apiKey"])
    resp = client.get(f"{BASE}/{tenant['id']}", headers=anon["headers"])
    assert resp.status_code == 200


def test_routing_and_validation_errors_use_the_roomle_shape(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.get(f"{BASE}/abc", headers=sup)  # breaks the path parameter's schema
    assert resp.status_code == 400 and error_fields(resp) == ["id"]
    resp = client.get(f"{BASE}/999999", headers=sup)
    assert resp.status_code == 404 and error_fields(resp) == []
    resp = client.get(BASE, params={"bogus": "1"}, headers=sup)
    assert resp.status_code == 400 and error_fields(resp) == ["bogus"]
    resp = client.patch(f"{BASE}/{DEMO}", json={}, headers=sup)
    assert resp.status_code == 405 and error_fields(resp) == []
    resp = client.post(BASE, content=b"name=x", headers={**sup, "Content-Type": "text/plain"})
    assert resp.status_code == 415 and error_fields(resp) == []
    assert resp.json()["error"]["code"] == "unsupported_media_type"


def test_anonymous_is_not_masked_as_a_secret(client, credentials):
    history = client.get("/api/v1/tenants/history", headers={
        "X-API-KEY": "wk_platform_admin_key",
        "X-Tenant-ID": client.post("/api/v1/tenants/register", json={
            "tenant": {"name": "Anon", "email": "anon@anon.test", "phoneNumber": "030 901820",
                       "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "A", "email": "a@anon.test", "password": "anon-pass-1",
                            "keyDuration": 1, "duration": "DAYS"}}).json()["data"]["tenantId"]})
    assert history.json()["data"][0]["actor"]["role"] == "anonymous"
    journal = client.get("/_sandbox/requests", params={"api": "wallet"}).json()["requests"]
    assert '"anonymous"' in str(journal[-1]["responseBody"]).replace("'", '"')


def test_secrets_are_masked_in_the_journal(client, credentials):
    anon = _principal(credentials, "anonymous", tenantId=str(DEMO))
    client.post("/v2/auth/signin", headers=anon["headers"],
                json={"identification": "user@demo-shop.example", "password": "demo-user-pw"})
    journal = client.get("/_sandbox/requests", params={"api": "roomle"}).text
    assert "demo-user-pw" not in journal and anon["headers"]["token"] not in journal
    assert "rml_session_" not in journal


def test_auth_helpers_follow_a_moved_sandbox_clock(client, credentials):
    p = _principal(credentials, MANAGER, tenantId=str(DEMO))
    client.post("/_sandbox/clock", json={"now": "2031-03-01T08:00:00.000Z"})
    assert client.get(f"{BASE}/{DEMO}", auth=roomle_auth(p)).status_code == 401
    moved = roomle_auth(p, clock=lambda: sandbox_now(client).timestamp())
    assert client.get(f"{BASE}/{DEMO}", auth=moved).status_code == 200
    at = datetime(2031, 3, 1, 8, 0, 30, tzinfo=UTC)
    offset = tokens.encrypt(p["secret"], f"2031-03-01T09:00:30.000+01:00;{p['sessionToken']};"
                                         f"{p['apiKey']}")
    assert tokens.read_token(p["secret"], offset).timestamp == at
    assert client.get(f"{BASE}/{DEMO}", headers={**p["headers"], "token": offset}
                      ).status_code == 200
