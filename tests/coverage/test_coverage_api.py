"""GET/DELETE /_sandbox/coverage through HTTP: counters per sandbox, from the specs."""

from __future__ import annotations

import json

import pytest

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.testing import RoomleAuth

WALLET = {"X-API-KEY": "wk_platform_admin_key"}
ROOMLE = RoomleAuth("rml_platform_api_key", "Pl4tf0rm-Secr3t!",
                    session_token="rml_session_super_admin")


def _op(report: dict, api: str, name: str) -> dict:
    section = next(a for a in report["apis"] if a["api"] == api)
    return next(o for o in section["operations"] if o["name"] == name)


def _api(report: dict, api: str) -> dict:
    return next(a for a in report["apis"] if a["api"] == api)


def test_counts_operations_statuses_query_parameters_and_members(client):
    assert client.get("/api/v1/tenants", params={"name": "Acme", "page": 0},
                      headers=WALLET).status_code == 200
    assert client.get("/api/v1/tenants", params={"name": "Acme"}).status_code == 401
    assert client.post("/v2/tenants", json={"name": "cov_tenant", "label": "Cov"},
                       auth=ROOMLE).status_code == 201
    resp = client.get("/_sandbox/coverage")
    assert resp.status_code == 200
    report = resp.json()
    listed = _op(report, "wallet", "listTenants")
    assert listed["calls"] == 2
    assert listed["statuses"]["seen"] == {"200": 1, "401": 1}
    assert listed["statuses"]["neverSeen"] == ["400", "403", "404"]
    assert listed["queryParameters"]["sent"] == {"name": 2, "page": 1}
    assert "email" in listed["queryParameters"]["neverSent"]
    created = _op(report, "roomle", "createTenant")
    assert created["calls"] == 1 and created["statuses"]["seen"] == {"201": 1}
    assert created["bodyMembers"]["sent"] == {"name": 1, "label": 1}
    assert "defaultLanguage" in created["bodyMembers"]["neverSent"]
    assert _op(report, "roomle", "getTenant")["calls"] == 0
    # the APIs called are in scope; the others are listed, not counted in the totals
    assert [a["api"] for a in report["apis"] if a["inScope"]] == ["roomle", "wallet"]
    roomle, wallet = _api(report, "roomle"), _api(report, "wallet")
    ops = report["totals"]["operations"]
    assert ops["covered"] == 2
    assert ops["documented"] == len(roomle["operations"]) + len(wallet["operations"])
    assert wallet["totals"]["statuses"]["covered"] == 2
    assert report["sandboxes"] == [client.headers["X-Sandbox-Id"]]


def test_nested_body_members_are_dotted_paths(client, credentials):
    partner = credentials("pigello", "client", name="Norrsken Integration")
    body = [{"first_name": "Ada", "last_name": "One"}, {"corporate_name": "Two AB"}]
    resp = client.post("/accounts/users/customer/tenant/list/", json=body,
                       headers=partner["headers"])
    assert resp.status_code == 200, resp.text
    bulk = _op(client.get("/_sandbox/coverage").json(), "pigello", "bulkWriteTenants")
    assert bulk["bodyMembers"]["sent"] == {"[].first_name": 1, "[].last_name": 1,
                                           "[].corporate_name": 1}
    assert "[].email" in bulk["bodyMembers"]["neverSent"]


def test_unrouted_calls_and_undocumented_statuses(client):
    assert client.get("/api/v1/tenants/no-such-thing", headers=WALLET).status_code == 404
    assert client.get("/api/v1/tenants", headers={**WALLET, "X-Sandbox-Fault": "status=418"}
                      ).status_code == 418
    report = client.get("/_sandbox/coverage").json()
    assert _api(report, "wallet")["unroutedCalls"] == {"calls": 1, "statuses": {"404": 1}}
    assert _op(report, "wallet", "listTenants")["statuses"]["undocumented"] == {"418": 1}


def test_a_reset_keeps_the_counts_delete_clears_them(client):
    client.get("/api/v1/tenants", headers=WALLET)
    assert client.post("/_sandbox/reset").status_code == 204
    assert _op(client.get("/_sandbox/coverage").json(), "wallet", "listTenants")["calls"] == 1
    assert client.delete("/_sandbox/coverage").status_code == 204
    report = client.get("/_sandbox/coverage").json()
    assert _op(report, "wallet", "listTenants")["calls"] == 0
    assert not any(a["inScope"] for a in report["apis"])


def test_sandboxes_are_counted_apart_and_together(client):
    me = client.headers["X-Sandbox-Id"]
    for name in (f"{me}-a", f"{me}-b"):
        assert client.get("/api/v1/tenants", headers={**WALLET, "X-Sandbox-Id": name}
                          ).status_code == 200
    assert _op(client.get("/_sandbox/coverage").json(), "wallet", "listTenants")["calls"] == 0
    both = client.get("/_sandbox/coverage", params={"prefix": f"{me}-"}).json()
    assert sorted(both["sandboxes"]) == [f"{me}-a", f"{me}-b"]
    assert _op(both, "wallet", "listTenants")["calls"] == 2
    every = client.get("/_sandbox/coverage", params={"all": "true"}).json()
    assert _op(every, "wallet", "listTenants")["calls"] >= 2
    assert client.delete("/_sandbox/coverage", params={"prefix": f"{me}-a"}).status_code == 204
    left = client.get("/_sandbox/coverage", params={"prefix": f"{me}-"}).json()
    assert left["sandboxes"] == [f"{me}-b"]


def test_named_apis_are_in_scope_even_when_never_called(client):
    report = client.get("/_sandbox/coverage", params=[("api", "bizzlink"), ("api", "wallet")]
                        ).json()
    assert [a["api"] for a in report["apis"]] == ["bizzlink", "wallet"]
    assert all(a["inScope"] for a in report["apis"])
    assert report["totals"]["operations"]["covered"] == 0
    assert report["totals"]["operations"]["documented"] > 0


def test_an_unknown_api_is_a_problem_400(client):
    resp = client.get("/_sandbox/coverage", params={"api": "nope"})
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["errors"][0]["field"] == "api"


@pytest.mark.parametrize("flavor", ["async", "flask"])
def test_counts_outlive_the_journal_ring(flavor):
    app = create_app(Config(journal_size=2, validate_responses=True), flavor=flavor)
    with app.test_client(headers={"X-Sandbox-Id": "ring"}) as c:
        for _ in range(5):
            assert c.get("/api/v1/tenants", headers=WALLET).status_code == 200
        assert len(c.get("/_sandbox/requests").json()["requests"]) == 2
        report = c.get("/_sandbox/coverage").json()
        assert _op(report, "wallet", "listTenants")["calls"] == 5
        json.dumps(report)
