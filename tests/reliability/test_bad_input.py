"""Bad input corpus against a real server: each case gets its one status and the reason,
in the API's own format (so a broken check that answered, say, 401 to everything fails
every case), never a 5xx or a hang, and the server keeps serving."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer
from mock_server.testing import BizzlinkAuth, roomle_auth

Reason = tuple[str | None, str | None, str]  # (code, where, message) in one API's terms


@dataclass(frozen=True)
class Target:
    """How to reach one API with valid credentials, and how its errors say why."""

    name: str
    family: str  # the API whose error format and expectations apply
    auth: Callable[[dict], httpx.Auth | None]
    headers: Callable[[dict], dict]
    create: str
    collection: str
    item: str
    page_size: str
    id_param: str  # the path parameter of ``item``
    content_type: str


def _bizzlink_auth(creds: dict) -> httpx.Auth:
    p = next(c for c in creds["bizzlink"] if c["role"] == "partner"
             and c.get("subscriptions") == ["SEATS", "FLOW"])
    return BizzlinkAuth(p["headers"]["Authorization"].removeprefix("Bearer "), p["hmacSecret"])


def _bizzlink_seats_auth(creds: dict) -> httpx.Auth:
    p = next(c for c in creds["bizzlink"] if c.get("subscriptions") == ["SEATS"])
    return BizzlinkAuth(p["headers"]["Authorization"].removeprefix("Bearer "), p["hmacSecret"])


def _jsonapi_reasons(body: Any, status: int) -> list[Reason]:
    """JSON:API: every ``errors[]`` item carries the status; ``source`` names the culprit."""
    assert set(body) == {"errors"} and body["errors"], body
    reasons = []
    for e in body["errors"]:
        assert e["status"] == str(status), e
        where = next(iter(e.get("source", {}).values()), None)
        reasons.append((e["code"], where, e["detail"]))
    return reasons


def _wallet_reasons(body: Any, status: int) -> list[Reason]:
    """The envelope: ``message`` says why, ``data.errors[]`` names fields (400/413/415/422)."""
    assert set(body) == {"statusCode", "message", "data"} and body["statusCode"] == status, body
    fields = (body["data"] or {}).get("errors", [])
    return [(None, None, body["message"])] + [(None, e["field"], e["message"]) for e in fields]


def _roomle_reasons(body: Any, status: int) -> list[Reason]:
    """``{"error": {status, code, message, errors: [{field, message, location}]}}``."""
    assert set(body) == {"error"} and body["error"]["status"] == status, body
    err = body["error"]
    return [(err["code"], None, err["message"])] + [
        (err["code"], e["field"], e["message"]) for e in err["errors"]]


def _drf_reasons(body: Any, status: int) -> list[Reason]:
    """Django REST framework: ``{"detail": "..."}`` or ``{"field": ["message", ...]}``."""
    assert isinstance(body, dict) and body, body
    if "detail" in body:
        assert set(body) == {"detail"} and isinstance(body["detail"], str), body
        return [(None, "detail", body["detail"])]
    reasons = []
    for field, messages in body.items():
        assert isinstance(messages, list) and messages, body
        reasons += [(None, field, m) for m in messages if isinstance(m, str)]
    return reasons


REASONS = {"bizzlink": _jsonapi_reasons, "wallet": _wallet_reasons,
           "roomle": _roomle_reasons, "pigello": _drf_reasons}
JSONAPI_TYPE = "application/vnd.api+json"
HANG = 10  # seconds without an answer that count as a hang

# Kunde GmbH (a child of the SEATS partner) and its legal entity ACME Luxembourg S.A.
BIZ_LES = "/bizzlink/tenants/770e8400-e29b-41d4-a716-446655440000/legal-entities"
BIZ_PIDS = f"{BIZ_LES}/3f6d2a1e-8b4c-4d7e-9a2f-5c1b0e7d4a11/peppol-ids"
TARGETS = [
    Target("bizzlink", "bizzlink", _bizzlink_auth, lambda c: {}, "/bizzlink/tenants",
           "/bizzlink/tenants", "/bizzlink/tenants/{id}", "page[size]", "id", JSONAPI_TYPE),
    Target("bizzlink-legal-entities", "bizzlink", _bizzlink_seats_auth, lambda c: {}, BIZ_LES,
           BIZ_LES, BIZ_LES + "/{id}", "page[size]", "leId", JSONAPI_TYPE),
    Target("bizzlink-peppol-ids", "bizzlink", _bizzlink_seats_auth, lambda c: {}, BIZ_PIDS,
           BIZ_PIDS, BIZ_PIDS + "/{id}", "page[size]", "peppolIdId", JSONAPI_TYPE),
    Target("wallet", "wallet", lambda c: None,
           lambda c: next(p for p in c["wallet"] if p["role"] == "platform_admin")["headers"],
           "/api/v1/tenants/register", "/api/v1/tenants", "/api/v1/tenants/{id}", "size", "",
           "application/json"),
    Target("roomle", "roomle",
           lambda c: roomle_auth(next(p for p in c["roomle"] if p["role"] == "super_admin")),
           lambda c: {},
           "/v2/tenants", "/v2/tenants", "/v2/tenants/{id}/", "pageSize", "id",
           "application/json"),
    Target("pigello", "pigello", lambda c: None,
           lambda c: next(p for p in c["pigello"] if p["role"] == "client")["headers"],
           "/accounts/users/customer/tenant/", "/accounts/users/customer/tenant/",
           "/accounts/users/customer/tenant/{id}/", "_page_size", "", "application/json"),
]


@dataclass(frozen=True)
class Expect:
    """The one status of a refusal and the reasons (code, where, message fragment) its body
    must give; ``code`` None for formats without machine codes (Wallet, Pigello)."""

    status: int
    reasons: tuple[Reason, ...]


def E(status: int, where: str | None, text: str, code: str | None = None,
      *more: Reason) -> Expect:
    return Expect(status, ((code, where, text), *more))


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(create_app()) as srv:
        yield srv


@pytest.fixture(scope="module")
def creds(server):
    return httpx.get(f"{server.url}/_sandbox/credentials").json()


def _send(server, target: Target, creds: dict, method: str, path: str, **kw) -> httpx.Response:
    headers = {**target.headers(creds), **kw.pop("headers", {})}
    # A hang fails through the client's timeout; how fast an answer comes is the
    # benchmark's business (a wall-clock bound fails on a loaded machine, issue 19).
    return httpx.request(method, f"{server.url}{path}", auth=target.auth(creds),
                         headers=headers, timeout=HANG, **kw)


def _assert_refused(target: Target, resp: httpx.Response, expect: Expect) -> None:
    """The one expected status, the API's own error format, and every expected reason."""
    assert resp.status_code == expect.status, (resp.status_code, resp.text[:300])
    assert resp.headers["content-type"].split(";")[0] == target.content_type, resp.headers
    reasons = REASONS[target.family](resp.json(), resp.status_code)
    for code, where, text in expect.reasons:
        assert any((code is None or code == c) and where == w and text in m
                   for c, w, m in reasons), ((code, where, text), reasons)


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


def _not_json(text: str, drf: str) -> dict[str, Expect]:
    """A body the shared reader refuses (400 ``bad_request``) and DRF's ``JSON parse error``."""
    return {"bizzlink": E(400, None, text, "bad_request"), "wallet": E(400, None, text),
            "roomle": E(400, None, text, "bad_request"),
            "pigello": E(400, "detail", f"JSON parse error - {drf}")}


def _not_an_object(drf_type: str) -> dict[str, Expect]:
    """JSON that is not an object: the schema's type error on the whole document."""
    return {"bizzlink": E(422, "/", "document must be of type object", "validation_error"),
            "wallet": E(400, None, "must be of type object"),
            "roomle": E(400, "", "must be of type object", "validation_error"),
            "pigello": E(400, "non_field_errors",
                         f"Invalid data. Expected a dictionary, but got {drf_type}.")}


def _media_type(sent: str) -> dict[str, Expect]:
    """415 naming the media type (Bizzlink: ``source.header``); DRF names what was sent."""
    refused = f"Invalid Content-type ({sent})" if sent else "needs a Content-Type header"
    return {"bizzlink": E(415, "Content-Type", refused, "unsupported_media_type"),
            "wallet": E(415, None, refused),
            "roomle": E(415, None, refused, "unsupported_media_type"),
            "pigello": E(415, "detail", f'Unsupported media type "{sent}" in request.')}


# ``{"data": {}}`` accepted as JSON and checked: each API names the first member it misses
# (Pigello reads no ``data`` member and applies its name rule).
DATA_EMPTY = {
    "bizzlink": E(422, "/data/attributes", "attributes is required", "validation_error"),
    "wallet": E(400, "tenant", "is required", None, (None, "data", "is not an allowed member")),
    "roomle": E(400, "name", "is required", "validation_error",
                ("validation_error", "data", "is not an allowed member")),
    "pigello": E(400, "non_field_errors",
                 "At least one of first_name, last_name or corporate_name must be given."),
}
BODY_EXPECTED: dict[str, dict[str, Expect]] = {
    "malformed json": _not_json("Request body is not valid JSON: Expecting value",
                                "Expecting value: line 1 column 25"),
    "json array": _not_an_object("list"),
    "json string": _not_an_object("str"),
    "json null": {**_not_an_object("NoneType"),
                  "pigello": E(400, "non_field_errors", "No data provided")},
    "empty body": {**_not_json("RequestBody is required", ""),
                   "pigello": DATA_EMPTY["pigello"]},  # DRF reads an empty body as {}
    "wrong content type": _media_type("text/plain"),
    "missing content type": _media_type(""),  # DRF negotiates with "" and names it
    "deeply nested": _not_json("Request body is nested too deeply",
                               "maximum recursion depth exceeded"),
    "invalid utf-8": _not_json("Request body is not valid UTF-8 text",
                               "'utf-8' codec can't decode byte 0xff"),
    "nul bytes": _not_json("Request body is not valid JSON: Extra data",
                           "Extra data: line 1 column 54"),
    "form data": _media_type("application/x-www-form-urlencoded"),
    "nan literal": _not_json("Request body is not valid JSON: NaN is not a JSON value",
                             "Out of range float values are not JSON compliant: 'NaN'"),
    "infinity literal": _not_json(
        "Request body is not valid JSON: -Infinity is not a JSON value",
        "Out of range float values are not JSON compliant: '-Infinity'"),
    "integer of 5000 digits": _not_json(
        "Request body is not valid JSON: a number has too many digits",
        "Exceeds the limit (4300 digits) for integer string conversion"),
    "upper-case media type": DATA_EMPTY,
    "media type with odd case and parameter": DATA_EMPTY,
}


def test_every_body_case_has_an_expectation_for_every_api():
    assert set(BODY_EXPECTED) == set(BODIES)
    assert all(set(e) == {t.family for t in TARGETS} for e in BODY_EXPECTED.values())


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("case", list(BODIES), ids=str)
def test_bad_bodies(server, creds, target, case):
    content, headers = BODIES[case]
    resp = _send(server, target, creds, "POST", target.create, content=content, headers=headers)
    _assert_refused(target, resp, BODY_EXPECTED[case][target.family])


# Two chunks whose refusal names a member of the second one: proof that it was read.
CHUNKS = {"bizzlink": (b'{"data": ', b'{"unexpected": true}}'),
          "pigello": (b'{"first_name": "Ada", ', b'"email": "not-an-email"}')}
CHUNKED = {
    "bizzlink": E(422, "/data/unexpected", "is not an allowed member", "validation_error"),
    "wallet": E(400, "data", "is not an allowed member"),
    "roomle": E(400, "data", "is not an allowed member", "validation_error"),
    "pigello": E(400, "email", "Enter a valid email address."),
}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_chunked_bodies_are_read_and_validated(server, creds, target):
    first, second = CHUNKS.get(target.family, CHUNKS["bizzlink"])

    def chunks():
        yield first
        yield second

    resp = _send(server, target, creds, "POST", target.create, content=chunks(), headers=JSON)
    _assert_refused(target, resp, CHUNKED[target.family])


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_ten_megabyte_body_is_refused_unread(server, creds, target):
    body = b'{"data": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    try:
        resp = _send(server, target, creds, "POST", target.create, content=body, headers=JSON)
    except httpx.TransportError:
        pytest.fail("the server dropped the connection instead of answering 413")
    text = "Request body is larger than 1048576 bytes"
    expect = {"bizzlink": E(413, None, text, "payload_too_large"), "wallet": E(413, None, text),
              "roomle": E(413, None, text, "payload_too_large"),
              "pigello": E(413, "detail", text)}[target.family]
    _assert_refused(target, resp, expect)


# page size -> what each API says about it (Wallet: Spring's Pageable falls back to 20)
PAGE_SIZES = {
    "0": ("at_least", "must be at least 1"), "-1": ("at_least", "must be at least 1"),
    "100000000000000000000": ("at_most", None),
    "1e3": ("integer", "must be of type integer"), "abc": ("integer", "must be of type integer"),
    "": ("integer", "must be of type integer"),
}
DRF_PAGE_SIZE = {"at_least": "Ensure this value is greater than or equal to 1.",
                 "at_most": "Ensure this value is less than or equal to 1000.",
                 "integer": "A valid integer is required."}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("size", list(PAGE_SIZES))
def test_bad_page_sizes(server, creds, target, size):
    resp = _send(server, target, creds, "GET", target.collection,
                 params={target.page_size: size})
    if target.family == "wallet":
        # Spring's Pageable: an unusable size falls back to the default, 20.
        assert resp.status_code == 200 and resp.json()["data"]["size"] == 20, resp.text
        return
    kind, text = PAGE_SIZES[size]
    expect = {
        "bizzlink": E(400, "page[size]", f"page[size] {text or 'must be at most 100'}",
                      "validation_error"),
        "roomle": E(400, "pageSize", text or "must be at most 100", "validation_error"),
        "pigello": E(400, "_page_size", DRF_PAGE_SIZE[kind]),
    }[target.family]
    _assert_refused(target, resp, expect)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_unknown_query_parameter(server, creds, target):
    resp = _send(server, target, creds, "GET", target.collection, params={"bogus": "1"})
    if target.family == "wallet":
        # A Spring controller ignores query parameters it does not bind.
        assert resp.status_code == 200, resp.text
        assert resp.json()["data"]["totalElements"] >= 1
        return
    expect = {"bizzlink": E(400, "bogus", "bogus is not a known parameter", "validation_error"),
              "roomle": E(400, "bogus", "is not a known parameter", "validation_error"),
              "pigello": E(400, "bogus", "Unknown query parameter.")}[target.family]
    _assert_refused(target, resp, expect)


HOSTILE_IDS = ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..;", "%00", "a" * 5000, "1%20OR%201=1"]
NO_ROUTE = {"bizzlink": E(404, None, "The requested resource does not exist", "no_route"),
            "wallet": E(404, None, "Not found"),
            "roomle": E(404, None, "The requested resource does not exist", "no_route"),
            "pigello": E(404, "detail", "Not found.")}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("raw_id", HOSTILE_IDS, ids=lambda i: i[:24])
def test_hostile_ids(server, creds, target, raw_id):
    resp = _send(server, target, creds, "GET", target.item.replace("{id}", raw_id))
    if "%2F" in raw_id or target.family in ("wallet", "pigello"):
        # More path segments match no route; the Wallet has no item path at all; a Pigello
        # pk that is not a UUID is DRF's 404 (docs/pigello.md, Paths).
        expect = NO_ROUTE[target.family]
    elif target.family == "bizzlink":
        expect = E(400, target.id_param, f"{target.id_param} is not a valid uuid",
                   "validation_error")
    else:  # Roomle's integer id (docs/roomle.md, Errors)
        expect = E(400, "id", "must be of type integer", "validation_error")
    _assert_refused(target, resp, expect)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_very_long_header_value(server, creds, target):
    resp = _send(server, target, creds, "GET", target.collection,
                 headers={"X-Sandbox-Id": "x" * 8000})
    text = "X-Sandbox-Id must be 1-128 characters"
    expect = {"bizzlink": E(400, None, text, "bad_request"), "wallet": E(400, None, text),
              "roomle": E(400, None, text, "bad_request"),
              "pigello": E(400, "detail", text)}[target.family]
    _assert_refused(target, resp, expect)
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
