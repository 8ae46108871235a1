"""The command line: `mock-server sign`, and `mock-server serve` as a real server."""

from __future__ import annotations

import json
import time

import httpx
import pytest

import mock_server
from mock_server.apis.bizzlink.signing import compute_signature, verify
from mock_server.cli import main
from mock_server.serving import ServerProcess
from mock_server.testing import BizzlinkAuth


def test_sign_prints_a_valid_header(capsys, tmp_path):
    body = tmp_path / "body.json"
    body.write_text('{"data": {}}')
    assert main(["sign", "--secret", "s3cret", "--method", "POST", "--path", "/bizzlink/tenants",
                 "--body", f"@{body}", "--timestamp", "1767225600"]) == 0
    value = capsys.readouterr().out.strip()
    expected = compute_signature("s3cret", 1767225600, "POST", "/bizzlink/tenants",
                                 b'{"data": {}}')
    assert value == f"t=1767225600,v1={expected}"
    assert verify("s3cret", value, "POST", "/bizzlink/tenants", b'{"data": {}}')
    assert not verify("other", value, "POST", "/bizzlink/tenants", b'{"data": {}}')


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as srv:
        yield srv.url


def test_serve_answers_signed_requests_over_http(server):
    creds = httpx.get(f"{server}/_sandbox/credentials").json()["bizzlink"]
    partner = next(c for c in creds if c["role"] == "partner" and c["subscriptions"] == ["SEATS"])
    token = partner["headers"]["Authorization"].removeprefix("Bearer ")
    auth = BizzlinkAuth(token, partner["hmacSecret"])
    headers = {"X-Sandbox-Id": "cli-test"}
    with httpx.Client(base_url=server, auth=auth, headers=headers) as c:
        created = c.post("/bizzlink/tenants", content=json.dumps(
            {"data": {"attributes": {"billingModel": "SEATS", "companyName": "Wire SA"}}}),
            headers={"Content-Type": "application/json"})
        assert created.status_code == 201, created.text
        tid = created.json()["data"]["id"]
        assert c.get(f"/bizzlink/tenants/{tid}").json()["data"]["id"] == tid
        listed = c.get("/bizzlink/tenants", params={"page[size]": 50})
        assert listed.status_code == 200
        assert tid in [t["id"] for t in listed.json()["data"]]
        assert listed.json()["links"]["self"].startswith(server)
    unsigned = httpx.get(f"{server}/bizzlink/tenants", headers={"Authorization": f"Bearer {token}"})
    assert unsigned.status_code == 401


def test_started_before_ready_while_generating():
    srv = ServerProcess("--bizzlink-tenants", "4000").launch()
    url = srv.url
    seen: set[tuple[int, str]] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                api = httpx.get(f"{url}/bizzlink/tenants", timeout=1)
                health = httpx.get(f"{url}/_sandbox/health", timeout=1)
                ready = httpx.get(f"{url}/_sandbox/ready", timeout=1)
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            seen.add((ready.status_code, health.json()["status"]))
            if ready.status_code == 200:
                break
            # readiness only ever turns on: not ready now means not ready for `api` either
            assert api.status_code == 503
            assert api.json()["errors"][0]["status"] == "503"
            time.sleep(0.05)
        assert (503, "starting") in seen
        assert httpx.get(f"{url}/_sandbox/ready").status_code == 200
        assert httpx.get(f"{url}/_sandbox/health").json()["status"] == "ok"
        creds = httpx.get(f"{url}/_sandbox/credentials").json()["bizzlink"]
        total = 0
        for c in creds:
            if c["role"] == "partner":
                a = BizzlinkAuth(c["headers"]["Authorization"].removeprefix("Bearer "),
                                 c["hmacSecret"])
                total += httpx.get(f"{url}/bizzlink/tenants", auth=a).json()["meta"][
                    "totalElements"]
        assert total == 4000 + 2 + 3 + 3 + 4
    finally:
        srv.stop()


BAD_INPUTS = [
    (["serve", "--log-level", "loud"], {}, "invalid choice: 'loud'"),
    (["serve", "--port", "70000"], {}, "--port"),
    (["serve", "--flavor", "django"], {}, "invalid choice: 'django'"),
    (["serve", "--journal-size", "0"], {}, "--journal-size"),
    (["serve"], {"MOCK_SERVER_PORT": "abc"}, "MOCK_SERVER_PORT='abc'"),
    (["serve"], {"MOCK_SERVER_ACCESS_LOG": "maybe"}, "MOCK_SERVER_ACCESS_LOG='maybe'"),
    (["serve"], {"MOCK_SERVER_LOG_LEVEL": "loud"}, "MOCK_SERVER_LOG_LEVEL='loud'"),
    (["generate", "--wallet-tenants", "-1"], {}, "--wallet-tenants"),
    (["generate", "-o", "/nonexistent-folder/x.yaml"], {}, "cannot write"),
    (["sign", "--secret", "s", "--path", "http://127.0.0.1/bizzlink/tenants"], {}, "--path"),
    (["sign", "--secret", "s", "--path", "bizzlink/tenants"], {}, "--path"),
    (["sign", "--secret", "s", "--path", "/x", "--body", "@/no/such/file"], {}, "cannot read"),
    (["nope"], {}, "invalid choice: 'nope'"),
]


@pytest.mark.parametrize(("argv", "env", "says"), BAD_INPUTS)
def test_every_bad_input_is_one_line_and_exit_2(capsys, monkeypatch, argv, env, says):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_generate_checks_the_output_path_before_generating(tmp_path, capsys):
    target = tmp_path / "missing" / "world.yaml"
    assert main(["generate", "--wallet-tenants", "100000", "-o", str(target)]) == 2
    assert not target.parent.exists()


def test_help_shows_choices_and_defaults(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "{critical,error,warning,info,debug,trace}" in text
    assert "(default: 8080)" in text and "(default: 1000)" in text and "{async,flask}" in text


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"tenant-sandbox {mock_server.__version__}"


def test_credentials_and_reset_commands_against_a_running_server(capsys):
    with ServerProcess("--admin-token", "cli-admin") as server:
        remote = ["--url", server.url, "--admin-token", "cli-admin"]
        assert main(["credentials", "--api", "wallet", *remote]) == 0
        wallet = json.loads(capsys.readouterr().out)
        assert {p["role"] for p in wallet} >= {"platform_admin", "tenant_admin"}
        assert main(["credentials", "--api", "walet", *remote]) == 2
        assert "choose from bizzlink" in capsys.readouterr().err
        assert main(["credentials", "--url", server.url]) == 1  # no admin token: 401
        assert "401" in capsys.readouterr().err
        headers = {"X-Sandbox-Id": "cli-reset", "Authorization": "Bearer cli-admin"}
        httpx.post(f"{server.url}/_sandbox/clock", json={"advance": 3600}, headers=headers)
        faults = httpx.post(f"{server.url}/_sandbox/faults", json={"status": 503},
                            headers=headers)
        assert faults.status_code == 201
        assert main(["reset", "--sandbox", "cli-reset", *remote]) == 0
        assert "cli-reset reset" in capsys.readouterr().out
        left = httpx.get(f"{server.url}/_sandbox/faults", headers=headers).json()
        assert left["faults"] == []
    assert main(["reset", "--url", server.url]) == 1  # the server is gone: one line
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach" in err


def test_generate_from_a_base_it_cannot_extend_is_one_line_and_exit_1(tmp_path, capsys):
    base = tmp_path / "base.yaml"
    base.write_text("version: 1\nbizzlink:\n  accounts: []\n", encoding="utf-8")
    assert main(["generate", "--fixtures", str(base), "--bizzlink-tenants", "5"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
