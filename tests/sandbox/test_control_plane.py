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
