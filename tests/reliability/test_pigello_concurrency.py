"""Concurrent Pigello writes against a real server: custom_id stays unique per customer,
bulk writes are all or nothing, and concurrent PATCHes leave one written state."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer

BASE = "/accounts/users/customer"
T1 = "de11cc9d-ea95-4c21-ae9c-82b1478c281d"


@pytest.fixture(scope="module", params=["async", "flask"])
def server(request):
    with BackgroundServer(create_app(flavor=request.param)) as srv:
        yield srv


@pytest.fixture(scope="module")
def headers(server) -> dict:
    creds = httpx.get(f"{server.url}/_sandbox/credentials").json()["pigello"]
    return next(c for c in creds if c["name"] == "Norrsken Integration")["headers"]


def _tenants(url: str, headers: dict) -> list[dict]:
    resp = httpx.get(f"{url}{BASE}/tenant/", headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def test_concurrent_creates_keep_custom_id_unique(server, headers):
    sent = {**headers, "X-Sandbox-Id": f"pigello-race-{server.port}"}
    before = _tenants(server.url, sent)
    bodies = [{"first_name": f"Racer {i}", "custom_id": "RACE-1"} for i in range(12)]
    bodies += [{"first_name": f"Distinct {i}", "custom_id": f"D-{i}"} for i in range(12)]

    def create(body: dict) -> httpx.Response:
        return httpx.post(f"{server.url}{BASE}/tenant/", json=body, headers=sent, timeout=30)

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(create, bodies))
    statuses = [a.status_code for a in answers]
    # The race picks the winner; the others get DRF's 400 naming custom_id.
    assert sorted(statuses[:12]) == [201] + [400] * 11, statuses
    for a in answers[:12]:
        if a.status_code == 400:
            assert a.json() == {"custom_id": ["Tenant with this custom id already exists."]}
    assert statuses[12:] == [201] * 12
    after = _tenants(server.url, sent)
    assert len(after) == len(before) + 13
    customs = [t["custom_id"] for t in after if t["custom_id"] is not None]
    assert len(customs) == len(set(customs))


def test_concurrent_bulk_writes_are_all_or_nothing(server, headers):
    """Bulks that overlap on a custom_id: each either writes all its items or none."""
    sent = {**headers, "X-Sandbox-Id": f"pigello-bulk-{server.port}"}
    before = len(_tenants(server.url, sent))
    bulks = [[{"first_name": f"Bulk {b} item {i}", "custom_id": f"B{b}-{i}"} for i in range(3)]
             + [{"first_name": f"Bulk {b} shared", "custom_id": "SHARED"}] for b in range(8)]

    def write(items: list) -> int:
        return httpx.post(f"{server.url}{BASE}/tenant/list/", json=items, headers=sent,
                          timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(write, bulks))
    # Which bulk wins is the race's; one writes all, the seven others are refused whole.
    assert sorted(statuses) == [200] + [400] * 7, statuses
    winner = statuses.index(200)
    after = _tenants(server.url, sent)
    assert len(after) == before + 4
    assert {t["custom_id"] for t in after} >= {f"B{winner}-{i}" for i in range(3)} | {"SHARED"}


def test_concurrent_patches_leave_one_written_state(server, headers):
    sent = {**headers, "X-Sandbox-Id": f"pigello-upd-{server.port}"}
    states = [{"first_name": f"First {i}", "last_name": f"Last {i}",
               "email": f"p{i}@example.se"} for i in range(16)]

    def patch(body: dict) -> int:
        return httpx.patch(f"{server.url}{BASE}/tenant/{T1}/", json=body, headers=sent,
                           timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(patch, states)) == {200}
    final = httpx.get(f"{server.url}{BASE}/tenant/{T1}/", headers=sent, timeout=30).json()
    assert {k: final[k] for k in ("first_name", "last_name", "email")} in states
