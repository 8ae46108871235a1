"""Concurrent Roomle writes against a real server: unique names hold, no lost write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer

ADMIN = {"apiKey": "rml_platform_api_key", "token": "rml_token_super_admin"}


@pytest.fixture(scope="module", params=["async", "flask"])
def server(request):
    with BackgroundServer(create_app(flavor=request.param)) as srv:
        yield srv


def _names(url: str, sandbox: str) -> list[str]:
    resp = httpx.get(f"{url}/v2/tenants", params={"pageSize": 100}, timeout=30,
                     headers={**ADMIN, "X-Sandbox-Id": sandbox})
    return [t["name"] for t in resp.json()["tenants"]]


def test_concurrent_creates_keep_names_unique(server):
    sandbox = f"roomle-race-{server.port}"
    before = len(_names(server.url, sandbox))
    names = ["Race_Shop" if i % 2 else "race_shop" for i in range(12)]
    names += [f"distinct_{i}" for i in range(12)]

    def create(name: str) -> int:
        return httpx.post(f"{server.url}/v2/tenants", json={"name": name}, timeout=30,
                          headers={**ADMIN, "X-Sandbox-Id": sandbox}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(create, names))
    assert statuses[:12].count(201) == 1
    assert all(s in (409, 422) for s in statuses[:12] if s != 201)
    assert statuses[12:] == [201] * 12
    after = _names(server.url, sandbox)
    assert len(after) == before + 13
    assert len({n.casefold() for n in after}) == len(after)


def test_concurrent_updates_leave_one_written_state(server):
    sandbox = f"roomle-upd-{server.port}"
    states = [{"label": f"Label {i}", "privacyUrl": f"https://example.com/p{i}"}
              for i in range(16)]

    def update(body: dict) -> int:
        return httpx.put(f"{server.url}/v2/tenants/2/", json=body, timeout=30,
                         headers={**ADMIN, "X-Sandbox-Id": sandbox}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(update, states)) == {200}
    final = httpx.get(f"{server.url}/v2/tenants/2/", timeout=30,
                      headers={**ADMIN, "X-Sandbox-Id": sandbox}).json()["tenant"]
    assert {"label": final["label"], "privacyUrl": final["privacyUrl"]} in states
