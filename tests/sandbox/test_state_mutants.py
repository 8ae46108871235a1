"""The journal's bounds at their edges and operation matching of unrouted calls, found
unpinned by the mutation run of mock_server/control/state.py (docs/development.md,
"Mutation testing")."""

from __future__ import annotations

from typing import Any

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.sandbox import Sandbox
from mock_server.testing import BizzlinkAuth

AUTH = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")
NOWHERE = "/bizzlink/nowhere"  # unrouted: the same 404 (and journal entry size) each time


def _ids(client: Any) -> list[int]:
    resp = client.get("/_sandbox/requests", params={"limit": 1000})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == len(body["requests"])
    return [e["id"] for e in body["requests"]]


def _entry_size(app: Any, name: str) -> int:
    """The bytes the journal charges for one call to NOWHERE from a sandbox whose name is
    as long as ``name`` (the X-Sandbox-Id header is part of the entry)."""
    twin = name[:-1] + ("x" if name[-1] != "x" else "y")
    with app.test_client(headers={"X-Sandbox-Id": twin}) as c:
        assert c.get(NOWHERE).status_code == 404
        return app.runtime.store.peek(twin).journal.bytes


def test_a_journal_of_size_one_keeps_only_the_newest_call():
    app = create_app(Config(validate_responses=True, journal_size=1))
    with app.test_client(headers={"X-Sandbox-Id": "size-one"}) as c:
        for _ in range(3):
            assert c.get(NOWHERE).status_code == 404
        ids = _ids(c)
        assert len(ids) == 1
        assert c.get(NOWHERE).status_code == 404
        assert _ids(c) == [ids[0] + 1]


def test_entries_that_exactly_fill_the_byte_budget_are_all_kept(app, sandbox_id, monkeypatch):
    size = _entry_size(app, sandbox_id)
    monkeypatch.setattr(Sandbox, "JOURNAL_BYTES", 2 * size)  # read when a sandbox is made
    with app.test_client(headers={"X-Sandbox-Id": sandbox_id}) as c:
        for _ in range(2):
            assert c.get(NOWHERE).status_code == 404
        first, second = _ids(c)
        assert app.runtime.store.peek(sandbox_id).journal.bytes == 2 * size
        assert c.get(NOWHERE).status_code == 404  # one byte over: the oldest goes
        assert _ids(c) == [second, second + 1]
        assert c.delete("/_sandbox/requests").status_code == 204
        for _ in range(2):  # after a clear the whole budget is free again
            assert c.get(NOWHERE).status_code == 404
        assert len(_ids(c)) == 2


def test_a_call_larger_than_the_byte_budget_is_kept_alone(app, sandbox_id, monkeypatch):
    size = _entry_size(app, sandbox_id)
    monkeypatch.setattr(Sandbox, "JOURNAL_BYTES", size // 2)
    with app.test_client(headers={"X-Sandbox-Id": sandbox_id}) as c:
        assert c.get(NOWHERE).status_code == 404
        [first] = _ids(c)
        assert c.get(NOWHERE).status_code == 404
        assert c.get(NOWHERE).status_code == 404
        assert _ids(c) == [first + 2]


def test_an_operation_rule_never_fires_on_an_unrouted_call(client):
    resp = client.post("/_sandbox/faults", json={"operationId": "listChildTenants",
                                                 "status": 503})
    assert resp.status_code == 201, resp.text
    assert client.get(NOWHERE).status_code == 404
    assert client.get("/_sandbox/faults").json()["faults"][0]["fired"] == 0
    assert client.get("/bizzlink/tenants", auth=AUTH).status_code == 503


def test_a_journal_filter_by_operation_skips_unrouted_calls(client):
    assert client.get(NOWHERE).status_code == 404
    assert client.get("/bizzlink/tenants", auth=AUTH).status_code == 200
    for wanted in ("listChildTenants", "list_child_tenants", "anything"):
        resp = client.get("/_sandbox/requests", params={"operationId": wanted})
        assert resp.status_code == 200, resp.text
        paths = [e["path"] for e in resp.json()["requests"]]
        assert NOWHERE not in paths, wanted
