"""The /_sandbox control plane: health, credentials, reset, sandbox isolation."""

from __future__ import annotations


def test_health_reports_ready(client):
    resp = client.get("/_sandbox/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok"
    assert body["fixturesLoaded"] is True
    assert "bizzlink" in body["apis"]


def test_credentials_list_bizzlink_principals(client):
    creds = client.get("/_sandbox/credentials").json()["bizzlink"]
    partners = [c for c in creds if c["role"] == "partner"]
    subs = sorted(tuple(sorted(c["subscriptions"])) for c in partners)
    assert ("SEATS",) in subs and ("FLOW",) in subs and ("FLOW", "SEATS") in subs
    tenants = [c for c in creds if c["role"] == "tenant"]
    assert tenants and "subscriptions" not in tenants[0]
    for c in creds:
        assert c["headers"]["Authorization"].startswith("Bearer ")
        assert c["hmacSecret"]


def test_unknown_control_path_is_problem_json(client):
    resp = client.get("/_sandbox/nope")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["status"] == 404


def test_bad_sandbox_id_is_rejected(client):
    resp = client.get("/_sandbox/credentials", headers={"X-Sandbox-Id": "no spaces allowed"})
    assert resp.status_code == 400
    assert "X-Sandbox-Id" in resp.json()["detail"]


def test_clock_set_advance_and_reset(client):
    resp = client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert resp.status_code == 200
    assert resp.json() == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}
    resp = client.post("/_sandbox/clock", json={"advance": 90})
    assert resp.json()["now"] == "2030-01-01T00:01:30.000Z"
    assert client.get("/_sandbox/clock").json()["now"] == "2030-01-01T00:01:30.000Z"
    resp = client.delete("/_sandbox/clock")
    assert resp.json()["frozen"] is False


def test_clock_rejects_bad_input(client):
    assert client.post("/_sandbox/clock", json={}).status_code == 400
    assert client.post("/_sandbox/clock", json={"now": "yesterday"}).status_code == 400
    resp = client.post("/_sandbox/clock", json={"later": 1})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["field"] == "later"


def test_outbox_starts_empty_and_clears(client):
    resp = client.get("/_sandbox/outbox")
    assert resp.status_code == 200
    assert resp.json() == {"messages": [], "total": 0}
    assert client.delete("/_sandbox/outbox").status_code == 204
