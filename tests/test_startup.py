"""``mock-server serve`` as a user runs it: it fails fast and says why, says when it
is ready, never serves from a world about to be replaced, and never overwrites a state
file it did not load. Real processes throughout."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest

from mock_server.serving import ServerProcess, free_port

WALLET = {"X-API-KEY": "wk_platform_admin_key"}


def run_serve(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port",
                           str(free_port()), *args], capture_output=True, text=True,
                          timeout=timeout)


def only_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


BAD_FIXTURES = {
    "missing": None,
    "malformed": "bizzlink: [\n",
    "invalid": "bizzlink:\n  partners: 5\n",
}


@pytest.mark.parametrize("kind", list(BAD_FIXTURES))
def test_a_bad_fixtures_file_stops_serve_with_the_control_plane_message(tmp_path, kind):
    path = tmp_path / "fixtures.yaml"
    if BAD_FIXTURES[kind] is not None:
        path.write_text(BAD_FIXTURES[kind], encoding="utf-8")
    started = time.monotonic()
    done = run_serve("--fixtures", str(path))
    assert time.monotonic() - started < 20
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert line.startswith(f"mock-server: cannot start: The fixture document was not loaded: "
                           f"{path}")
    if kind == "invalid":
        with ServerProcess() as server:  # the same document through the control plane
            posted = httpx.post(f"{server.url}/_sandbox/fixtures",
                                content=BAD_FIXTURES[kind],
                                headers={"Content-Type": "application/yaml",
                                         "X-Sandbox-Id": "same-message"})
        assert posted.status_code == 400
        detail = line.split(f"{path}: ", 1)[1]
        assert detail in json.dumps(posted.json())


@pytest.mark.parametrize("kind", ["missing", "invalid"])
def test_a_bad_fixtures_file_stops_generate_too(tmp_path, kind):
    path = tmp_path / "fixtures.yaml"
    if BAD_FIXTURES[kind] is not None:
        path.write_text(BAD_FIXTURES[kind], encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mock_server", "generate", "--fixtures",
                           str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert str(path) in only_line(done.stderr)


def test_a_port_in_use_is_one_line_and_a_non_zero_exit():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port",
                               str(port)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in only_line(done.stderr)
    assert "listening" not in done.stdout


def test_listening_then_one_ready_line(tmp_path):
    server = ServerProcess("--admin-token", "t0ken-for-test", "--state-file",
                           str(tmp_path / "s.json"), capture=True).start()
    server.stop()
    lines = server.output().splitlines()
    assert lines[0].startswith(f"tenant-sandbox listening on {server.url}")
    ready = [line for line in lines if line.startswith("tenant-sandbox ready at")]
    assert len(ready) == 1
    assert f"{server.url}/api/v1/ui/" in ready[0] and f"{server.url}/_sandbox/ui/" in ready[0]
    assert "admin token: on" in ready[0] and f"state file: {tmp_path / 's.json'}" in ready[0]
    assert "t0ken-for-test" not in server.output()
    assert any(line.startswith("state saved to") for line in lines)


def _create_wallet_tenant(url: str, name: str) -> str:
    body = {"tenant": {"name": name, "email": f"{name.lower()}@acme.example",
                       "phoneNumber": "+4915123456789", "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "Ada Admin", "email": f"admin-{name.lower()}@acme.example",
                            "password": "Sup3r-secret!", "keyDuration": 30, "duration": "DAYS"}}
    resp = httpx.post(f"{url}/api/v1/tenants/register", json=body, headers=WALLET)
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]["tenantId"]


def _find(url: str, tenant: str) -> httpx.Response:
    return httpx.get(f"{url}/api/v1/tenants", params={"tenantId": tenant}, headers=WALLET,
                     timeout=5)


def test_no_call_is_served_before_the_state_file_is_restored(tmp_path):
    state = tmp_path / "state.json"
    with ServerProcess("--state-file", str(state), "--wallet-tenants", "3000") as server:
        tenant = _create_wallet_tenant(server.url, "Restored")
    assert state.exists()
    again = ServerProcess("--state-file", str(state), "--wallet-tenants", "3000").launch()
    try:
        url = again.url
        deadline = time.monotonic() + 60
        statuses = []
        while time.monotonic() < deadline:
            try:
                resp = _find(url, tenant)
            except httpx.TransportError:
                time.sleep(0.02)
                continue
            statuses.append(resp.status_code)
            if resp.status_code != 503:
                break
        assert statuses and statuses[-1] == 200, statuses
        assert set(statuses[:-1]) <= {503}
        assert resp.json()["data"]["totalElements"] == 1  # the first answer sees the tenant
    finally:
        again.stop()


@pytest.mark.parametrize("content", [b'{"version": 1, "sandboxes": {"default": {"sta',
                                     b'{"version": 99, "sandboxes": {}}',
                                     b'{"version": 1, "sandboxes": {"x": {"state": '
                                     b'{"bizzlink": 1}}}}',
                                     b"\xff\xfe not json"])
def test_a_state_file_that_cannot_be_restored_stops_start_up_and_is_kept(tmp_path, content):
    state = tmp_path / "state.json"
    state.write_bytes(content)
    done = run_serve("--state-file", str(state))
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert str(state) in line and "cannot restore the state file" in line
    assert state.read_bytes() == content  # never overwritten by a sandbox that did not load it
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_access_log_alone_prints_one_line_per_request_without_secrets():
    server = ServerProcess("--access-log", capture=True).start()
    try:
        httpx.get(f"{server.url}/api/v1/tenants?apiKey=wk_platform_admin_key", headers=WALLET)
        httpx.get(f"{server.url}/_sandbox/health")
    finally:
        server.stop()
    out = server.output()
    assert out.count('"GET /api/v1/tenants?apiKey=***') == 1
    assert out.count('"GET /_sandbox/health') == 1
    assert "wk_platform_admin_key" not in out


def test_access_log_from_the_environment(monkeypatch):
    monkeypatch.setenv("MOCK_SERVER_ACCESS_LOG", "1")
    server = ServerProcess(capture=True).start()
    try:
        httpx.get(f"{server.url}/_sandbox/health")
    finally:
        server.stop()
    assert '"GET /_sandbox/health' in server.output()


def test_state_file_default_interval_keeps_a_write_after_kill(tmp_path):
    """What the README promises for kill -9: a write acknowledged more than the
    documented window before the kill is in the file."""
    state = tmp_path / "state.json"
    server = ServerProcess("--state-file", str(state)).start()
    try:
        tenant = _create_wallet_tenant(server.url, "Survivor")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and tenant.encode() not in (
                state.read_bytes() if state.exists() else b""):
            time.sleep(0.05)
    finally:
        server.proc.kill()
        server.proc.wait()
    assert tenant.encode() in state.read_bytes()
    with ServerProcess("--state-file", str(state)) as again:
        assert _find(again.url, tenant).json()["data"]["totalElements"] == 1


def test_fixture_files_are_read_as_bytes_not_in_the_locale(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_bytes(b"\xff\xfe\x00")
    done = run_serve("--fixtures", str(path))
    assert done.returncode == 1
    assert "not UTF-8" in only_line(done.stderr)
