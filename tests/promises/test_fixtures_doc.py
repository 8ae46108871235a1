"""docs/fixtures.md: absent sections build an empty world; state exports say ``state``
and leave out the journal and fault rules (instrumentation, not state)."""

from __future__ import annotations

WALLET_ONLY = {"version": 1, "kind": "fixtures", "wallet": {
    "platformAdmins": [{"name": "Only Admin", "apiKey": "wk_only_admin_key"}]}}


def test_absent_sections_build_an_empty_world(client):
    assert client.post("/_sandbox/fixtures", json=WALLET_ONLY).status_code == 200
    credentials = client.get("/_sandbox/credentials").json()
    assert [p["role"] for p in credentials["wallet"]] == ["platform_admin"]
    assert credentials["bizzlink"] == [] and credentials["pigello"] == []
    assert [p for p in credentials["roomle"] if p["role"] != "anonymous"] == []
    listed = client.get("/api/v1/tenants", headers={"X-API-KEY": "wk_only_admin_key"})
    assert listed.json()["data"]["totalElements"] == 0
    state = client.get("/_sandbox/state").json()
    assert state["bizzlink"]["accounts"] == [] and state["pigello"]["tenants"] == []


def test_a_state_export_says_state_and_leaves_out_journal_and_faults(client):
    client.post("/_sandbox/faults", json={"api": "wallet", "status": 503, "times": 1})
    client.get("/api/v1/tenants", headers={"X-API-KEY": "wk_platform_admin_key"})
    state = client.get("/_sandbox/state").json()
    assert state["kind"] == "state" and state["version"] == 1
    text = str(state)
    assert "injected" not in text and "faults" not in state and "requests" not in state
    assert {"clock", "random", "outbox"} <= set(state)
    assert client.put("/_sandbox/state", json=state).status_code == 200
