"""README "Configuration": every ``mock-server serve`` flag and its ``MOCK_SERVER_*``
variable does what the table says, on a real server.

Two servers carry every setting at a value other than its default: ``env`` gets each
from its ``MOCK_SERVER_*`` variable only; ``flags`` gets each from its flag while the
variable says something else (flags win). Each test below runs against both. A third
server, ``plain``, has no setting at all and shows the defaults a user gets.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from mock_server.apis.bizzlink.signing import sign
from mock_server.app import create_app
from mock_server.cli import build_parser
from mock_server.config import DEFAULT_FIXTURES, Config
from mock_server.testing import BizzlinkAuth
from tests.promises.servers import Serve
from tests.wallet.test_wallet_api import reg

PLATFORM = {"X-API-KEY": "wk_platform_admin_key"}
SEATS = ("bzl_partner_seats_token", "bzl_partner_seats_secret")
FROZEN = "2030-01-01T00:00:00Z"
FROZEN_T = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
RENAMED = "Promised Fixtures GmbH"

# setting -> (value from the environment, value from the flag)
SETTINGS = {
    "journal-size": ("3", "4"),
    "max-sandboxes": ("3", "4"),
    "max-body-bytes": ("2048", "3000"),
    "max-header-bytes": ("4096", "5000"),
    "header-timeout": ("1", "1.5"),
    "signature-tolerance": ("30", "45"),
    "seed": ("5", "6"),
    "log-level": ("info", "debug"),
}
# what the environment says on the flags server, where the flag must win
LOSING = {"journal-size": "50", "max-sandboxes": "50", "max-body-bytes": "500000",
          "max-header-bytes": "60000", "header-timeout": "30", "signature-tolerance": "1000",
          "seed": "99", "log-level": "critical", "flavor": "async", "access-log": "0",
          "roomle-plain-tokens": "off", "validate-responses": "no"}


def env_name(flag: str) -> str:
    return "MOCK_SERVER_" + flag.upper().replace("-", "_")


def _fixtures(tmp: Path) -> Path:
    """The default world with Acme renamed, so that a server reading it can be told apart."""
    doc = yaml.safe_load(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
    doc["wallet"]["tenants"][0]["name"] = RENAMED
    path = tmp / "promised.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fixtures_file(tmp_path_factory) -> Path:
    return _fixtures(tmp_path_factory.mktemp("promised"))


@pytest.fixture(scope="module", params=["env", "flags"])
def server(request, fixtures_file, tmp_path_factory):
    state = tmp_path_factory.mktemp(request.param) / "state.json"
    if request.param == "env":
        env = {env_name(k): v for k, (v, _) in SETTINGS.items()}
        env.update({"MOCK_SERVER_HOST": "127.0.0.2", "MOCK_SERVER_PORT": str(_free_port()),
                    "MOCK_SERVER_FIXTURES": str(fixtures_file),
                    "MOCK_SERVER_STATE_FILE": str(state),
                    "MOCK_SERVER_ADMIN_TOKEN": "env-admin-token",
                    "MOCK_SERVER_ROOMLE_PLAIN_TOKENS": "on",
                    "MOCK_SERVER_VALIDATE_RESPONSES": "yes", "MOCK_SERVER_FLAVOR": "flask",
                    "MOCK_SERVER_ACCESS_LOG": "true"})
        srv = Serve(env=env, admin_token="env-admin-token")
    else:
        env = {env_name(k): v for k, v in LOSING.items()}
        env.update({"MOCK_SERVER_HOST": "127.0.0.2", "MOCK_SERVER_PORT": "1",
                    "MOCK_SERVER_FIXTURES": "/no/such/fixtures.yaml",
                    "MOCK_SERVER_STATE_FILE": "/no/such/folder/state.json",
                    "MOCK_SERVER_ADMIN_TOKEN": "env-admin-token"})
        args = [a for k, (_, v) in SETTINGS.items() for a in (f"--{k}", v)]
        srv = Serve("--host", "127.0.0.3", "--port", "0", "--fixtures", str(fixtures_file),
                    "--state-file", str(state), "--admin-token", "flag-admin-token",
                    "--roomle-plain-tokens", "--validate-responses", "--flavor", "flask",
                    "--access-log", *args, env=env, admin_token="flag-admin-token")
    srv.kind = request.param
    srv.state = state
    with srv:
        yield srv


def setting(server, flag: str) -> str:
    return SETTINGS[flag][0 if server.kind == "env" else 1]


@pytest.fixture(scope="module")
def plain():
    """A server with no setting but ``--host``/``--port``: the defaults. Bound to another
    interface without an admin token, it warns. Once stopped, its output shows that
    nothing was printed per request (default log level, no access log)."""
    srv = Serve("--host", "127.0.0.2", "--port", "0").start()
    try:
        yield srv
    finally:
        srv.stop()
    assert "Application startup complete" not in "\n".join(srv.lines)  # uvicorn's info line
    assert not [line for line in srv.lines if "HTTP/1.1" in line], srv.lines


def call(server, method: str, path: str, sandbox: str, **kw) -> httpx.Response:
    headers = {"X-Sandbox-Id": sandbox, **server.headers, **kw.pop("headers", {})}
    return httpx.request(method, server.url + path, headers=headers, timeout=10, **kw)


# --- host, port ---------------------------------------------------------------------------

def test_host_and_port(server):
    expected = "127.0.0.2" if server.kind == "env" else "127.0.0.3"
    assert server.host == expected
    if server.kind == "env":
        assert server.port == int(server.env["MOCK_SERVER_PORT"])
    else:
        assert server.port not in (0, 1, 8080)  # --port 0 picked a free one
    assert httpx.get(f"{server.url}/_sandbox/health").json()["status"] == "ok"
    # an admin token is set, so binding another interface prints no warning
    assert not [line for line in server.lines if "WARNING" in line]


def test_another_interface_without_an_admin_token_warns(plain):
    assert "127.0.0.2 without --admin-token" in plain.line("WARNING")
    assert httpx.get(f"{plain.url}/api/v1/tenants?quiet=1").status_code == 401  # not logged


# --- fixtures, seed, state file, admin token -------------------------------------------------

def test_fixtures_file_is_the_world(server):
    listed = call(server, "GET", "/api/v1/tenants", "fixtures", headers=PLATFORM).json()
    assert RENAMED in [t["name"] for t in listed["data"]["content"]]


def _partner_children(server, sandbox: str) -> list[str]:
    listed = call(server, "GET", "/bizzlink/tenants?page%5Bsize%5D=100", sandbox,
                  auth=BizzlinkAuth(*SEATS)).json()
    return [t["id"] for t in listed["data"]]


def _loaded(server, sandbox: str, document: dict) -> list[str]:
    resp = call(server, "POST", "/_sandbox/fixtures", sandbox, json=document)
    assert resp.status_code == 200, resp.text
    return _partner_children(server, sandbox)


def test_seed_overrides_the_fixture_files_seed(server, plain, fixtures_file):
    """The generated children of a seeded server are those the same document with that
    ``seed`` gives on a server without one, not those of the file's own seed."""
    seed = int(setting(server, "seed"))
    doc = yaml.safe_load(fixtures_file.read_text(encoding="utf-8"))
    got = _partner_children(server, "seeded")
    assert got == _loaded(plain, f"seed-{seed}", {**doc, "seed": seed})
    assert got != _loaded(plain, f"file-seed-{seed}", doc)


def test_state_file_is_written(server):
    body = reg(tenant__email=f"state-{server.kind}@promise.example",
               tenantAdmin__email=f"state-admin-{server.kind}@promise.example")
    created = call(server, "POST", "/api/v1/tenants/register", "state", json=body)
    assert created.status_code == 201, created.text
    tenant = created.json()["data"]["tenantId"].encode()
    server.wait_for(lambda: server.state.exists() and tenant in server.state.read_bytes(),
                    "the state file to hold the new tenant")


def test_admin_token_guards_the_control_plane(server):
    bare = httpx.get(f"{server.url}/_sandbox/credentials")
    assert bare.status_code == 401
    wrong = httpx.get(f"{server.url}/_sandbox/credentials",
                      headers={"Authorization": "Bearer env-admin-token"})
    assert wrong.status_code == (200 if server.kind == "env" else 401)
    assert call(server, "GET", "/_sandbox/credentials", "token").status_code == 200
    assert httpx.get(f"{server.url}/_sandbox/health").status_code == 200


# --- signature tolerance ---------------------------------------------------------------------

def _signed_list(server, sandbox: str, t: int) -> httpx.Response:
    token, secret = SEATS
    return call(server, "GET", "/bizzlink/tenants", sandbox, headers={
        "Authorization": f"Bearer {token}",
        "X-Bizzlink-Signature": sign(secret, "GET", "/bizzlink/tenants", b"", t)})


def _window(server, tolerance: int) -> None:
    sandbox = f"tolerance-{tolerance}"
    assert call(server, "POST", "/_sandbox/clock", sandbox, json={"now": FROZEN}).status_code \
        == 200
    assert [_signed_list(server, sandbox, FROZEN_T + d).status_code
            for d in (-tolerance - 1, -tolerance, 0, tolerance, tolerance + 1)] == [
        401, 200, 200, 200, 401]
    late = _signed_list(server, sandbox, FROZEN_T - tolerance - 1).json()["errors"][0]
    assert late["source"] == {"header": "X-Bizzlink-Signature"}
    assert f"{tolerance} seconds" in late["detail"]


def test_signature_tolerance(server):
    _window(server, int(setting(server, "signature-tolerance")))


def test_signature_tolerance_defaults_to_300(plain):
    _window(plain, 300)


# --- roomle plain tokens ---------------------------------------------------------------------

ROOMLE_PLAIN = {"apiKey": "rml_demo_shop_api_key", "token": "rml_session_demo_manager",
                "currentTenant": "2"}


def test_roomle_plain_tokens(server):
    resp = call(server, "GET", "/v2/tenants/2/", "roomle", headers=ROOMLE_PLAIN)
    assert resp.status_code == 200, resp.text
    assert resp.json()["tenant"]["id"] == 2


def test_roomle_plain_tokens_are_off_by_default(plain):
    resp = call(plain, "GET", "/v2/tenants/2/", "roomle", headers=ROOMLE_PLAIN)
    assert resp.status_code == 401
    assert resp.json()["error"]["errors"][0]["field"] == "token"


# --- bounds: journal, sandboxes, body, headers, header timeout -------------------------------

def test_journal_size(server):
    size = int(setting(server, "journal-size"))
    for n in range(size + 3):  # Wallet ignores a query parameter it does not declare
        call(server, "GET", f"/api/v1/tenants?n={n}", "journal", headers=PLATFORM)
    journal = call(server, "GET", "/_sandbox/requests", "journal", params={"limit": 100}).json()
    assert journal["total"] == size
    assert [r["query"] for r in journal["requests"]] == [
        f"n={n}" for n in range(3, size + 3)]  # the newest kept


def _live(server) -> list[str]:
    front = httpx.get(f"{server.url}/", headers={"Accept": "application/json",
                                                 **server.headers}).json()
    return front["sandboxes"]


def _acme_name(server, sandbox: str) -> str:
    listed = call(server, "GET", "/api/v1/tenants", sandbox, headers=PLATFORM,
                  params={"tenantId": "5f0c4a3e-1b2d-4c6e-8f9a-0b1c2d3e4f50"}).json()
    return listed["data"]["content"][0]["name"]


def _rename_acme(server, sandbox: str, name: str) -> None:
    resp = call(server, "POST", "/api/v1/tenants/update", sandbox, json={"name": name},
                headers={**PLATFORM, "X-Tenant-ID": "5f0c4a3e-1b2d-4c6e-8f9a-0b1c2d3e4f50"})
    assert resp.status_code == 200, resp.text


def test_max_sandboxes_drops_the_least_recently_used_but_never_default(server):
    kept = int(setting(server, "max-sandboxes"))
    _rename_acme(server, "", "Default Keeps This")  # the default sandbox (no header)
    _rename_acme(server, "lru-victim", "Victim Loses This")
    fresh = [f"lru-{i}" for i in range(kept - 1)]
    for name in fresh[:-1]:
        _acme_name(server, name)
    assert "lru-victim" in _live(server)  # kept - 1 sandboxes besides default so far
    _acme_name(server, fresh[-1])
    assert _live(server) == sorted(["default", *fresh])
    assert _acme_name(server, "lru-victim") == RENAMED  # rebuilt from the fixtures
    assert _acme_name(server, "") == "Default Keeps This"


def test_max_sandboxes_keeps_a_recently_used_one(server):
    """Least *recently used*: a sandbox touched again outlives those touched since."""
    kept = int(setting(server, "max-sandboxes"))
    fillers = [f"filler-{i}" for i in range(kept - 2)]
    for name in ("older", *fillers, "older", "newest"):
        _acme_name(server, name)
    assert _live(server) == sorted(["default", *fillers[1:], "older", "newest"])


def test_max_sandboxes_defaults_to_256(tmp_path):
    empty = tmp_path / "empty.yaml"  # an empty world builds fast; the limit is the same
    empty.write_text("version: 1\n", encoding="utf-8")
    app = create_app(Config(fixtures=empty))
    with app.test_client() as c:
        def touch(name: str) -> None:
            assert c.get("/_sandbox/clock", headers={"X-Sandbox-Id": name}).status_code == 200

        def live() -> list[str]:
            return c.get("/", headers={"Accept": "application/json"}).json()["sandboxes"]

        for i in range(255):  # with default: 256
            touch(f"s{i}")
        assert len(live()) == 256 and "s0" in live()
        touch("s255")
        assert len(live()) == 256 and "s0" not in live() and "default" in live()


def _padded_register(server, sandbox: str, total: int) -> httpx.Response:
    body = json.dumps(reg(tenant__email=f"{sandbox}-{total}@pad.example",
                          tenantAdmin__email=f"adm-{sandbox}-{total}@pad.example")).encode()
    body += b" " * (total - len(body))
    assert len(body) == total
    return call(server, "POST", "/api/v1/tenants/register", sandbox, content=body,
                headers={"Content-Type": "application/json"})


def test_max_body_bytes(server):
    limit = int(setting(server, "max-body-bytes"))
    assert _padded_register(server, "body", limit).status_code == 201
    over = _padded_register(server, "body", limit + 1)
    assert over.status_code == 413
    assert over.json() == {"statusCode": 413, "message": over.json()["message"], "data": None}


def _raw(server, request: bytes, timeout: float = 15) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_max_header_bytes(server):
    limit = int(setting(server, "max-header-bytes"))
    head = b"GET /api/v1/tenants HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" \
           b"X-API-KEY: wk_platform_admin_key\r\nX-Noise: "
    under = _raw(server, head + b"n" * (limit - len(head) - 200) + b"\r\n\r\n")
    assert under.startswith(b"HTTP/1.1 200 ")
    over = _raw(server, head + b"n" * limit + b"\r\n\r\n")
    assert over.startswith(b"HTTP/1.1 431 ")
    assert b'"statusCode":431' in over.replace(b" ", b"")


def test_header_timeout(server):
    # a request never finished: answered 408 after the setting (1-1.5 s), well before the
    # 5 s this socket waits (the default, 10 s, or the losing variable, 30 s, would not be)
    answer = _raw(server, b"GET /api/v1/tenants HTTP/1.1\r\nHost: x\r\n", timeout=5)
    assert answer.startswith(b"HTTP/1.1 408 ")


# --- logging ---------------------------------------------------------------------------------

def test_access_log_prints_one_line_per_request(server):
    call(server, "GET", f"/api/v1/tenants?promise={server.kind}", "log")
    server.line(f'"GET /api/v1/tenants?promise={server.kind} HTTP/1.1" 401')


def test_log_level(server):
    server.line("Application startup complete")  # uvicorn's info line


# --- flavour, response validation: parsed (no client can tell them apart) ----------------------

def test_flavor_and_validate_responses_from_both_sources(monkeypatch):
    for name in [n for n in os.environ if n.startswith("MOCK_SERVER_")]:
        monkeypatch.delenv(name)
    args = build_parser().parse_args(["serve"])
    assert (args.flavor, args.validate_responses) == ("async", False)
    monkeypatch.setenv("MOCK_SERVER_FLAVOR", "flask")
    monkeypatch.setenv("MOCK_SERVER_VALIDATE_RESPONSES", "on")
    args = build_parser().parse_args(["serve"])
    assert (args.flavor, args.validate_responses) == ("flask", True)
    monkeypatch.setenv("MOCK_SERVER_FLAVOR", "async")
    args = build_parser().parse_args(["serve", "--flavor", "flask"])
    assert args.flavor == "flask"


# --- switches, defaults, bad values ----------------------------------------------------------

@pytest.mark.parametrize("raw,value", [("1", True), ("true", True), ("yes", True), ("on", True),
                                       ("TRUE", True), ("0", False), ("false", False),
                                       ("no", False), ("off", False)])
def test_switches_read_every_documented_spelling(monkeypatch, raw, value):
    switches = ("roomle-plain-tokens", "validate-responses", "access-log")
    for flag in switches:
        monkeypatch.setenv(env_name(flag), raw)
    args = build_parser().parse_args(["serve"])
    assert [getattr(args, f.replace("-", "_")) for f in switches] == [value] * 3


README_DEFAULTS = {  # README "Configuration": flag -> default
    "host": "127.0.0.1", "port": 8080, "fixtures": str(DEFAULT_FIXTURES), "seed": None,
    "state-file": None, "admin-token": None, "signature-tolerance": 300,
    "roomle-plain-tokens": False, "validate-responses": False, "flavor": "async",
    "journal-size": 1000, "max-sandboxes": 256, "max-body-bytes": 1048576,
    "max-header-bytes": 32768, "header-timeout": 10, "bizzlink-tenants": 0,
    "roomle-tenants": 0, "wallet-tenants": 0, "pigello-connections": 0,
    "log-level": "warning", "access-log": False,
}


def test_every_flag_and_default_of_the_readme_table(monkeypatch, capsys):
    for name in [n for n in os.environ if n.startswith("MOCK_SERVER_")]:
        monkeypatch.delenv(name)
    args = vars(build_parser().parse_args(["serve"]))
    assert {f: args[f.replace("-", "_")] for f in README_DEFAULTS} == README_DEFAULTS
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for flag in README_DEFAULTS:
        assert f"--{flag}" in help_text
        if not flag.endswith(("-tenants", "-connections")):  # generation has no variable
            assert f"[{env_name(flag)}]" in help_text


@pytest.mark.parametrize("env,status", [({"MOCK_SERVER_JOURNAL_SIZE": "0"}, 2),
                                        ({"MOCK_SERVER_FIXTURES": "/no/such.yaml"}, 1)])
def test_a_bad_variable_stops_serve_with_one_line(env, status):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_SERVER_")}
    done = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port", "0"],
                          capture_output=True, text=True, timeout=60, env={**clean, **env})
    assert done.returncode == status
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr
    name = next(iter(env))
    assert (name in lines[0]) if status == 2 else ("/no/such.yaml" in lines[0])
