"""Concurrent Roomle writes against a real server: unique names hold, no lost write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer
from mock_server.testing import roomle_auth


@pytest.fixture(scope="module", params=["async", "flask"])
def server(request):
    with BackgroundServer(create_app(flavor=request.param)) as srv:
        yield srv


def _admin(url: str, sandbox: str) -> httpx.Auth:
    """The super admin's auth: a fresh request token for every request."""
    creds = httpx.get(f"{url}/_sandbox/credentials", headers={"X-Sandbox-Id": sandbox}).json()
    return roomle_auth(next(p for p in creds["roomle"] if p["role"] == "super_admin"))


def _names(url: str, sandbox: str) -> list[str]:
    resp = httpx.get(f"{url}/v2/tenants", params={"pageSize": 100}, timeout=30,
                     headers={"X-Sandbox-Id": sandbox}, auth=_admin(url, sandbox))
    return [t["name"] for t in resp.json()["tenants"]]


def test_concurrent_creates_keep_names_unique(server):
    sandbox = f"roomle-race-{server.port}"
    before = len(_names(server.url, sandbox))
    names = ["Race_Shop" if i % 2 else "race_shop" for i in range(12)]
    names += [f"distinct_{i}" for i in range(12)]
    admin = _admin(server.url, sandbox)

    def create(name: str) -> int:
        return httpx.post(f"{server.url}/v2/tenants", json={"name": name}, timeout=30,
                          headers={"X-Sandbox-Id": sandbox}, auth=admin).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(create, names))
    # Which of the twelve wins is the race's; that one wins and the others get the
    # documented 409 for a taken name is not.
    assert sorted(statuses[:12]) == [201] + [409] * 11
    assert statuses[12:] == [201] * 12
    after = _names(server.url, sandbox)
    assert len(after) == before + 13
    assert len({n.casefold() for n in after}) == len(after)


def test_concurrent_updates_leave_one_written_state(server):
    sandbox = f"roomle-upd-{server.port}"
    states = [{"label": f"Label {i}", "privacyUrl": f"https://example.com/p{i}"}
              for i in range(16)]
    admin = _admin(server.url, sandbox)

    def update(body: dict) -> int:
        return httpx.put(f"{server.url}/v2/tenants/2/", json=body, timeout=30,
                         headers={"X-Sandbox-Id": sandbox}, auth=admin).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(update, states)) == {200}
    final = httpx.get(f"{server.url}/v2/tenants/2/", timeout=30, auth=admin,
                      headers={"X-Sandbox-Id": sandbox}).json()["tenant"]
    assert {"label": final["label"], "privacyUrl": final["privacyUrl"]} in states


def test_requests_auth_signs_in_once_and_encrypts_every_request(server):
    """The pytest plugin's requests auth against a real server: one sign-in, then a
    fresh request token per request, from many threads."""
    import requests

    from mock_server.testing import RoomleRequestsAuth

    sandbox = f"roomle-requests-{server.port}"
    creds = httpx.get(f"{server.url}/_sandbox/credentials",
                      headers={"X-Sandbox-Id": sandbox}).json()["roomle"]
    mgr = next(p for p in creds if p["role"] == "tenant_manager" and p["tenantId"] == "2")
    auth = RoomleRequestsAuth(mgr["apiKey"], mgr["secret"], identification=mgr["email"],
                              password=mgr["password"], algorithm="01")
    session = requests.Session()
    session.headers["X-Sandbox-Id"] = sandbox
    session.auth = auth
    assert session.get(f"{server.url}/v2/tenants/2/", timeout=30).status_code == 200
    signed_in = auth.session_token
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(
            lambda i: session.put(f"{server.url}/v2/tenants/2/", json={"label": f"L{i}"},
                                  timeout=30).status_code, range(16)))
    assert statuses == [200] * 16 and auth.session_token == signed_in
    state = httpx.get(f"{server.url}/_sandbox/state", headers={"X-Sandbox-Id": sandbox}).json()
    assert [s["token"] for s in state["roomle"]["sessions"]].count(signed_in) == 1
