"""The command line: `mock-server sign`, and `mock-server serve` as a real server."""

from __future__ import annotations

import json
import time

import httpx
import pytest

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
