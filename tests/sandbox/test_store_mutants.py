"""The store's bound on sandboxes at its edges, found unpinned by the mutation run of
mock_server/store.py (docs/development.md, "Mutation testing"): README, "Sandboxes":
the least recently used one (never ``default``) is dropped and rebuilt from fixtures
if used again."""

from __future__ import annotations

from typing import Any

from mock_server.app import create_app
from mock_server.config import Config

SOLO = {"version": 1, "seed": 7, "bizzlink": {"accounts": [{
    "id": "11111111-1111-4111-8111-111111111111", "name": "Solo Partner", "role": "partner",
    "token": "solo-token-1", "hmacSecret": "solo-secret-1", "subscriptions": ["FLOW"]}]}}


def _live(client: Any) -> list[str]:
    resp = client.get("/", headers={"Accept": "application/json"})
    assert resp.status_code == 200, resp.text
    return sorted(resp.json()["sandboxes"])


def _partners(client: Any, sandbox: str) -> list[str]:
    resp = client.get("/_sandbox/credentials", headers={"X-Sandbox-Id": sandbox})
    assert resp.status_code == 200, resp.text
    return [c["name"] for c in resp.json()["bizzlink"]]


def test_a_bound_of_one_keeps_only_default():
    app = create_app(Config(validate_responses=True, max_sandboxes=1))
    with app.test_client() as c:
        assert _live(c) == ["default"]
        resp = c.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"},
                      headers={"X-Sandbox-Id": "passing"})
        assert resp.status_code == 200  # served, then dropped at once
        assert _live(c) == ["default"]
        assert c.get("/_sandbox/clock", headers={"X-Sandbox-Id": "passing"}
                     ).json()["frozen"] is False  # rebuilt afresh


def test_a_dropped_sandbox_is_rebuilt_from_the_fixtures_not_from_what_was_loaded():
    app = create_app(Config(validate_responses=True, max_sandboxes=2))
    with app.test_client() as c:
        shipped = _partners(c, "default")
        resp = c.post("/_sandbox/fixtures", json=SOLO, headers={"X-Sandbox-Id": "loaded"})
        assert resp.status_code == 200, resp.text
        assert _partners(c, "loaded") == ["Solo Partner"]
        assert c.post("/_sandbox/reset", headers={"X-Sandbox-Id": "loaded"}).status_code == 204
        assert _partners(c, "loaded") == ["Solo Partner"]  # reset returns to the loaded one
        assert _live(c) == ["default", "loaded"]
        _partners(c, "newer")  # the bound is reached: "loaded" is dropped
        assert _live(c) == ["default", "newer"]
        assert _partners(c, "loaded") == shipped != ["Solo Partner"]


def test_a_restart_keeps_what_a_reset_returns_to(tmp_path):
    """--state-file keeps every sandbox across restarts, with the fixture document loaded
    into it: a reset after the restart still returns to that document."""
    path = tmp_path / "state.json"
    first = create_app(Config(validate_responses=True, state_file=path))
    with first.test_client() as c:
        resp = c.post("/_sandbox/fixtures", json=SOLO, headers={"X-Sandbox-Id": "loaded"})
        assert resp.status_code == 200, resp.text
    assert path.exists()  # saved on shutdown
    second = create_app(Config(validate_responses=True, state_file=path))
    with second.test_client() as c:
        assert _partners(c, "loaded") == ["Solo Partner"]
        assert c.post("/_sandbox/reset", headers={"X-Sandbox-Id": "loaded"}).status_code == 204
        assert _partners(c, "loaded") == ["Solo Partner"]
        assert _partners(c, "default") != ["Solo Partner"]
