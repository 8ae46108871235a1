"""Bizzlink authentication (Bearer + HMAC signature) and authorization (partners/children)."""

from __future__ import annotations

import json
import time

import pytest

from mock_server.apis.bizzlink.signing import compute_signature, sign
from tests.bizzlink.helpers import BOTH, FLOW, FLUSSWERK_ID, KUNDE_ID, NOT_PARTNER, SEATS, doc

TOKEN = "bzl_partner_seats_token"
SECRET = "bzl_partner_seats_secret"


def signed_headers(method: str, path: str, body: bytes = b"", *, secret: str = SECRET,
                   ts: int | None = None) -> dict:
    return {"Authorization": f"Bearer {TOKEN}",
            "X-Bizzlink-Signature": sign(secret, method, path, body, ts)}


def assert_401(resp, header: str) -> None:
    assert resp.status_code == 401, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.api+json")
    err = resp.json()["errors"][0]
    assert err["status"] == "401"
    assert err["source"] == {"header": header}


def test_valid_signature_is_accepted(client):
    resp = client.get("/bizzlink/tenants", headers=signed_headers("GET", "/bizzlink/tenants"))
    assert resp.status_code == 200


def test_signature_with_query_signed_verbatim(client):
    path = "/bizzlink/tenants?page[number]=1&page[size]=2"
    resp = client.get(path, headers=signed_headers("GET", path))
    assert resp.status_code == 200
    assert resp.json()["meta"]["size"] == 2


def test_signature_with_body(client):
    body = json.dumps(doc(companyName="Signed Body SA")).encode()
    headers = {**signed_headers("POST", "/bizzlink/tenants", body),
               "Content-Type": "application/json"}
    resp = client.post("/bizzlink/tenants", content=body, headers=headers)
    assert resp.status_code == 201, resp.text


@pytest.mark.parametrize("tamper", ["method", "path", "query", "body", "timestamp", "secret"])
def test_tampered_signature_is_rejected(client, tamper):
    body = json.dumps(doc(companyName="Tampered SA")).encode()
    ts = int(time.time())
    method, path, signed_body, secret = "POST", "/bizzlink/tenants", body, SECRET
    send_path = path
    if tamper == "method":
        method = "PUT"
    elif tamper == "path":
        path = "/bizzlink/tenant"
    elif tamper == "query":
        send_path = path + "?page[size]=5"
    elif tamper == "body":
        signed_body = body.replace(b"Tampered", b"Tempered")
    elif tamper == "secret":
        secret = "bzl_partner_flow_secret"
    v1 = compute_signature(secret, ts, method, path, signed_body)
    if tamper == "timestamp":
        ts += 1
    headers = {"Authorization": f"Bearer {TOKEN}", "X-Bizzlink-Signature": f"t={ts},v1={v1}",
               "Content-Type": "application/json"}
    resp = client.post(send_path, content=body, headers=headers)
    assert_401(resp, "X-Bizzlink-Signature")
    assert "does not match" in resp.json()["errors"][0]["detail"]
    listed = client.get("/bizzlink/tenants?page[size]=100",
                        headers=signed_headers("GET", "/bizzlink/tenants?page[size]=100"))
    assert "Tampered SA" not in listed.text


@pytest.mark.parametrize("offset", [-301, 301])
def test_stale_and_future_timestamps_are_rejected(client, offset):
    # On a frozen clock: with real time, a slow first request (its sandbox is built
    # on the way) moved "now" towards a future timestamp and let it in.
    assert client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"}).status_code == 200
    ts = 1893456000 + offset  # 2030-01-01T00:00:00Z
    resp = client.get("/bizzlink/tenants",
                      headers=signed_headers("GET", "/bizzlink/tenants", ts=ts))
    assert_401(resp, "X-Bizzlink-Signature")
    assert "window" in resp.json()["errors"][0]["detail"]


def test_timestamp_inside_tolerance_is_accepted(client):
    ts = int(time.time()) - 250
    resp = client.get("/bizzlink/tenants",
                      headers=signed_headers("GET", "/bizzlink/tenants", ts=ts))
    assert resp.status_code == 200


def test_tolerance_follows_the_sandbox_clock(client):
    assert client.post("/_sandbox/clock", json={"advance": 3600}).status_code == 200
    resp = client.get("/bizzlink/tenants", headers=signed_headers("GET", "/bizzlink/tenants"))
    assert_401(resp, "X-Bizzlink-Signature")
    ts = int(time.time()) + 3600
    resp = client.get("/bizzlink/tenants",
                      headers=signed_headers("GET", "/bizzlink/tenants", ts=ts))
    assert resp.status_code == 200


@pytest.mark.parametrize("value", ["", "garbage", "t=abc,v1=00", "v1=" + "a" * 64,
                                   "t=1700000000", "t=1700000000,v1=" + "z" * 64])
def test_malformed_signature_header(client, value):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if value:
        headers["X-Bizzlink-Signature"] = value
    resp = client.get("/bizzlink/tenants", headers=headers)
    assert_401(resp, "X-Bizzlink-Signature")


@pytest.mark.parametrize("auth", [None, "Bearer", "Basic abc", "Bearer unknown-token"])
def test_missing_or_unknown_token(client, auth):
    headers = {"X-Bizzlink-Signature": sign(SECRET, "GET", "/bizzlink/tenants")}
    if auth:
        headers["Authorization"] = auth
    resp = client.get("/bizzlink/tenants", headers=headers)
    assert_401(resp, "Authorization")
    assert TOKEN not in resp.text and SECRET not in resp.text


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/bizzlink/tenants", None),
    ("POST", "/bizzlink/tenants", doc(billingModel="FLOW")),
    ("GET", f"/bizzlink/tenants/{KUNDE_ID}", None),
    ("PATCH", f"/bizzlink/tenants/{KUNDE_ID}", {"data": {"attributes": {"active": False}}}),
])
def test_non_partner_is_forbidden_everywhere(bz, method, path, body):
    before = bz("GET", "/bizzlink/tenants", params={"page[size]": 100}).json()["data"]
    assert before[0]["id"] == KUNDE_ID and before[0]["attributes"]["active"] is True
    resp = bz(method, path, as_=NOT_PARTNER, json_body=body)
    assert resp.status_code == 403, resp.text
    assert resp.json()["errors"][0]["detail"] == "Caller is not a partner"
    assert bz("GET", "/bizzlink/tenants", params={"page[size]": 100}).json()["data"] == before


@pytest.mark.parametrize("method,body", [
    ("GET", None), ("PATCH", {"data": {"attributes": {"contactName": "Intruder"}}})])
def test_other_partners_child_is_forbidden(bz, method, body):
    resp = bz(method, f"/bizzlink/tenants/{FLUSSWERK_ID}", as_=SEATS, json_body=body)
    assert resp.status_code == 403
    assert resp.json()["errors"][0]["detail"] == "Tenant is not a child of the calling partner"
    after = bz("GET", f"/bizzlink/tenants/{FLUSSWERK_ID}", as_=FLOW)
    assert after.json()["data"]["attributes"]["contactName"] == "Erika Mustermann"


def test_partner_cannot_read_another_partners_own_tenant(bz, principal):
    other = principal(BOTH)["tenantId"]
    resp = bz("GET", f"/bizzlink/tenants/{other}", as_=SEATS)
    assert resp.status_code == 403


@pytest.mark.parametrize("method,body", [
    ("GET", None), ("PATCH", {"data": {"attributes": {"active": False}}})])
def test_unknown_id_is_404(bz, method, body):
    resp = bz(method, "/bizzlink/tenants/00000000-0000-4000-8000-000000000000", json_body=body)
    assert resp.status_code == 404
    assert resp.json()["errors"][0]["status"] == "404"


def test_malformed_id_is_400_naming_the_parameter(bz):
    resp = bz("GET", "/bizzlink/tenants/not-a-uuid")
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"parameter": "id"}
