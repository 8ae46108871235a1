"""docs/coverage-and-drift.md "Lifetime": what keeps and what clears a sandbox's coverage
counts (reset and DELETE are in tests/coverage/test_coverage_api.py)."""

from __future__ import annotations

from mock_server.app import create_app
from mock_server.config import Config

WALLET = {"X-API-KEY": "wk_platform_admin_key"}


def _calls(client, **params) -> int:
    report = client.get("/_sandbox/coverage", params=params).json()
    wallet = next(a for a in report["apis"] if a["api"] == "wallet")
    return next(o for o in wallet["operations"] if o["name"] == "listTenants")["calls"]


def test_loading_fixtures_or_state_and_clearing_the_journal_keep_the_counts(client):
    client.get("/api/v1/tenants", headers=WALLET)
    state = client.get("/_sandbox/state").json()
    assert client.post("/_sandbox/fixtures", json={"version": 1}).status_code == 200
    assert _calls(client) == 1
    assert client.put("/_sandbox/state", json=state).status_code == 200
    assert _calls(client) == 1
    assert client.delete("/_sandbox/requests").status_code == 204
    assert _calls(client) == 1


def test_dropped_sandboxes_keep_their_counts_and_names_beyond_the_limit_are_retired(
        monkeypatch):
    """Counts outlive a sandbox dropped at ``--max-sandboxes``; beyond 10,000 names (lowered
    to 3 here) the least recently counted are folded into ``(retired)``."""
    monkeypatch.setattr("mock_server.control.coverage.MAX_NAMES", 3)
    app = create_app(Config(max_sandboxes=2))
    with app.test_client() as c:
        c.get("/api/v1/tenants", headers={**WALLET, "X-Sandbox-Id": "counted"})
        c.get("/api/v1/tenants", headers={**WALLET, "X-Sandbox-Id": "pushes-it-out"})
        live = c.get("/", headers={"Accept": "application/json"}).json()["sandboxes"]
        assert "counted" not in live
        assert _calls(c, prefix="counted") == 1
        for i in range(3):
            c.get("/api/v1/tenants", headers={**WALLET, "X-Sandbox-Id": f"name-{i}"})
        every = c.get("/_sandbox/coverage", params={"all": "true"}).json()
        assert "(retired)" in every["sandboxes"]
        assert "counted" not in every["sandboxes"] and "name-2" in every["sandboxes"]
        assert _calls(c, all="true") == 5  # all=true never loses a call
