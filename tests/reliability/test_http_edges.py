"""HTTP edges over a real socket (uvicorn): HEAD on keep-alive connections, the drop
fault, 405 Allow, odd paths, media types, chunked bodies and non-JSON literals.

Raw sockets where a client library would hide the bytes (a status line that should
not exist, a connection that should stay open)."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import httpx
import pytest

from mock_server.apis.roomle.tokens import make_token
from mock_server.app import create_app
from mock_server.routing import MethodDispatch, _RoutingAPI
from mock_server.serving import BackgroundServer

WALLET = {"X-API-KEY": "wk_platform_admin_key"}


def roomle() -> dict[str, str]:
    """The seeded super admin's Roomle headers, with a request token made now."""
    return {"apiKey": "rml_platform_api_key",
            "token": make_token("Pl4tf0rm-Secr3t!", "rml_session_super_admin",
                                "rml_platform_api_key", datetime.now(UTC))}


@pytest.fixture(scope="module", params=["async", "flask"])
def server(request):
    with BackgroundServer(create_app(flavor=request.param)) as srv:
        yield srv


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.WARNING)
    yield caplog
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not noisy, [r.getMessage() for r in noisy]


def raw_exchange(server, requests: list[bytes], timeout: float = 5) -> list[bytes]:
    """Send requests one after another on ONE connection; the raw answer to each."""
    answers = []
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        for request in requests:
            sock.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            answers.append(data)
    return answers


def test_head_answers_like_get_without_body_and_keeps_the_connection(server, errors_logged):
    request = b"HEAD /_sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n"
    answers = raw_exchange(server, [request, request,
                                    b"GET /_sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n"])
    for head in answers[:2]:
        status, _, rest = head.partition(b"\r\n")
        assert status == b"HTTP/1.1 200 OK"
        headers, _, body = rest.partition(b"\r\n\r\n")
        assert body == b""
        assert b"content-length: 1" in headers.lower()  # the GET's length (100+ bytes)
    assert answers[2].startswith(b"HTTP/1.1 200 OK")  # the same connection still serves


@pytest.mark.parametrize(("path", "status"), [("/api/v1/tenants", 200),
                                              ("/bizzlink/tenants", 401),  # not signed
                                              ("/v2/tenants", 200)])
def test_head_on_api_routes_keeps_the_status_of_get(server, errors_logged, path, status):
    get = httpx.get(f"{server.url}{path}", headers={**WALLET, **roomle()})
    head = httpx.head(f"{server.url}{path}", headers={**WALLET, **roomle()})
    assert get.status_code == status
    assert head.status_code == status
    assert head.content == b""


def test_drop_fault_closes_the_connection_without_any_response(server, errors_logged):
    request = (b"GET /api/v1/tenants HTTP/1.1\r\nHost: x\r\nX-API-KEY: wk_platform_admin_key\r\n"
               b"X-Sandbox-Id: edges-drop\r\nX-Sandbox-Fault: drop\r\n\r\n")
    assert raw_exchange(server, [request]) == [b""]
    ok = httpx.get(f"{server.url}/api/v1/tenants", headers={**WALLET, "X-Sandbox-Id": "edges-drop"})
    assert ok.status_code == 200


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/bizzlink/tenants", "GET, HEAD, POST"),
    ("PUT", "/v2/tenants", "GET, HEAD, POST"),
    ("OPTIONS", "/api/v1/tenants/register", "POST"),
    ("PUT", "/accounts/users/customer/tenant/", "GET, HEAD, POST"),
])
def test_405_allow_lists_every_method_of_the_path(server, method, path, allow):
    resp = httpx.request(method, f"{server.url}{path}", headers={**WALLET, **roomle()})
    assert resp.status_code == 405
    assert resp.headers["allow"] == allow


def test_allow_of_a_path_with_an_id_lists_get_patch_and_delete(server):
    resp = httpx.post(f"{server.url}/v2/tenants/2", headers=roomle())
    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, HEAD, PUT, DELETE"  # a fixed, readable order


ODD = ["%0A", "%0D", "%00", "%E2%82%AC", "a%2Fb", "%FF", "%0D%0AX-Injected:%201"]
# The one status of each odd segment (no credentials sent), without and with a trailing
# slash. A segment that matches the item route reaches authentication (401); an encoded
# slash adds a segment no route has (404). Pigello redirects a slashless path (Django's
# APPEND_SLASH, 301) and 404s a path no route has; Bizzlink 404s every trailing slash
# (docs/bizzlink.md). A decoded newline (%0A) is matched by Starlette's route patterns
# only at the very end of a path (Python's ``$`` allows a final newline, ``.`` never
# matches one): a newline inside a path ("x\n" + "/") matches no route (404; routing
# never redirects between slash forms: mock_server/routing.py).
ODD_STATUS = {
    "/accounts/users/customer/tenant/": {
        "%0A": (301, 404), "%0D": (301, 401), "%00": (301, 401), "%E2%82%AC": (301, 401),
        "a%2Fb": (404, 404), "%FF": (301, 401), "%0D%0AX-Injected:%201": (301, 404)},
    "/api/v1/tenants/": dict.fromkeys(ODD, (404, 404)),
    "/v2/tenants/": {
        "%0A": (404, 404), "%0D": (401, 401), "%00": (401, 401), "%E2%82%AC": (401, 401),
        "a%2Fb": (404, 404), "%FF": (401, 401), "%0D%0AX-Injected:%201": (404, 404)},
    "/bizzlink/tenants/": {
        "%0A": (404, 404), "%0D": (401, 404), "%00": (401, 404), "%E2%82%AC": (401, 404),
        "a%2Fb": (404, 404), "%FF": (401, 404), "%0D%0AX-Injected:%201": (404, 404)},
    "/_sandbox/": dict.fromkeys(ODD, (404, 404)),
}


@pytest.mark.parametrize("segment", ODD)
@pytest.mark.parametrize("prefix", list(ODD_STATUS))
@pytest.mark.parametrize("slash", ["", "/"])
def test_odd_paths_never_get_a_5xx_or_a_closed_connection(server, errors_logged, prefix,
                                                          segment, slash):
    path = f"{prefix}{segment}{slash}".encode()
    answer = raw_exchange(server, [b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n"])[0]
    status = int(answer.split(b" ", 2)[1])
    assert status == ODD_STATUS[prefix][segment][len(slash)], answer[:200]
    assert b"\r\nx-injected:" not in answer.lower()  # no header was injected


def test_pigello_redirect_keeps_the_path_percent_encoded(server):
    resp = httpx.get(f"{server.url}/accounts/users/customer/tenant/%E2%82%AC?a=1")
    assert resp.status_code == 301
    assert resp.headers["location"] == "/accounts/users/customer/tenant/%E2%82%AC/?a=1"


def test_a_path_parameter_that_breaks_its_schema_is_a_400_in_the_api_format(server):
    resp = httpx.get(f"{server.url}/v2/tenants/abc", headers=roomle())
    assert resp.status_code == 400
    assert resp.json()["error"]["errors"][0]["field"] == "id"


def test_routing_hooks_of_connexion_are_still_called():
    """routing.py overrides two Connexion hooks; if Connexion stops calling them, routes
    are no longer one per path and untyped, and this fails."""
    from mock_server.routing import RoutingMiddleware

    app = create_app()
    _, instances = app.middleware._build_middleware_stack()
    routing = next(m for m in instances if isinstance(m, RoutingMiddleware))
    found = [route for mount in routing.router.routes for route in mount.app.routes
             if isinstance(route.app, MethodDispatch)]
    assert found, "no MethodDispatch route: routing.py's hooks were not used"
    assert any(len(r.app.operations) > 1 for r in found)
    assert not [r.path for r in found if ":" in r.path]  # no typed converters
    assert _RoutingAPI._framework_path_and_name("op", "/t/{id}")[0] == "/t/{id}"


def test_media_types_are_case_insensitive(server):
    resp = httpx.post(f"{server.url}/api/v1/tenants/register", content=b"{}",
                      headers={**WALLET, "Content-Type": "APPLICATION/JSON"})
    assert resp.status_code == 400
    assert resp.json()["statusCode"] == 400
    assert "tenant" in resp.text


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1" * 5000])
def test_non_json_literals_and_huge_integers_are_400(server, errors_logged, literal):
    body = b'{"tenant": {"name": ' + literal + b"}}"
    resp = httpx.post(f"{server.url}/api/v1/tenants/register", content=body,
                      headers={**WALLET, "Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("Request body is not valid JSON")


def test_a_chunked_body_is_read_like_any_other(server):
    def chunks():
        yield b'{"tenant": '
        yield b'{"name": 1}}'

    resp = httpx.post(f"{server.url}/api/v1/tenants/register", content=chunks(),
                      headers={**WALLET, "Content-Type": "application/json"})
    assert resp.status_code == 400
    fields = [e["field"] for e in resp.json()["data"]["errors"]]
    assert "tenant.name" in fields and "tenant" not in fields  # the body was seen


def test_a_chunked_body_past_the_limit_is_413():
    with BackgroundServer(create_app(config_with(max_body_bytes=64))) as srv:
        def chunks():
            for _ in range(10):
                yield b'{"x": "' + b"a" * 20 + b'"}'

        resp = httpx.post(f"{srv.url}/api/v1/tenants/register", content=chunks(),
                          headers={**WALLET, "Content-Type": "application/json"})
        assert resp.status_code == 413
        assert resp.json()["statusCode"] == 413


def config_with(**values):
    from mock_server.config import Config

    return Config(**values)


@pytest.mark.parametrize("method, path, api_error", [
    ("POST", "/api/v1/tenants/register/", b'"statusCode": 404'),
    ("POST", "/v2/auth/signin/", b'"code": "no_route"'),
    ("GET", "/_sandbox/health/", b'"status": 404'),
])
def test_a_path_that_misses_by_a_slash_is_the_apis_404_not_a_redirect(server, method, path,
                                                                      api_error):
    resp = httpx.request(method, f"{server.url}{path}", follow_redirects=False)
    assert resp.status_code == 404
    assert "location" not in resp.headers
    assert api_error in resp.content
