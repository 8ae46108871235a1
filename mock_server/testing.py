"""pytest plugin and helpers for testing a client against the sandbox.

Registered through the ``pytest11`` entry point, so installing tenant-sandbox
gives every pytest run these fixtures (see docs/pytest.md):

- ``sandbox_server`` (session): the sandbox served by uvicorn on 127.0.0.1 and a
  free port, in a background thread; stopped at the end of the session.
- ``sandbox`` (function): a fresh, private sandbox on that server for one test
  (its own X-Sandbox-Id), so tests never see each other, also under xdist.
- ``sandbox_app`` (session) / ``sandbox_client`` (function): the in-process
  variant with Connexion's test client and response validation on: no socket.
- ``BizzlinkAuth`` (httpx) and ``BizzlinkRequestsAuth`` (requests) sign Bizzlink
  requests, so a client under test can be used unchanged.
- ``RoomleAuth`` (httpx) and ``RoomleRequestsAuth`` (requests) sign in to Roomle once
  (or use a given session) and encrypt a fresh ``token`` header for every request.
"""

from __future__ import annotations

import json
import os
import time
import uuid
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

# Importing this module (pytest does, for every run of a user who installed the
# package) imports no Connexion, Flask or Faker and patches nothing: the sandbox is
# imported when a fixture or helper is first used (tests/test_plugin_guest.py).
SIGNATURE_HEADER = "X-Bizzlink-Signature"


def _sign(secret: str, method: str, path: str, body: bytes, timestamp: int | None) -> str:
    from mock_server.apis.bizzlink.signing import sign

    return sign(secret, method, path, body, timestamp)


def _create_app(**config: Any) -> Any:
    """The sandbox app, imported on first use without adding warnings to the user's
    run (Connexion imports Starlette's test client, which warns about httpx)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mock_server.app import create_app
        from mock_server.config import Config

        return create_app(Config(**config))


class BizzlinkAuth(httpx.Auth):
    """Signs each request the Bizzlink way (Bearer token + X-Bizzlink-Signature).

    ``clock`` returns unix seconds for the signature timestamp (default: now).
    """

    requires_request_body = True

    def __init__(self, token: str, secret: str, clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self.secret = secret
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path_and_query = request.url.raw_path.decode("latin-1")
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers[SIGNATURE_HEADER] = _sign(self.secret, request.method, path_and_query,
                                                  request.content, int(self.clock()))
        yield request


class BizzlinkRequestsAuth:
    """The same signing for the ``requests`` library (``requests.get(url, auth=...)``)."""

    def __init__(self, token: str, secret: str, clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self.secret = secret
        self.clock = clock

    def __call__(self, request: Any) -> Any:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        path_and_query = request.path_url
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers[SIGNATURE_HEADER] = _sign(self.secret, request.method, path_and_query,
                                                  body, int(self.clock()))
        return request


class _RoomleTokens:
    """What both Roomle auth classes share: the headers for one request."""

    def __init__(self, api_key: str, secret: str, *, session_token: str | None = None,
                 identification: str | None = None, password: str | None = None,
                 current_tenant: str | None = None, language: str | None = None,
                 algorithm: str = "02", clock: Callable[[], float] = time.time,
                 signin_path: str = "/v2/auth/signin") -> None:
        self.api_key = api_key
        self.secret = secret
        self.session_token = session_token
        self.identification = identification
        self.password = password
        self.current_tenant = current_tenant
        self.language = language
        self.algorithm = algorithm
        self.clock = clock
        self.signin_path = signin_path

    @property
    def needs_sign_in(self) -> bool:
        return self.session_token is None and self.identification is not None

    def headers(self, session: str | None = None) -> dict[str, str]:
        from datetime import UTC, datetime

        from mock_server.apis.roomle.tokens import ANONYMOUS, make_token

        moment = datetime.fromtimestamp(self.clock(), UTC)
        token = make_token(self.secret, session or self.session_token or ANONYMOUS,
                           self.api_key, moment, self.algorithm)
        out = {"apiKey": self.api_key, "token": token}
        if self.current_tenant is not None:
            out["currentTenant"] = self.current_tenant
        if self.language is not None:
            out["language"] = self.language
        return out

    def sign_in_body(self) -> dict[str, str]:
        return {"identification": self.identification or "", "password": self.password or ""}

    def signed_in(self, status: int, body: Any) -> None:
        if status != 200:
            raise AssertionError(f"Roomle sign-in as {self.identification} failed: {status} {body}")
        self.session_token = body["auth"]["token"]


class RoomleAuth(_RoomleTokens, httpx.Auth):
    """Roomle's authentication for httpx: signs in with ``identification`` and ``password``
    on the first request (unless a ``session_token`` is given), then sends ``apiKey``,
    a fresh ``token`` (AES, algorithm ``02`` or ``01``), ``currentTenant`` and
    ``language`` with every request. ``clock`` returns unix seconds for the token
    timestamp (default now; follow the sandbox clock when a test moves it)."""

    requires_response_body = True

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.needs_sign_in:
            extra = {k: v for k, v in request.headers.items() if k.lower() == "x-sandbox-id"}
            signin = httpx.Request("POST", request.url.copy_with(path=self.signin_path,
                                                                 query=None),
                                   json=self.sign_in_body(),
                                   headers={**extra, **self.headers(None)})
            response = yield signin
            self.signed_in(response.status_code, response.text if response.status_code != 200
                           else response.json())
        request.headers.update(self.headers())
        yield request


class RoomleRequestsAuth(_RoomleTokens):
    """The same for the ``requests`` library (``requests.get(url, auth=...)``)."""

    def __call__(self, request: Any) -> Any:
        if self.needs_sign_in:
            from urllib.parse import urlsplit, urlunsplit

            import requests

            parts = urlsplit(request.url)
            url = urlunsplit((parts.scheme, parts.netloc, self.signin_path, "", ""))
            extra = {k: v for k, v in request.headers.items() if k.lower() == "x-sandbox-id"}
            resp = requests.post(url, json=self.sign_in_body(),
                                 headers={**extra, **self.headers(None)}, timeout=30)
            self.signed_in(resp.status_code, resp.json() if resp.ok else resp.text)
        request.headers.update(self.headers())
        return request


def roomle_auth(principal: dict, requests_library: bool = False, **kwargs: Any) -> Any:
    """A Roomle auth for a principal of ``GET /_sandbox/credentials`` (its seeded session,
    or a sign-in with its email and password when it has none)."""
    headers = principal.get("headers", {})
    options = dict(session_token=principal.get("sessionToken"),
                   identification=principal.get("email"), password=principal.get("password"),
                   current_tenant=headers.get("currentTenant"), language=headers.get("language"))
    options.update(kwargs)
    cls = RoomleRequestsAuth if requests_library else RoomleAuth
    return cls(principal["apiKey"], principal["secret"], **options)


class Sandbox:
    """One sandbox on a running server: its URL, credentials and control plane.

    ``sandbox_id`` None means the server's ``default`` sandbox.
    """

    def __init__(self, url: str, sandbox_id: str | None = None,
                 admin_token: str | None = None, transport: Any = None) -> None:
        self.url = url
        self.sandbox_id = sandbox_id
        headers = {"X-Sandbox-Id": sandbox_id} if sandbox_id else {}
        if admin_token:
            headers["Authorization"] = f"Bearer {admin_token}"
        self.headers = {"X-Sandbox-Id": sandbox_id} if sandbox_id else {}
        self._control = httpx.Client(base_url=url, headers=headers, timeout=30,
                                     transport=transport)

    def _ok(self, resp: httpx.Response) -> httpx.Response:
        if resp.status_code >= 400:
            raise AssertionError(f"{resp.request.method} {resp.request.url}: "
                                 f"{resp.status_code} {resp.text}")
        return resp

    def credentials(self, api: str, role: str | None = None, **match: Any) -> dict:
        """The first seeded principal of ``api`` (with ``role`` and the given fields)."""
        everything = self._ok(self._control.get("/_sandbox/credentials")).json()
        for principal in everything.get(api, []):
            if (role is None or principal["role"] == role) and \
                    all(principal.get(k) == v for k, v in match.items()):
                return principal
        if api not in everything:
            raise LookupError(f"no API {api!r}: this sandbox has "
                              f"{', '.join(sorted(everything))}")
        roles = sorted({p["role"] for p in everything[api]})
        wanted = f" with role {role!r}" if role else ""
        wanted += "".join(f" and {k}={v!r}" for k, v in match.items())
        raise LookupError(f"no {api} principal{wanted}: its roles are {', '.join(roles)}")

    def auth(self, api: str, role: str | None = None, **match: Any) -> httpx.Auth:
        """An httpx auth for a principal: signing for Bizzlink, a fresh token per request
        for Roomle, plain headers otherwise."""
        principal = self.credentials(api, role, **match)
        if api == "bizzlink":
            token = principal["headers"]["Authorization"].removeprefix("Bearer ")
            return BizzlinkAuth(token, principal["hmacSecret"])
        if api == "roomle":
            return roomle_auth(principal)
        return _HeaderAuth(principal["headers"])

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on this sandbox (X-Sandbox-Id set)."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)

    def reset(self) -> None:
        self._ok(self._control.post("/_sandbox/reset"))

    def requests(self, **filters: Any) -> list[dict]:
        """Journal entries (``api``, ``operationId``, ``method``, ``status``, ``limit``...)."""
        params = {k: v for k, v in filters.items() if v is not None}
        return self._ok(self._control.get("/_sandbox/requests", params=params)).json()["requests"]

    def load(self, fixtures: dict | str | Path) -> dict:
        """Load a fixture document (a dict, YAML/JSON text, or a file) into this sandbox."""
        if isinstance(fixtures, Path) or (isinstance(fixtures, str) and os.path.exists(fixtures)):
            fixtures = Path(fixtures).read_text(encoding="utf-8")
        content = json.dumps(fixtures) if isinstance(fixtures, dict) else fixtures
        return self._ok(self._control.post("/_sandbox/fixtures", content=content,
                                           headers={"Content-Type": "application/json"
                                                    if isinstance(fixtures, dict)
                                                    else "application/yaml"})).json()

    def fault(self, **rule: Any) -> dict:
        """Add a fault rule (``api``, ``operationId``, ``status``, ``delayMs``, ``times``...)."""
        return self._ok(self._control.post("/_sandbox/faults", json=rule)).json()

    def clear_faults(self) -> None:
        self._ok(self._control.delete("/_sandbox/faults"))

    def set_clock(self, now: str | None = None, advance: float | None = None) -> dict:
        body = {"now": now} if now is not None else {"advance": advance or 0}
        return self._ok(self._control.post("/_sandbox/clock", json=body)).json()

    def outbox(self, **filters: Any) -> list[dict]:
        return self._ok(self._control.get("/_sandbox/outbox", params=filters)).json()["messages"]

    def close(self) -> None:
        self._control.close()


class _HeaderAuth(httpx.Auth):
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.headers)
        yield request


class SandboxServer(Sandbox):
    """The running server (acting on its ``default`` sandbox) and a factory of sandboxes."""

    def new_sandbox(self, name: str | None = None) -> Sandbox:
        return Sandbox(self.url, name or f"pytest-{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def sandbox_server(pytestconfig: pytest.Config) -> Iterator[SandboxServer]:
    """The sandbox served over HTTP for the whole session."""
    from mock_server.serving import BackgroundServer

    app = _create_app()
    _track_for_coverage(pytestconfig, app)
    with BackgroundServer(app) as server:
        handle = SandboxServer(server.url)
        yield handle
        handle.close()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[Sandbox]:
    """A fresh sandbox of its own for one test."""
    box = sandbox_server.new_sandbox()
    yield box
    box.close()


@pytest.fixture(scope="session")
def sandbox_app(pytestconfig: pytest.Config) -> Any:
    """The sandbox app in process (AsyncApp, response validation on)."""
    app = _create_app(validate_responses=True)
    _track_for_coverage(pytestconfig, app)
    return app


@pytest.fixture
def sandbox_client(sandbox_app: Any) -> Iterator[Any]:
    """Connexion's test client on a fresh sandbox of its own (no socket)."""
    name = f"pytest-{uuid.uuid4().hex[:12]}"
    with sandbox_app.test_client(headers={"X-Sandbox-Id": name}) as client:
        yield client


# --- contract coverage of the run (opt-in: --sandbox-coverage) -------------------------

_COVERAGE_KEY = "tenant_sandbox_coverage"
_APPS = pytest.StashKey[list]()
_WORKER_COUNTS = pytest.StashKey[list]()
_REPORT = pytest.StashKey[dict]()


def _track_for_coverage(config: pytest.Config, app: Any) -> None:
    """Remember a server this plugin started: its sandboxes are the run's."""
    config.stash.setdefault(_APPS, []).append(app)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tenant-sandbox", "tenant-sandbox contract coverage")
    group.addoption("--sandbox-coverage", action="store_true", default=False,
                    help="print the contract coverage of the sandboxes this run used")
    group.addoption("--sandbox-coverage-fail-under", type=float, default=None,
                    metavar="PERCENT", help="fail the run below this coverage "
                                            "(implies --sandbox-coverage)")
    group.addoption("--sandbox-coverage-metric", default="operations",
                    choices=("operations", "statuses", "queryParameters", "bodyMembers"),
                    help="what the threshold measures (default operations)")
    group.addoption("--sandbox-coverage-api", action="append", default=None, metavar="NAME",
                    help="only this API (repeatable; default: the APIs the run called)")
    group.addoption("--sandbox-coverage-url", default=None, metavar="URL",
                    help="also/instead: a sandbox server started outside the run "
                         "(every sandbox on it is counted)")
    group.addoption("--sandbox-coverage-report", action="append", default=None,
                    metavar="FORMAT:FILE", help="also write the report, e.g. "
                                                "junit:coverage.xml or markdown:coverage.md")


def _coverage_wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("--sandbox-coverage", False)
                or config.getoption("--sandbox-coverage-fail-under", None) is not None)


def _local_counts(config: pytest.Config) -> list[dict]:
    from mock_server.control.coverage import coverage_for

    raws = []
    for app in config.stash.get(_APPS, []):
        counts = coverage_for(app.runtime)
        raws.append(counts.snapshot(counts.names(every=True)))
    return raws


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: gather each worker's counts on the controller."""
    raw = getattr(node, "workeroutput", {}).get(_COVERAGE_KEY)
    if raw is not None:
        node.config.stash.setdefault(_WORKER_COUNTS, []).append(raw)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if not _coverage_wanted(config):
        return
    if hasattr(config, "workerinput"):
        from mock_server.control.coverage import merge_snapshots

        # pytest-xdist sets workeroutput on a worker's Config; pytest's class does not declare it.
        config.workeroutput[_COVERAGE_KEY] = merge_snapshots(  # type: ignore[attr-defined]
            _local_counts(config))
        return
    from mock_server.apis import all_apis
    from mock_server.control.coverage import Catalogue, build_report, merge_snapshots
    from mock_server.coverage_report import FORMATS, below, render

    apis = config.getoption("--sandbox-coverage-api")
    raws = _local_counts(config) + config.stash.get(_WORKER_COUNTS, [])
    url = config.getoption("--sandbox-coverage-url")
    if url:
        token = os.environ.get("MOCK_SERVER_ADMIN_TOKEN")
        resp = httpx.get(url.rstrip("/") + "/_sandbox/coverage",
                         params=[("all", "true"), *(("api", a) for a in apis or ())],
                         headers={"Authorization": f"Bearer {token}"} if token else {},
                         timeout=30)
        resp.raise_for_status()
        remote = resp.json()
        raws.append({api["api"]: {op["operationId"]: {
            "calls": op["calls"], "statuses": op["statuses"]["seen"],
            "query": op["queryParameters"]["sent"], "members": op["bodyMembers"]["sent"]}
            for op in api["operations"] if op["calls"]}
            for api in remote["apis"]})
    report = build_report(Catalogue.load(all_apis()), merge_snapshots(raws),
                          ["(this run)"], apis)
    fail_under = config.getoption("--sandbox-coverage-fail-under")
    metric = config.getoption("--sandbox-coverage-metric")
    report["failed"] = below(report, fail_under, metric)
    for spec in config.getoption("--sandbox-coverage-report") or ():
        fmt, _, target = spec.partition(":")
        if fmt not in FORMATS:
            raise pytest.UsageError(f"--sandbox-coverage-report {spec}: the format is one "
                                    f"of {', '.join(FORMATS)}")
        Path(target or f"sandbox-coverage.{fmt}").write_text(
            render(report, fmt, fail_under, metric), encoding="utf-8")
    config.stash[_REPORT] = report
    if report["failed"] and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None:
        return
    from mock_server.coverage_report import render_table

    terminalreporter.section("sandbox contract coverage")
    terminalreporter.write(render_table(report))
    if report["failed"]:
        terminalreporter.write_line(f"FAIL: {report['failed']}", red=True, bold=True)
