"""Bad input corpus against a real server: always a 4xx in the API's own format,
within a second, never a 5xx or a hang, and the server keeps serving."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer
from mock_server.testing import BizzlinkAuth, roomle_auth


@dataclass(frozen=True)
class Target:
    """How to reach one API with valid credentials, and how its errors look."""

    name: str
    auth: Callable[[dict], httpx.Auth | None]
    headers: Callable[[dict], dict]
    create: str
    collection: str
    item: str
    page_size: str
    is_error: Callable[[Any, int], bool]


def _bizzlink_auth(creds: dict) -> httpx.Auth:
    p = next(c for c in creds["bizzlink"] if c["role"] == "partner"
             and c.get("subscriptions") == ["SEATS", "FLOW"])
    return BizzlinkAuth(p["headers"]["Authorization"].removeprefix("Bearer "), p["hmacSecret"])


def _bizzlink_seats_auth(creds: dict) -> httpx.Auth:
    p = next(c for c in creds["bizzlink"] if c.get("subscriptions") == ["SEATS"])
    return BizzlinkAuth(p["headers"]["Authorization"].removeprefix("Bearer "), p["hmacSecret"])


def _jsonapi_error(body: Any, status: int) -> bool:
    return body["errors"][0]["status"] == str(status)


# Kunde GmbH (a child of the SEATS partner) and its legal entity ACME Luxembourg S.A.
BIZ_LES = "/bizzlink/tenants/770e8400-e29b-41d4-a716-446655440000/legal-entities"
BIZ_PIDS = f"{BIZ_LES}/3f6d2a1e-8b4c-4d7e-9a2f-5c1b0e7d4a11/peppol-ids"
TARGETS = [
    Target("bizzlink", _bizzlink_auth, lambda c: {}, "/bizzlink/tenants", "/bizzlink/tenants",
           "/bizzlink/tenants/{id}", "page[size]", _jsonapi_error),
    Target("bizzlink-legal-entities", _bizzlink_seats_auth, lambda c: {}, BIZ_LES, BIZ_LES,
           BIZ_LES + "/{id}", "page[size]", _jsonapi_error),
    Target("bizzlink-peppol-ids", _bizzlink_seats_auth, lambda c: {}, BIZ_PIDS, BIZ_PIDS,
           BIZ_PIDS + "/{id}", "page[size]", _jsonapi_error),
    Target("wallet", lambda c: None,
           lambda c: next(p for p in c["wallet"] if p["role"] == "platform_admin")["headers"],
           "/api/v1/tenants/register", "/api/v1/tenants", "/api/v1/tenants/{id}", "size",
           lambda body, status: body["statusCode"] == status and "message" in body),
    Target("roomle",
           lambda c: roomle_auth(next(p for p in c["roomle"] if p["role"] == "super_admin")),
           lambda c: {},
           "/v2/tenants", "/v2/tenants", "/v2/tenants/{id}/", "pageSize",
           lambda body, status: body["error"]["status"] == status),
    Target("pigello", lambda c: None,
           lambda c: next(p for p in c["pigello"] if p["role"] == "client")["headers"],
           "/accounts/users/customer/tenant/", "/accounts/users/customer/tenant/",
           "/accounts/users/customer/tenant/{id}/", "_page_size",
           lambda body, status: _is_drf_error(body)),
]


def _is_drf_error(body: Any) -> bool:
    """Django REST framework's shapes: {"detail": "..."} or {"field": ["message", ...]}."""
    if not isinstance(body, dict) or not body:
        return False
    if set(body) == {"detail"}:
        return isinstance(body["detail"], str) and bool(body["detail"])
    return all(isinstance(v, list) and v and all(isinstance(m, str) for m in v)
               for v in body.values())


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(create_app()) as srv:
        yield srv


@pytest.fixture(scope="module")
def creds(server):
    return httpx.get(f"{server.url}/_sandbox/credentials").json()


def _send(server, target: Target, creds: dict, method: str, path: str, **kw) -> httpx.Response:
    headers = {**target.headers(creds), **kw.pop("headers", {})}
    started = time.monotonic()
    resp = httpx.request(method, f"{server.url}{path}", auth=target.auth(creds),
                         headers=headers, timeout=5, **kw)
    assert time.monotonic() - started < 1.0, "took longer than a second"
    return resp


def _assert_api_error(target: Target, resp: httpx.Response, *allowed: int) -> None:
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
    if allowed:
        assert resp.status_code in allowed, (resp.status_code, resp.text[:300])
    assert target.is_error(resp.json(), resp.status_code), resp.text[:300]


JSON = {"Content-Type": "application/json"}
BODIES = {
    "malformed json": (b'{"data": {"attributes": ', JSON),
    "json array": (b"[1, 2, 3]", JSON),
    "json string": (b'"tenant"', JSON),
    "json null": (b"null", JSON),
    "empty body": (b"", JSON),
    "wrong content type": (b'{"data": {}}', {"Content-Type": "text/plain"}),
    "missing content type": (b'{"data": {}}', {}),
    "deeply nested": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, JSON),
    "invalid utf-8": (b'{"data": "\xff\xfe\xfd"}', JSON),
    "nul bytes": (b'{"data": {"attributes": {"companyName": "a\\u0000b"}}}\x00', JSON),
    "form data": (b"a=1&b=2", {"Content-Type": "application/x-www-form-urlencoded"}),
    "nan literal": (b'{"data": NaN}', JSON),
    "infinity literal": (b'{"data": -Infinity}', JSON),
    "integer of 5000 digits": (b'{"data": ' + b"9" * 5000 + b"}", JSON),
    "upper-case media type": (b'{"data": {}}', {"Content-Type": "APPLICATION/JSON"}),
    "media type with odd case and parameter": (b'{"data": {}}',
                                               {"Content-Type": "Application/Json; Charset=UTF-8"}),
}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("case", list(BODIES), ids=str)
def test_bad_bodies(server, creds, target, case):
    content, headers = BODIES[case]
    resp = _send(server, target, creds, "POST", target.create, content=content, headers=headers)
    _assert_api_error(target, resp)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_chunked_bodies_are_read_and_validated(server, creds, target):
    def chunks():
        yield b'{"data": '
        yield b'{"unexpected": true}}'

    resp = _send(server, target, creds, "POST", target.create, content=chunks(), headers=JSON)
    _assert_api_error(target, resp)
    assert "RequestBody is required" not in resp.text  # the body was read, not missed
    assert "must not be empty" not in resp.text


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_ten_megabyte_body_is_refused_unread(server, creds, target):
    body = b'{"data": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    try:
        resp = _send(server, target, creds, "POST", target.create, content=body, headers=JSON)
    except httpx.TransportError:
        pytest.fail("the server dropped the connection instead of answering 413")
    _assert_api_error(target, resp, 413)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("size", ["0", "-1", "100000000000000000000", "1e3", "abc", ""])
def test_bad_page_sizes(server, creds, target, size):
    resp = _send(server, target, creds, "GET", target.collection,
                 params={target.page_size: size})
    if target.name == "wallet":
        # Spring's Pageable: an unusable size falls back to the default, 20.
        assert resp.status_code == 200 and resp.json()["data"]["size"] == 20, resp.text
        return
    _assert_api_error(target, resp, 400)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_unknown_query_parameter(server, creds, target):
    resp = _send(server, target, creds, "GET", target.collection, params={"bogus": "1"})
    if target.name == "wallet":
        # A Spring controller ignores query parameters it does not bind.
        assert resp.status_code == 200, resp.text
        return
    _assert_api_error(target, resp, 400)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("raw_id", ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..;", "%00",
                                    "a" * 5000, "1%20OR%201=1"])
def test_hostile_ids(server, creds, target, raw_id):
    resp = _send(server, target, creds, "GET", target.item.replace("{id}", raw_id))
    _assert_api_error(target, resp)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_very_long_header_value(server, creds, target):
    resp = _send(server, target, creds, "GET", target.collection,
                 headers={"X-Sandbox-Id": "x" * 8000})
    _assert_api_error(target, resp, 400)
    resp = _send(server, target, creds, "GET", target.collection,
                 headers={"X-Custom-Noise": "y" * 8000})
    assert resp.status_code == 200


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_still_serving_after_the_corpus(server, creds, target):
    for content, headers in BODIES.values():
        _send(server, target, creds, "POST", target.create, content=content, headers=headers)
    resp = _send(server, target, creds, "GET", target.collection)
    assert resp.status_code == 200
    assert httpx.get(f"{server.url}/_sandbox/health").json()["status"] == "ok"
    assert json.loads(resp.text)
