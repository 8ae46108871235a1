"""`mock-server generate`: generated Bizzlink tenants come with legal entities and Peppol
IDs, reproducibly, and every generated record passes the API's own validation."""

from __future__ import annotations

import yaml

from mock_server.apis.bizzlink.entities import LE_WRITABLE
from mock_server.cli import main
from mock_server.config import DEFAULT_FIXTURES
from mock_server.testing import BizzlinkAuth


def _generate(tmp_path, seed: int, name: str, count: int = 30) -> tuple[bytes, dict]:
    out = tmp_path / name
    assert main(["generate", "--seed", str(seed), "--bizzlink-tenants", str(count), "--quiet",
                 "-o", str(out)]) == 0
    return out.read_bytes(), yaml.safe_load(out.read_text())


def test_generated_tenants_get_legal_entities_and_peppol_ids_reproducibly(tmp_path):
    a, doc = _generate(tmp_path, 3, "a.yaml")
    b, _ = _generate(tmp_path, 3, "b.yaml")
    c, _ = _generate(tmp_path, 4, "c.yaml")
    assert a == b and a != c
    section = doc["bizzlink"]
    children = {t["id"]: t for t in section["tenants"]}
    with_les = {le["tenant"] for le in section["legalEntities"]}
    explicit = {"770e8400-e29b-41d4-a716-446655440000", "17fc695a-07a0-4a6e-8822-e8f36c031199"}
    assert set(children) - explicit <= with_les          # every generated child has some
    les = {le["id"]: le for le in section["legalEntities"]}
    assert {p["legalEntity"] for p in section["peppolIds"]} == set(les)
    values = [p["attributes"]["peppolId"].lower() for p in section["peppolIds"]]
    assert len(values) == len(set(values))
    assert any(p["attributes"]["smpRegistered"] for p in section["peppolIds"])
    for tenant_id, tenant in children.items():
        if tenant["attributes"]["billingModel"] == "SEATS":
            active = [le for le in les.values() if le["tenant"] == tenant_id
                      and le["attributes"]["active"]]
            assert tenant["seats"] == len(active)
        else:
            assert "seats" not in tenant


def test_generated_legal_entities_and_peppol_ids_pass_validation(client, tmp_path):
    text, doc = _generate(tmp_path, 11, "gen.yaml", count=12)
    resp = client.post("/_sandbox/fixtures", content=text,
                       headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    section = doc["bizzlink"]
    accounts = {a["id"]: a for a in section["accounts"]}
    owner = {t["id"]: accounts[t["partner"]] for t in section["tenants"]}
    les = {le["id"]: le for le in section["legalEntities"]}
    for le in les.values():
        if le["tenant"] not in owner:
            continue
        account = owner[le["tenant"]]
        auth = BizzlinkAuth(account["token"], account["hmacSecret"])
        path = f"/bizzlink/tenants/{le['tenant']}/legal-entities/{le['id']}"
        attrs = {k: v for k, v in le["attributes"].items() if k in LE_WRITABLE}
        resp = client.patch(path, auth=auth, json={"data": {"attributes": attrs}})
        assert resp.status_code == 200, (attrs, resp.text)
    for pid in section["peppolIds"]:
        le = les[pid["legalEntity"]]
        account = owner[le["tenant"]]
        auth = BizzlinkAuth(account["token"], account["hmacSecret"])
        base = f"/bizzlink/tenants/{le['tenant']}/legal-entities/{le['id']}/peppol-ids"
        assert client.post(f"{base}/{pid['id']}/deregister", auth=auth).status_code == 200
        assert client.delete(f"{base}/{pid['id']}", auth=auth).status_code == 204
        again = {k: v for k, v in pid["attributes"].items()
                 if k in ("peppolId", "description", "isDefault", "bcRegistrationDate")}
        resp = client.post(base, auth=auth, json={"data": {"attributes": again}})
        assert resp.status_code == 201, (again, resp.text)


def test_generated_legal_entities_can_be_switched_off(tmp_path):
    base = yaml.safe_load(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
    base["bizzlink"]["generatedLegalEntities"] = False
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, allow_unicode=True))
    out = tmp_path / "out.yaml"
    assert main(["generate", "--fixtures", str(tmp_path / "base.yaml"), "--seed", "3",
                 "--bizzlink-tenants", "20", "--quiet", "-o", str(out)]) == 0
    section = yaml.safe_load(out.read_text())["bizzlink"]
    seeded = {"3f6d2a1e-8b4c-4d7e-9a2f-5c1b0e7d4a11", "5a9e4c2b-1d7f-4b3a-8e6c-2f0d9b8a7c22",
              "7c2b8e4d-6a1f-4e9b-b3d5-8a0c1f2e3d33"}
    assert {le["id"] for le in section["legalEntities"]} == seeded
    assert len(section["tenants"]) == 20 + 2 + 3 + 3 + 4
