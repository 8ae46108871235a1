"""Concurrent Wallet writes against a real server: one winner per email, no lost write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer

PLATFORM = {"X-API-KEY": "wk_platform_admin_key"}
ACME = "5f0c4a3e-1b2d-4c6e-8f9a-0b1c2d3e4f50"


@pytest.fixture(scope="module", params=["async", "flask"])
def server(request):
    with BackgroundServer(create_app(flavor=request.param)) as srv:
        yield srv


def _register(url: str, sandbox: str, email: str, admin: str) -> int:
    body = {"tenant": {"name": "Race", "email": email, "phoneNumber": "030 901820",
                       "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "Racer", "email": admin, "password": "race-password",
                            "keyDuration": 1, "duration": "DAYS"}}
    return httpx.post(f"{url}/api/v1/tenants/register", json=body, timeout=30,
                      headers={"X-Sandbox-Id": sandbox}).status_code


def _all(url: str, sandbox: str) -> list[dict]:
    resp = httpx.get(f"{url}/api/v1/tenants", params={"size": 100}, timeout=30,
                     headers={**PLATFORM, "X-Sandbox-Id": sandbox})
    return resp.json()["data"]["content"]


def test_concurrent_registrations(server):
    sandbox = f"wallet-race-{server.port}"
    jobs = [("Same@Race.example" if i % 2 else "same@race.example", f"a{i}@race.example")
            for i in range(12)]
    jobs += [(f"t{i}@distinct.example", f"b{i}@distinct.example") for i in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda j: _register(server.url, sandbox, *j), jobs))
    assert statuses[:12].count(201) == 1 and statuses[:12].count(409) == 11
    assert statuses[12:] == [201] * 12
    tenants = _all(server.url, sandbox)
    assert len(tenants) == 2 + 13
    emails = [t["email"].lower() for t in tenants]
    assert len(emails) == len(set(emails))


def test_concurrent_updates_leave_one_written_state(server):
    sandbox = f"wallet-upd-{server.port}"
    states = [{"name": f"Name {i}", "address": f"Street {i}"} for i in range(16)]

    def update(body: dict) -> int:
        return httpx.post(f"{server.url}/api/v1/tenants/update", json=body, timeout=30,
                          headers={**PLATFORM, "X-Tenant-ID": ACME,
                                   "X-Sandbox-Id": sandbox}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(update, states)) == {200}
    final = next(t for t in _all(server.url, sandbox) if t["tenantId"] == ACME)
    assert {"name": final["name"], "address": final["address"]} in states
    history = httpx.get(f"{server.url}/api/v1/tenants/history", timeout=30,
                        headers={**PLATFORM, "X-Tenant-ID": ACME,
                                 "X-Sandbox-Id": sandbox}).json()["data"]
    assert len(history) == 16
