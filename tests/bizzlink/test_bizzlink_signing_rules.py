"""Bizzlink authentication as docs/bizzlink.md "Authentication" describes it, checked
with signatures computed here from the published formula (not with the sandbox's own
signer), each failure's 401 naming its header and its cause."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from mock_server.app import create_app
from mock_server.config import Config

TOKEN = "bzl_partner_seats_token"
SECRET = "bzl_partner_seats_secret"
KUNDE_ID = "770e8400-e29b-41d4-a716-446655440000"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def header(method: str, path_and_query: str, body: bytes = b"", *, ts: int | None = None,
           secret: str = SECRET) -> str:
    """``X-Bizzlink-Signature`` by the formula in docs/bizzlink.md."""
    ts = int(time.time()) if ts is None else ts
    body_hash = hashlib.sha256(body).hexdigest()
    message = f"{ts}.{method}.{path_and_query}.{body_hash}".encode()
    return f"t={ts},v1={hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()}"


def signed(method: str, path_and_query: str, body: bytes = b"", **kw: Any) -> dict:
    return {"Authorization": f"Bearer {TOKEN}",
            "X-Bizzlink-Signature": header(method, path_and_query, body, **kw)}


def detail_401(resp: Any, source: str) -> str:
    assert resp.status_code == 401, resp.text
    assert resp.headers["www-authenticate"] == 'Bearer realm="bizzlink"'
    err = resp.json()["errors"][0]
    assert err["status"] == "401" and err["source"] == {"header": source}
    return err["detail"]


def test_the_published_formula_opens_the_api(client):
    assert hashlib.sha256(b"").hexdigest() == EMPTY_SHA256
    resp = client.get("/bizzlink/tenants", headers=signed("GET", "/bizzlink/tenants"))
    assert resp.status_code == 200
    body = json.dumps({"data": {"attributes": {"billingModel": "SEATS",
                                               "companyName": "Formula SA"}}}).encode()
    resp = client.post("/bizzlink/tenants", content=body,
                       headers={**signed("POST", "/bizzlink/tenants", body),
                                "Content-Type": "application/vnd.api+json"})
    assert resp.status_code == 201, resp.text


def test_the_path_is_signed_as_sent_percent_encoding_included(client):
    raw = f"/bizzlink/tenants/{KUNDE_ID[:-1]}%30"  # %30 is "0": the same tenant
    resp = client.get(raw, headers=signed("GET", raw))
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["id"] == KUNDE_ID
    decoded = f"/bizzlink/tenants/{KUNDE_ID}"
    resp = client.get(raw, headers=signed("GET", decoded))
    assert "does not match" in detail_401(resp, "X-Bizzlink-Signature")


def test_a_valid_token_under_another_scheme_is_refused(client):
    headers = {**signed("GET", "/bizzlink/tenants"), "Authorization": f"Basic {TOKEN}"}
    resp = client.get("/bizzlink/tenants", headers=headers)
    assert detail_401(resp, "Authorization") == "Authorization must be 'Bearer <api-token>'"


@pytest.mark.parametrize("auth,detail", [
    (None, "Authorization is missing"),
    ("Bearer ", "Authorization must be 'Bearer <api-token>'"),
    ("Token " + TOKEN, "Authorization must be 'Bearer <api-token>'"),
    ("Bearer bzl_partner_seats_tokenX", "Authorization carries an unknown API token")])
def test_each_authorization_failure_says_what_is_wrong(client, auth, detail):
    headers = {"X-Bizzlink-Signature": header("GET", "/bizzlink/tenants")}
    if auth is not None:
        headers["Authorization"] = auth
    resp = client.get("/bizzlink/tenants", headers=headers)
    assert detail_401(resp, "Authorization") == detail
    assert SECRET not in resp.text and TOKEN not in resp.text


def test_each_signature_failure_says_what_is_wrong(client):
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    resp = client.get("/bizzlink/tenants", headers=bearer)
    assert detail_401(resp, "X-Bizzlink-Signature") == "X-Bizzlink-Signature is missing"
    resp = client.get("/bizzlink/tenants", headers={**bearer, "X-Bizzlink-Signature": "t=1"})
    assert "is malformed: expected t=<unix-seconds>,v1=<64 hex digits>" in \
        detail_401(resp, "X-Bizzlink-Signature")
    old = signed("GET", "/bizzlink/tenants", ts=int(time.time()) - 3600)
    resp = client.get("/bizzlink/tenants", headers=old)
    assert detail_401(resp, "X-Bizzlink-Signature") == \
        "X-Bizzlink-Signature timestamp is outside the allowed window of 300 seconds"


def test_the_window_is_inclusive_on_a_frozen_clock(client):
    assert client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"}).status_code == 200
    now = 1893456000  # 2030-01-01T00:00:00Z
    for ts, status in ((now - 300, 200), (now + 300, 200), (now - 301, 401), (now + 301, 401)):
        resp = client.get("/bizzlink/tenants", headers=signed("GET", "/bizzlink/tenants", ts=ts))
        assert resp.status_code == status, (ts, resp.text)


def test_signature_tolerance_is_configurable():
    app = create_app(Config(signature_tolerance=10, validate_responses=True))
    with app.test_client() as c:
        assert c.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"}).status_code == 200
        now = 1893456000  # 2030-01-01T00:00:00Z
        ok = c.get("/bizzlink/tenants", headers=signed("GET", "/bizzlink/tenants", ts=now - 10))
        assert ok.status_code == 200
        late = c.get("/bizzlink/tenants",
                     headers=signed("GET", "/bizzlink/tenants", ts=now - 11))
        assert detail_401(late, "X-Bizzlink-Signature").endswith("window of 10 seconds")


def test_an_unknown_bizzlink_path_is_404_without_credentials(client):
    resp = client.get("/bizzlink/nowhere")
    assert resp.status_code == 404
    assert resp.json()["errors"][0]["status"] == "404"


def test_other_apis_never_ask_for_a_bizzlink_signature(client):
    resp = client.get("/api/v1/tenants", headers={"X-API-KEY": "wk_platform_admin_key"})
    assert resp.status_code == 200
