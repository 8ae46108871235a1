"""State export/import (the id sequence included) and generated fixtures."""

from __future__ import annotations

import yaml

from mock_server.cli import main
from tests.roomle.helpers import BASE, DEMO, SUPER, headers

WRITABLE = ("name", "label", "active", "showLanguageSwitch", "defaultLanguage",
            "authenticationRequired", "visibility", "privacyUrl", "webhook", "packages",
            "configurators", "allowRegistration", "branded", "skin", "configuration", "modules",
            "catalogConnections")


def test_state_round_trip_keeps_records_and_sequence(client, app, credentials, sandbox_id):
    sup = headers(credentials, SUPER)
    gone = client.post(BASE, json={"name": "short_lived"}, headers=sup).json()["tenant"]
    assert client.delete(f"{BASE}/{gone['id']}", headers=sup).status_code == 204
    kept = client.post(BASE, json={"name": "kept", "catalogConnections": [
        {"id": "kept_catalog", "owner": True, "public": True}]}, headers=sup).json()["tenant"]
    state = client.get("/_sandbox/state").json()
    assert state["roomle"]["nextId"] == kept["id"] + 1
    with app.test_client(headers={"X-Sandbox-Id": f"{sandbox_id}-restored"}) as other:
        assert other.put("/_sandbox/state", json=state).status_code == 200
        assert other.get("/_sandbox/state").json() == state
        assert other.get(f"{BASE}/{kept['id']}", headers=sup).json()["tenant"] == kept
        again = other.post(BASE, json={"name": "after_restore"}, headers=sup).json()["tenant"]
        assert again["id"] == kept["id"] + 1


def test_bad_fixture_section_names_the_entry(client):
    doc = {"version": 1, "roomle": {"tenants": [{"id": 1, "name": "a"}, {"id": 2, "name": "A"}]}}
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == 400  # README: a bad fixture document is a 400
    assert "roomle.tenants[1].name: 'a' is used twice" in resp.json()["detail"]


def test_generated_tenants_pass_the_apis_own_validation(client, tmp_path):
    out = tmp_path / "gen.yaml"
    assert main(["generate", "--seed", "3", "--roomle-tenants", "12", "--quiet",
                 "-o", str(out)]) == 0
    doc = yaml.safe_load(out.read_text())
    tenants = doc["roomle"]["tenants"]
    assert len({t["name"].casefold() for t in tenants}) == len(tenants) >= 12
    resp = client.post("/_sandbox/fixtures", content=out.read_text(),
                       headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    sup = client.get("/_sandbox/credentials").json()["roomle"][0]["headers"]
    for tenant in tenants:
        body = {k: tenant[k] for k in WRITABLE if k in tenant}
        resp = client.put(f"{BASE}/{tenant['id']}/", json=body, headers=sup)
        assert resp.status_code == 200, (body, resp.text)
    assert client.get(f"{BASE}/{DEMO}", headers=sup).status_code == 200


def test_tenants_with_equal_lists_change_one_at_a_time(client, credentials):
    """Equal modules, configurators and configuration are stored once for many
    tenants; changing one tenant's must leave every other tenant's as it was."""
    sup = headers(credentials, SUPER)
    made = [client.post(BASE, json={"name": f"twin_{n}"}, headers=sup).json()["tenant"]
            for n in range(3)]
    assert all(t["modules"] == ["basic_usage"] and t["configurators"] == []
               and t["configuration"] == {} for t in made)
    resp = client.put(f"{BASE}/{made[0]['id']}", headers=sup, json={
        "modules": ["basic_usage", "extra"], "configurators": ["c1"],
        "configuration": {"theme": "dark"}})
    assert resp.status_code == 200, resp.text
    for t in made[1:]:
        got = client.get(f"{BASE}/{t['id']}", headers=sup).json()["tenant"]
        assert (got["modules"], got["configurators"], got["configuration"]) == \
            (["basic_usage"], [], {})
    first = client.get(f"{BASE}/{made[0]['id']}", headers=sup).json()["tenant"]
    assert (first["modules"], first["configurators"], first["configuration"]) == \
        (["basic_usage", "extra"], ["c1"], {"theme": "dark"})
