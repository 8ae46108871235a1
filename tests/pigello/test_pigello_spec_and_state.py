"""The spec declares exactly the filters the code supports; state export and generation."""

from __future__ import annotations

import pytest
import yaml

from mock_server.apis.pigello.listing import RESERVED
from mock_server.apis.pigello.models import ENTITIES
from mock_server.cli import main
from mock_server.config import SPEC_DIR
from tests.pigello.helpers import CONNECTIONS, NORRSKEN, SUBTENANTS, TENANTS

SPEC = yaml.safe_load((SPEC_DIR / "pigello.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", list(ENTITIES))
def test_spec_declares_every_filter_and_field(name):
    entity = ENTITIES[name]
    declared = SPEC["paths"][f"/{name}/"]["get"]["parameters"]
    params = {p["name"] for p in declared if p["name"] != "negated"}
    [negated] = [p for p in declared if p["name"] == "negated"]
    assert negated["style"] == "form" and negated["explode"] is True
    expected = set(RESERVED)
    for field, spec in entity.fields.items():
        for op in spec.operators:
            expected.add(f"{field}__{op}" if op else field)
    assert params == expected
    assert set(negated["schema"]["properties"]) == {f"{n}!" for n in expected - set(RESERVED)}
    schemas = SPEC["components"]["schemas"]
    assert set(schemas[entity.title]["properties"]) == set(entity.output_fields)
    assert set(schemas[f"{entity.title}Write"]["properties"]) == set(entity.writable)
    for field in entity.read_only:
        assert schemas[entity.title]["properties"][field]["readOnly"] is True


def test_state_round_trip_is_lossless(pg, client):
    assert pg("POST", TENANTS, json={"corporate_name": "Round Trip AB"}).status_code == 201
    state = client.get("/_sandbox/state").json()
    client.post("/_sandbox/reset")
    assert client.put("/_sandbox/state", json=state).status_code == 200
    assert client.get("/_sandbox/state").json()["pigello"] == state["pigello"]
    names = [t["corporate_name"] for t in pg("GET", TENANTS).json()["data"]]
    assert "Round Trip AB" in names


@pytest.mark.parametrize("section, where", [
    ({"customers": [{"id": "5bc8fbbc-bde5-4099-8164-d8399f767c45", "name": "A"}],
      "tenants": [{"id": "de11cc9d-ea95-4c21-ae9c-82b1478c281d",
                   "customer": "5bc8fbbc-bde5-4099-8164-d8399f767c45"}]},
     "pigello.tenants[0].non_field_errors"),
    ({"customers": [], "tenants": [{"id": "de11cc9d-ea95-4c21-ae9c-82b1478c281d",
                                    "customer": "5bc8fbbc-bde5-4099-8164-d8399f767c45",
                                    "first_name": "A"}]},
     "pigello.tenants[0].customer"),
])
def test_bad_fixture_sections_name_the_entry(client, section, where):
    resp = client.post("/_sandbox/fixtures", json={"version": 1, "pigello": section})
    assert resp.status_code == 400, resp.text
    assert where in resp.text


def test_generated_connections_load_and_pass_validation(client, tmp_path):
    out = tmp_path / "gen.yaml"
    assert main(["generate", "--seed", "3", "--quiet", "--pigello-connections", "12",
                 "-o", str(out)]) == 0
    doc = yaml.safe_load(out.read_text())
    assert len(doc["pigello"]["connections"]) == 3 + 12
    resp = client.post("/_sandbox/fixtures", content=out.read_text(),
                       headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    creds = client.get("/_sandbox/credentials").json()["pigello"]
    headers = next(c for c in creds if c["name"] == NORRSKEN)["headers"]
    for path in (TENANTS, SUBTENANTS, CONNECTIONS):
        rows = client.get(path, headers=headers).json()["data"]
        body = [{k: v for k, v in r.items() if k not in
                 ("created_at", "tags", "customer_columns", "pending_monitor_approval_amount")}
                for r in rows]
        resp = client.post(f"{path}list/", headers=headers, json=body)
        assert resp.status_code == 200, resp.text
    assert len(client.get(CONNECTIONS, headers=headers).json()["data"]) == 2 + 6
