"""Request journal (with masking) and fault injection, through HTTP."""

from __future__ import annotations

import json

import pytest

from mock_server.testing import BizzlinkAuth

AUTH = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")
SECRETS = ("bzl_partner_seats_token", "bzl_partner_seats_secret")


def _create(client, name="Journal SA", **headers):
    body = json.dumps({"data": {"attributes": {"billingModel": "SEATS", "companyName": name}}})
    return client.post("/bizzlink/tenants", content=body, auth=AUTH,
                       headers={"Content-Type": "application/json", **headers})


def test_journal_records_calls_newest_last_with_secrets_masked(client):
    assert client.get("/bizzlink/tenants", auth=AUTH).status_code == 200
    assert _create(client).status_code == 201
    assert client.get("/bizzlink/tenants/not-a-uuid", auth=AUTH).status_code == 400
    resp = client.get("/_sandbox/requests")
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == 3
    first, created, bad = body["requests"]
    assert [first["method"], created["method"], bad["status"]] == ["GET", "POST", 400]
    assert created["api"] == "bizzlink"
    assert created["operationId"] == "createChildTenant"
    assert created["status"] == 201
    assert created["body"]["data"]["attributes"]["companyName"] == "Journal SA"
    assert created["responseBody"]["data"]["type"] == "tenants"
    assert created["headers"]["authorization"] == "***"
    assert created["headers"]["x-bizzlink-signature"] == "***"
    assert created["durationMs"] >= 0
    assert not any(secret in resp.text for secret in SECRETS)


def test_journal_filters_and_limit(client):
    client.get("/bizzlink/tenants", auth=AUTH)
    _create(client, "One")
    _create(client, "Two")
    client.get("/bizzlink/tenants", auth=AUTH, params={"page[size]": 0})
    q = client.get
    assert q("/_sandbox/requests", params={"method": "post"}).json()["total"] == 2
    assert q("/_sandbox/requests", params={"status": 400}).json()["total"] == 1
    assert q("/_sandbox/requests", params={"operationId": "listChildTenants"}).json()["total"] == 2
    assert q("/_sandbox/requests", params={"api": "wallet"}).json()["total"] == 0
    limited = q("/_sandbox/requests", params={"limit": 1}).json()
    assert limited["total"] == 4 and len(limited["requests"]) == 1
    assert limited["requests"][0]["status"] == 400
    assert q("/_sandbox/requests", params={"since": "2999-01-01T00:00:00Z"}).json()["total"] == 0
    assert q("/_sandbox/requests", params={"until": "2999-01-01T00:00:00Z"}).json()["total"] == 4
    assert q("/_sandbox/requests", params={"since": "soon"}).status_code == 400
    assert client.delete("/_sandbox/requests").status_code == 204
    assert q("/_sandbox/requests").json()["total"] == 0


def test_control_plane_calls_are_not_journaled(client):
    client.get("/_sandbox/health")
    client.get("/_sandbox/credentials")
    assert client.get("/_sandbox/requests").json()["total"] == 0


def test_journal_is_bounded():
    from mock_server.app import create_app
    from mock_server.config import Config

    app = create_app(Config(journal_size=5))
    with app.test_client() as c:
        for _ in range(12):
            c.get("/bizzlink/tenants", auth=AUTH)
        body = c.get("/_sandbox/requests", params={"limit": 100}).json()
        assert body["total"] == 5
        assert [r["id"] for r in body["requests"]] == list(range(8, 13))


def test_fault_header_status_changes_no_state(client):
    resp = _create(client, "Never Written", **{"X-Sandbox-Fault": "status=503"})
    assert resp.status_code == 503
    err = resp.json()["errors"][0]
    assert err["status"] == "503" and err["code"] == "injected_fault"
    listed = client.get("/bizzlink/tenants", auth=AUTH, params={"page[size]": 100})
    assert "Never Written" not in listed.text


def test_fault_header_delay_then_normal_answer(client):
    resp = client.get("/bizzlink/tenants", auth=AUTH, headers={"X-Sandbox-Fault": "delay=150"})
    assert resp.status_code == 200
    entry = client.get("/_sandbox/requests").json()["requests"][-1]
    assert entry["durationMs"] >= 150


@pytest.mark.parametrize("value", ["status=200", "status=abc", "delay=-1", "explode"])
def test_bad_fault_header_is_400_naming_it(client, value):
    resp = client.get("/bizzlink/tenants", auth=AUTH, headers={"X-Sandbox-Fault": value})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"header": "X-Sandbox-Fault"}


def test_fault_rule_with_count_and_operation(client):
    rule = client.post("/_sandbox/faults", json={
        "api": "bizzlink", "operationId": "createChildTenant", "status": 500, "times": 2})
    assert rule.status_code == 201
    assert rule.json()["remaining"] == 2
    assert client.get("/bizzlink/tenants", auth=AUTH).status_code == 200
    assert [_create(client, f"N{i}").status_code for i in range(3)] == [500, 500, 201]
    listed = client.get("/_sandbox/faults").json()["faults"]
    assert listed[0]["fired"] == 2 and listed[0]["remaining"] == 0


def test_fault_rule_by_path_and_method(client):
    client.post("/_sandbox/faults", json={"path": "/bizzlink/tenants/*", "method": "GET",
                                          "status": 404})
    assert client.get("/bizzlink/tenants", auth=AUTH).status_code == 200
    resp = client.get("/bizzlink/tenants/770e8400-e29b-41d4-a716-446655440000", auth=AUTH)
    assert resp.status_code == 404
    assert client.delete("/_sandbox/faults").status_code == 204
    resp = client.get("/bizzlink/tenants/770e8400-e29b-41d4-a716-446655440000", auth=AUTH)
    assert resp.status_code == 200


def test_fault_probability_is_deterministic_per_seed(app, sandbox_id):
    def run(name: str) -> list[int]:
        with app.test_client(headers={"X-Sandbox-Id": name}) as c:
            c.post("/_sandbox/faults", json={"status": 503, "probability": 0.5})
            return [c.get("/bizzlink/tenants", auth=AUTH).status_code for _ in range(20)]

    first, second = run(sandbox_id + "-a"), run(sandbox_id + "-b")
    assert first == second
    assert set(first) == {200, 503}  # each answer is the fault or the real one, nothing else
    assert 2 <= first.count(503) <= 18


def test_fault_rule_validation_and_delete(client):
    assert client.post("/_sandbox/faults", json={"api": "bizzlink"}).status_code == 400
    assert client.post("/_sandbox/faults", json={"status": 200}).status_code == 400
    assert client.post("/_sandbox/faults", json={"status": 503, "api": "nope"}).status_code == 400
    rule = client.post("/_sandbox/faults", json={"status": 503}).json()
    assert client.delete(f"/_sandbox/faults/{rule['id']}").status_code == 204
    assert client.delete(f"/_sandbox/faults/{rule['id']}").status_code == 404
    assert client.get("/bizzlink/tenants", auth=AUTH).status_code == 200


def test_faults_never_touch_the_control_plane(client):
    client.post("/_sandbox/faults", json={"status": 503})
    assert client.get("/_sandbox/health").status_code == 200
    assert client.get("/_sandbox/credentials",
                      headers={"X-Sandbox-Fault": "status=503"}).status_code == 200


def test_health_head(client):
    resp = client.head("/_sandbox/health")
    assert resp.status_code == 200
    assert resp.content == b""
