"""Loading fixture documents, exporting and importing state, the fixture schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mock_server.apis import all_apis
from mock_server.config import FIXTURES_DIR
from mock_server.fixtures import FixtureError, validate_document
from mock_server.testing import BizzlinkAuth

SOLO = {"version": 1, "seed": 7, "bizzlink": {"accounts": [{
    "id": "11111111-1111-4111-8111-111111111111", "name": "Solo Partner", "role": "partner",
    "token": "solo-token-1", "hmacSecret": "solo-secret-1", "subscriptions": ["FLOW"],
    "generatedChildren": 2}]}}
SOLO_AUTH = BizzlinkAuth("solo-token-1", "solo-secret-1")


@pytest.mark.parametrize("path", sorted(Path(FIXTURES_DIR).glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_fixtures_match_the_schema(path):
    validate_document(yaml.safe_load(path.read_text(encoding="utf-8")), all_apis())


def test_load_fixtures_replaces_the_world_and_reset_returns_to_it(client):
    resp = client.post("/_sandbox/fixtures", json=SOLO)
    assert resp.status_code == 200, resp.text
    assert resp.json()["loaded"] == ["bizzlink"]
    creds = client.get("/_sandbox/credentials").json()["bizzlink"]
    assert [c["name"] for c in creds] == ["Solo Partner"]
    listed = client.get("/bizzlink/tenants", auth=SOLO_AUTH)
    assert listed.json()["meta"]["totalElements"] == 2
    client.post("/bizzlink/tenants", auth=SOLO_AUTH, json={"data": {"attributes": {
        "billingModel": "FLOW", "companyName": "Extra"}}})
    assert client.post("/_sandbox/reset").status_code == 204
    assert client.get("/bizzlink/tenants", auth=SOLO_AUTH).json()["meta"]["totalElements"] == 2


def test_load_fixtures_as_yaml(client):
    resp = client.post("/_sandbox/fixtures", content=yaml.safe_dump(SOLO),
                       headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    assert client.get("/bizzlink/tenants", auth=SOLO_AUTH).status_code == 200


@pytest.mark.parametrize("doc,field", [
    ({"version": 2}, "version"),
    ({"version": 1, "bizzlink": {"accounts": [{"id": "x", "name": "a"}]}},
     "bizzlink.accounts.0.token"),
    ({"version": 1, "bizzlink": {"accounts": [{**SOLO["bizzlink"]["accounts"][0],
                                                "id": "not-a-uuid"}]}},
     "bizzlink.accounts.0.id"),
    ({"version": 1, "bizzlink": {"tenants": [{"id": "22222222-2222-4222-8222-222222222222",
                                              "partner": "33333333-3333-4333-8333-333333333333",
                                              "attributes": {"companyName": "Orphan",
                                                             "billingModel": "SEATS"}}]}},
     "bizzlink.tenants.0.partner"),
    ({"version": 1, "wat": {}}, "wat"),
])
def test_bad_fixture_document_is_400_naming_the_field_and_loads_nothing(client, doc, field):
    before = client.get("/_sandbox/state").json()
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == 400, resp.text
    assert field in [e["field"] for e in resp.json()["errors"]]
    assert client.get("/_sandbox/state").json() == before


def test_unparseable_fixture_text_is_400(client):
    resp = client.post("/_sandbox/fixtures", content="a: [1,", headers={"Content-Type":
                                                                         "application/yaml"})
    assert resp.status_code == 400


def test_state_round_trip_is_lossless(client, app, sandbox_id):
    created = client.post("/bizzlink/tenants", auth=BizzlinkAuth(
        "bzl_partner_seats_token", "bzl_partner_seats_secret"), json={"data": {"attributes": {
            "billingModel": "SEATS", "companyName": "Round Trip SA"}}})
    assert created.status_code == 201
    client.post("/_sandbox/clock", json={"advance": 120})
    state = client.get("/_sandbox/state").json()
    assert state["version"] == 1 and state["kind"] == "state"
    with app.test_client(headers={"X-Sandbox-Id": f"{sandbox_id}-restored"}) as other:
        assert other.put("/_sandbox/state", json=state).status_code == 200
        assert other.get("/_sandbox/state").json() == state
        tid = created.json()["data"]["id"]
        got = other.get(f"/bizzlink/tenants/{tid}", auth=BizzlinkAuth(
            "bzl_partner_seats_token", "bzl_partner_seats_secret"))
        assert got.json()["data"] == created.json()["data"]


def test_state_import_refuses_bad_documents_and_changes_nothing(client):
    state = client.get("/_sandbox/state").json()
    for bad in ({**state, "version": 2}, {**state, "bizzlink": {"accounts": "nope"}},
                {**state, "random": [3, [1, 2], None]}):
        resp = client.put("/_sandbox/state", json=bad)
        assert resp.status_code == 400, resp.text
    assert client.get("/_sandbox/state").json() == state


def test_validate_document_collects_every_problem():
    with pytest.raises(FixtureError) as info:
        validate_document({"version": 1, "bizzlink": {"accounts": [{}, {"role": "x"}]}},
                          all_apis())
    wheres = [w for w, _ in info.value.errors]
    assert "bizzlink.accounts[0].id" in wheres and "bizzlink.accounts[1].role" in wheres
