"""Concurrent Bizzlink writes against a real server: no lost write, no broken uniqueness."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer
from mock_server.testing import BizzlinkAuth

AUTH = BizzlinkAuth("bzl_partner_both_token", "bzl_partner_both_secret")


@pytest.fixture(scope="module", params=["async", "flask"])
def server(request):
    with BackgroundServer(create_app(flavor=request.param)) as srv:
        yield srv


def _create(url: str, sandbox: str, name: str, code: str | None) -> int:
    attrs = {"billingModel": "FLOW", "companyName": name}
    if code:
        attrs["tenantCode"] = code
    body = json.dumps({"data": {"attributes": attrs}}).encode()
    resp = httpx.post(f"{url}/bizzlink/tenants", content=body, auth=AUTH, timeout=30,
                      headers={"Content-Type": "application/json", "X-Sandbox-Id": sandbox})
    return resp.status_code


def _list(url: str, sandbox: str) -> list[dict]:
    resp = httpx.get(f"{url}/bizzlink/tenants", params={"page[size]": 100}, auth=AUTH,
                     headers={"X-Sandbox-Id": sandbox}, timeout=30)
    assert resp.status_code == 200
    return resp.json()["data"]


def test_concurrent_creates_keep_codes_unique_and_lose_nothing(server):
    sandbox = f"race-{server.port}"
    before = len(_list(server.url, sandbox))
    jobs = [(f"Dup {i}", "RACE-CODE") for i in range(12)]
    jobs += [("Same Name GmbH", None) for _ in range(12)]
    jobs += [(f"Distinct {i}", f"DISTINCT-{i}") for i in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda j: _create(server.url, sandbox, *j), jobs))
    # The race decides which create of RACE-CODE wins, not that exactly one does and the
    # others get the documented 422 for a taken tenantCode.
    assert sorted(statuses[:12]) == [201] + [422] * 11, statuses
    assert statuses[12:] == [201] * 24, statuses
    tenants = _list(server.url, sandbox)
    assert len(tenants) == before + statuses.count(201)
    codes = [t["attributes"]["tenantCode"] for t in tenants]
    assert len(codes) == len(set(codes))
    assert sum(c.startswith("SAME-NAME-GMBH") for c in codes) == 12


def test_concurrent_patches_leave_one_written_state(server):
    sandbox = f"patch-{server.port}"
    tid = _list(server.url, sandbox)[0]["id"]
    states = [{"contactName": f"Person {i}", "addressCity": f"City {i}"} for i in range(16)]

    def patch(attrs: dict) -> int:
        body = json.dumps({"data": {"attributes": attrs}}).encode()
        return httpx.patch(f"{server.url}/bizzlink/tenants/{tid}", content=body, auth=AUTH,
                           headers={"Content-Type": "application/json", "X-Sandbox-Id": sandbox},
                           timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(patch, states)) == {200}
    final = httpx.get(f"{server.url}/bizzlink/tenants/{tid}", auth=AUTH, timeout=30,
                      headers={"X-Sandbox-Id": sandbox}).json()["data"]["attributes"]
    assert {"contactName": final["contactName"], "addressCity": final["addressCity"]} in states
    assert final["contactName"].split()[-1] == final["addressCity"].split()[-1]


def _examples(url: str, sandbox: str) -> dict:
    creds = httpx.get(f"{url}/_sandbox/credentials", headers={"X-Sandbox-Id": sandbox}).json()
    return next(c for c in creds["bizzlink"] if c["hmacSecret"] == AUTH.secret)["examples"]


def _post(url: str, sandbox: str, path: str, attrs: dict) -> int:
    body = json.dumps({"data": {"attributes": attrs}}).encode()
    return httpx.post(f"{url}{path}", content=body, auth=AUTH, timeout=30,
                      headers={"Content-Type": "application/vnd.api+json",
                               "X-Sandbox-Id": sandbox}).status_code


def test_concurrent_legal_entity_and_peppol_id_creates_keep_uniqueness(server):
    sandbox = f"race-le-{server.port}"
    ex = _examples(server.url, sandbox)
    les = f"/bizzlink/tenants/{ex['tenantId']}/legal-entities"
    pids = f"{les}/{ex['legalEntityId']}/peppol-ids"
    jobs = [(les, {"customerName": f"Race {i}", "legalEntityCode": "RACE-LE"}) for i in range(10)]
    jobs += [(pids, {"peppolId": "9938:lu20202020"}) for _ in range(10)]
    jobs += [(pids, {"peppolId": f"9938:lu3030303{i}", "isDefault": True}) for i in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda j: _post(server.url, sandbox, *j), jobs))
    # One winner per taken value (which one is the race's), the others the documented 422.
    assert sorted(statuses[:10]) == [201] + [422] * 9, statuses
    assert sorted(statuses[10:20]) == [201] + [422] * 9, statuses
    assert statuses[20:] == [201] * 10, statuses
    listed = httpx.get(f"{server.url}{pids}", params={"page[size]": 100}, auth=AUTH,
                       headers={"X-Sandbox-Id": sandbox}, timeout=30).json()["data"]
    assert sum(p["attributes"]["isDefault"] for p in listed) == 1
    values = [p["attributes"]["peppolId"] for p in listed if p["attributes"]["active"]]
    assert len(values) == len(set(values))
