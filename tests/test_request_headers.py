"""One header map per request (context.request_headers): what Starlette's Headers.get
answers, made again when a middleware replaces the header list."""

from __future__ import annotations

from starlette.datastructures import Headers

from mock_server.context import request_headers


def scope_with(headers: list[tuple[bytes, bytes]]) -> dict:
    return {"type": "http", "headers": headers}


def test_it_answers_what_starlette_answers():
    raw = [(b"x-one", b"1"), (b"accept", b"a/b"), (b"x-one", b"2"),
           (b"x-latin", "\u00e9".encode("latin-1"))]  # ASGI names are lower case
    scope = scope_with(raw)
    ours, theirs = request_headers(scope), Headers(scope=scope)
    for name in ("x-one", "accept", "x-latin", "missing"):
        assert ours.get(name) == theirs.get(name), name
    assert request_headers(scope_with([(b"X-Upper", b"u")]))["x-upper"] == "u"


def test_it_is_made_once_and_again_after_the_list_is_replaced():
    scope = scope_with([(b"content-type", b"application/vnd.api+json")])
    first = request_headers(scope)
    assert request_headers(scope) is first
    scope["headers"] = [(b"content-type", b"application/json")]  # as a middleware does
    assert request_headers(scope)["content-type"] == "application/json"


def test_a_fault_header_in_any_case_is_honoured(client):
    for name in ("X-Sandbox-Fault", "x-sandbox-fault", "X-SANDBOX-FAULT"):
        resp = client.get("/api/v1/tenants", headers={name: "status=503",
                                                      "X-API-KEY": "wk_platform_admin_key"})
        assert resp.status_code == 503, name
