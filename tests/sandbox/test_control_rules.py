"""Control-plane operations as README and openapi/sandbox.yaml describe them: health and
readiness in each phase, reset, the outbox filters, the clock's input forms, the journal's
filters at their edges, fault rule bookkeeping and fixture loading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.testing import BizzlinkAuth

AUTH = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")
WALLET = {"X-API-KEY": "wk_platform_admin_key"}
APIS = ["bizzlink", "pigello", "roomle", "wallet"]
LIST_TENANTS = "listChildTenants"
REGISTER = {"tenant": {"name": "Outbox Iso", "email": "iso@outbox.example",
                       "phoneNumber": "030 901820", "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "Iso Admin", "email": "admin@outbox.example",
                            "password": "outbox-secret-pw", "keyDuration": 1,
                            "duration": "DAYS"}}
FROZEN = "2030-01-01T00:00:00.000Z"


def _register(client: Any) -> None:
    resp = client.post("/api/v1/tenants/register", json=REGISTER, headers=WALLET)
    assert resp.status_code == 201, resp.text


def _total(client: Any, **params: Any) -> int:
    resp = client.get("/_sandbox/requests", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["total"]


def test_health_and_ready_once_loaded(client):
    client.get("/bizzlink/tenants", auth=AUTH)  # this test's sandbox now exists
    for path in ("/_sandbox/health", "/_sandbox/ready"):
        resp = client.get(path)
        assert resp.status_code == 200
        body = resp.json()
        assert (body["status"], body["fixturesLoaded"]) == ("ok", True)
        assert sorted(body["apis"]) == APIS
        assert body["sandboxes"] >= 2  # default and this one
        assert 0 <= body["uptimeSeconds"] < 7 * 86400
        assert "error" not in body


def test_health_and_ready_before_the_fixtures_are_loaded():
    app = create_app(Config(load_in_background=True))
    client = app.test_client()  # no lifespan: loading has not started
    health = client.get("/_sandbox/health")
    assert health.status_code == 200
    body = health.json()
    assert (body["status"], body["fixturesLoaded"], body["sandboxes"]) == ("starting", False, 0)
    assert "error" not in body
    ready = client.get("/_sandbox/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "starting"


def test_health_and_ready_after_the_fixtures_failed(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\n", encoding="utf-8")
    app = create_app(Config(load_in_background=True, fixtures=str(bad)))
    with app.test_client() as client:
        assert app.runtime.loaded.wait(30)
        health = client.get("/_sandbox/health")
        assert health.status_code == 200
        body = health.json()
        assert (body["status"], body["fixturesLoaded"], body["sandboxes"]) == ("failed", False,
                                                                              0)
        assert "version" in body["error"]
        ready = client.get("/_sandbox/ready")
        assert ready.status_code == 503 and ready.json()["status"] == "failed"


def test_reset_clears_outbox_journal_and_faults_and_keeps_the_clock(client):
    assert client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"}).status_code == 200
    _register(client)
    assert client.post("/_sandbox/faults", json={"status": 503, "api": "roomle"}).status_code \
        == 201
    resp = client.post("/_sandbox/reset")
    assert resp.status_code == 204 and resp.content == b""
    assert client.get("/_sandbox/outbox").json()["total"] == 0
    assert _total(client) == 0
    assert client.get("/_sandbox/faults").json()["faults"] == []
    assert client.get("/_sandbox/clock").json() == {"now": FROZEN, "frozen": True}
    listed = client.get("/api/v1/tenants", params={"name": "Outbox Iso"}, headers=WALLET)
    assert listed.json()["data"]["totalElements"] == 0


@pytest.mark.parametrize("params,count", [
    ({}, 2), ({"api": "wallet"}, 2), ({"api": "bizzlink"}, 0), ({"kind": "email"}, 2),
    ({"kind": "webhook"}, 0), ({"api": "wallet", "kind": "email"}, 2),
    ({"api": "wallet", "kind": "webhook"}, 0), ({"api": "roomle", "kind": "email"}, 0)])
def test_outbox_filters_by_api_and_kind(client, params, count):
    _register(client)
    resp = client.get("/_sandbox/outbox", params=params)
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == count and len(body["messages"]) == count
    assert all(m["api"] == "wallet" and m["kind"] == "email" for m in body["messages"])


def test_clearing_the_outbox_empties_it(client):
    _register(client)
    assert client.delete("/_sandbox/outbox").status_code == 204
    assert client.get("/_sandbox/outbox").json() == {"messages": [], "total": 0}


@pytest.mark.parametrize("now", ["2030-01-01T00:00:00", "2030-01-01T02:00:00+02:00",
                                 "2029-12-31T19:00:00-05:00"])
def test_clock_now_reads_offsets_and_takes_a_naive_time_as_utc(client, now):
    resp = client.post("/_sandbox/clock", json={"now": now})
    assert resp.status_code == 200
    assert resp.json() == {"now": FROZEN, "frozen": True}


def test_clock_refuses_now_and_advance_together_and_changes_nothing(client):
    client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    resp = client.post("/_sandbox/clock", json={"now": "2031-01-01T00:00:00Z", "advance": 5})
    assert resp.status_code == 400
    assert client.get("/_sandbox/clock").json()["now"] == FROZEN


def test_clock_advance_out_of_range_is_400_and_changes_nothing(client):
    client.post("/_sandbox/clock", json={"now": "9999-01-01T00:00:00Z"})
    resp = client.post("/_sandbox/clock", json={"advance": 3_000_000_000})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["field"] == "advance"
    assert client.get("/_sandbox/clock").json()["now"] == "9999-01-01T00:00:00.000Z"


def test_journal_since_and_until_include_their_instant_and_read_offsets(client):
    client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert client.get("/api/v1/tenants", headers=WALLET).status_code == 200
    assert _total(client, since="2030-01-01T00:00:00Z") == 1
    assert _total(client, until="2030-01-01T00:00:00Z") == 1
    assert _total(client, since="2030-01-01T00:00:01Z") == 0
    assert _total(client, until="2029-12-31T23:59:59Z") == 0
    assert _total(client, since="2030-01-01T01:00:00+01:00") == 1
    assert _total(client, since="2030-01-01T00:30:00+01:00", until="2030-01-01T00:00:00") == 1
    assert _total(client, until="2030-01-01T00:30:00+01:00") == 0
    bad = client.get("/_sandbox/requests", params={"until": "tomorrow"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "until"


def test_journal_filters_by_full_operation_id_and_skips_unrouted_calls(client):
    client.get("/bizzlink/tenants", auth=AUTH)
    assert client.get("/bizzlink/nowhere").status_code == 404
    assert _total(client) == 2
    assert _total(client, operationId=LIST_TENANTS) == 1
    assert _total(client, operationId="list_child_tenants") == 1  # its handler's name
    assert _total(client, status=404) == 1
    assert _total(client, status=404, method="GET", api="bizzlink") == 1
    assert _total(client, status=404, method="POST") == 0


def test_journal_limit_zero_counts_without_listing(client):
    client.get("/bizzlink/tenants", auth=AUTH)
    body = client.get("/_sandbox/requests", params={"limit": 0}).json()
    assert body == {"requests": [], "total": 1}


def test_fault_rules_for_the_control_plane_or_unknown_apis_are_refused(client):
    for api in ("sandbox", "nope"):
        resp = client.post("/_sandbox/faults", json={"status": 503, "api": api})
        assert resp.status_code == 400
        assert resp.json()["errors"][0]["detail"] == "must be one of " + ", ".join(APIS)
    assert client.get("/_sandbox/faults").json()["faults"] == []


def test_a_new_rule_echoes_its_input_and_starts_unfired(client):
    resp = client.post("/_sandbox/faults", json={"api": "wallet", "delayMs": 5, "times": 3})
    assert resp.status_code == 201
    rule = resp.json()
    assert (rule["api"], rule["delayMs"], rule["times"]) == ("wallet", 5, 3)
    assert (rule["fired"], rule["remaining"]) == (0, 3)
    assert client.get("/_sandbox/faults").json()["faults"] == [rule]


def test_deleting_one_rule_keeps_the_others(client):
    first = client.post("/_sandbox/faults", json={"status": 503, "api": "wallet"}).json()
    second = client.post("/_sandbox/faults", json={"status": 502, "api": "bizzlink"}).json()
    assert client.delete(f"/_sandbox/faults/{first['id']}").status_code == 204
    assert client.get("/_sandbox/faults").json()["faults"] == [second]
    assert client.get("/bizzlink/tenants", auth=AUTH).status_code == 502
    assert client.delete("/_sandbox/faults/no-such-rule").status_code == 404
    assert [r["id"] for r in client.get("/_sandbox/faults").json()["faults"]] == [second["id"]]


def test_loaded_lists_the_sections_of_the_document(client):
    state = client.get("/_sandbox/state").json()
    doc = {"version": 1, "wallet": state["wallet"], "bizzlink": state["bizzlink"]}
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"sandbox": client.headers["X-Sandbox-Id"],
                           "loaded": ["bizzlink", "wallet"]}


def test_put_state_answers_the_new_state(client):
    state = client.get("/_sandbox/state").json()
    resp = client.put("/_sandbox/state", json=state)
    assert resp.status_code == 200
    assert resp.json() == state


def test_reads_answer_200(client):
    for path in ("/_sandbox/clock", "/_sandbox/faults", "/_sandbox/outbox", "/_sandbox/requests",
                 "/_sandbox/credentials", "/_sandbox/state", "/_sandbox/coverage"):
        assert client.get(path).status_code == 200, path


def test_the_journal_shows_the_last_100_by_default(client):
    for _ in range(101):
        client.get("/bizzlink/nowhere")
    body = client.get("/_sandbox/requests").json()
    assert body["total"] == 101 and len(body["requests"]) == 100
    assert body["requests"][0]["id"] == body["requests"][-1]["id"] - 99


def _wallet_calls(report: dict) -> int:
    api = next(a for a in report["apis"] if a["api"] == "wallet")
    return next(o for o in api["operations"] if o["operationId"] == "listTenants"
                )["calls"]


def test_clearing_coverage_clears_only_this_sandbox_by_default(client):
    other = client.headers["X-Sandbox-Id"] + "-other"
    assert client.get("/api/v1/tenants", headers={**WALLET, "X-Sandbox-Id": other}
                      ).status_code == 200
    assert client.get("/api/v1/tenants", headers=WALLET).status_code == 200
    resp = client.delete("/_sandbox/coverage")
    assert resp.status_code == 204
    assert _wallet_calls(client.get("/_sandbox/coverage").json()) == 0
    theirs = client.get("/_sandbox/coverage", headers={"X-Sandbox-Id": other}).json()
    assert _wallet_calls(theirs) == 1
