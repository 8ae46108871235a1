"""Bizzlink legal entities and Peppol IDs: rules the other tests left open (from the
mutation run of mock_server/apis/bizzlink/entities.py, docs/development.md), and the
generated legal entities of `mock-server generate` in the shape docs/bizzlink.md gives."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

import pytest
import yaml

from mock_server.cli import main
from tests.bizzlink.helpers import ACME_LE, KUNDE_SERVICES_LE, LES, SERVICES_PID, pid_doc, pointers

SERVICES_PIDS = f"{LES}/{KUNDE_SERVICES_LE}/peppol-ids"
PARTNER = "11111111-1111-4111-8111-111111111111"

# country: (EAS scheme, VAT number, trade register number), the real formats
FORMATS = {
    "DE": ("9930", r"DE[0-9]{9}", r"HRB [0-9]{5}"),            # USt-IdNr.; Handelsregister B
    "FR": ("9957", r"FR[0-9]{11}", r"[0-9]{9}"),               # 2-digit key + SIREN; SIREN
    "NL": ("9944", r"NL[0-9]{9}B[0-9]{2}", r"[0-9]{8}"),       # btw-id; KvK number
    "GB": ("9932", r"GB[0-9]{9}", r"[0-9]{8}"),                # VAT; Companies House number
}
SUBSIDIARIES = ("Services", "Logistics", "Trading", "Holding", "Solutions")


@pytest.mark.parametrize("field", ["customerName", "legalEntityCode", "active"])
def test_patch_cannot_null_the_required_attributes(bz, field):
    before = bz("GET", f"{LES}/{ACME_LE}").json()
    resp = bz("PATCH", f"{LES}/{ACME_LE}", json_body={"data": {"attributes": {field: None}}})
    assert resp.status_code == 422, resp.text
    assert pointers(resp) == [f"/data/attributes/{field}"]
    assert bz("GET", f"{LES}/{ACME_LE}").json() == before


def test_a_peppol_id_with_a_trailing_newline_is_malformed(bz):
    """The spec's pattern lets ``$`` match before a final newline; the rule does not."""
    before = bz("GET", SERVICES_PIDS).json()
    resp = bz("POST", SERVICES_PIDS, json_body=pid_doc(peppolId="9938:lu11223344\n"))
    assert resp.status_code == 422, resp.text
    assert pointers(resp) == ["/data/attributes/peppolId"]
    assert "must be <schemeId>:<participantId>" in resp.json()["errors"][0]["detail"]
    assert bz("GET", SERVICES_PIDS).json() == before


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict:
    """200 generated tenants of one partner, alternately SEATS and FLOW."""
    tmp = tmp_path_factory.mktemp("gen")
    base = {"version": 1, "seed": 5, "bizzlink": {"accounts": [{
        "id": PARTNER, "name": "Gen Partner", "role": "partner", "token": "gen-token",
        "hmacSecret": "gen-token-secret", "subscriptions": ["SEATS", "FLOW"]}]}}
    (tmp / "base.yaml").write_text(yaml.safe_dump(base))
    out = tmp / "out.yaml"
    assert main(["generate", "--fixtures", str(tmp / "base.yaml"), "--seed", "5",
                 "--bizzlink-tenants", "200", "--quiet", "-o", str(out)]) == 0
    return yaml.safe_load(out.read_text())["bizzlink"]


def _by_tenant(section: dict) -> dict[str, list[dict]]:
    les: dict[str, list[dict]] = defaultdict(list)
    for le in section["legalEntities"]:
        les[le["tenant"]].append(le["attributes"])
    return les


def test_flow_tenants_get_one_legal_entity_seats_one_or_two(generated):
    les = _by_tenant(generated)
    counts: dict[str, list[int]] = {"SEATS": [], "FLOW": []}
    for t in generated["tenants"]:
        counts[t["attributes"]["billingModel"]].append(len(les[t["id"]]))
    assert len(counts["SEATS"]) == len(counts["FLOW"]) == 100
    assert set(counts["FLOW"]) == {1}
    assert set(counts["SEATS"]) == {1, 2}
    assert 20 <= counts["SEATS"].count(2) <= 50      # about one SEATS tenant in three


def test_generated_legal_entities_are_named_and_coded_after_their_tenant(generated):
    les = _by_tenant(generated)
    for t in generated["tenants"]:
        attrs = t["attributes"]
        first, *rest = sorted(les[t["id"]], key=lambda a: len(a["legalEntityCode"]))
        assert first["customerName"] == attrs["companyName"]
        assert first["legalEntityCode"] == attrs["tenantCode"]
        for second in rest:
            assert second["legalEntityCode"] == f"{attrs['tenantCode']}-2"
            name, _, word = second["customerName"].rpartition(" ")
            assert name == attrs["companyName"] and word in SUBSIDIARIES, second


def test_generated_vat_and_register_numbers_follow_the_tenant_country(generated):
    les = {le["id"]: (le["tenant"], le["attributes"]) for le in generated["legalEntities"]}
    country_of = {t["id"]: t["attributes"]["addressCountry"] for t in generated["tenants"]}
    peppol = {p["legalEntity"]: p["attributes"] for p in generated["peppolIds"]}
    seen = set()
    for le_id, (tenant, attrs) in les.items():
        country = country_of[tenant]
        assert attrs["addressCountry"] == country
        scheme, vat, register = FORMATS[country]
        assert re.fullmatch(vat, attrs["vatNumber"]), attrs
        assert re.fullmatch(register, attrs["tradeRegisterNumber"]), attrs
        pid = peppol[le_id]
        assert pid["peppolId"] == f"{scheme}:{attrs['vatNumber'].lower()}"
        assert pid["isDefault"] is True and pid["active"] is True
        seen.add(country)
    assert seen == set(FORMATS)


def test_a_taken_peppol_id_is_reported_with_the_other_errors(bz):
    """A taken value and a bad country in one request: both named, nothing stored."""
    before = bz("GET", SERVICES_PIDS).json()
    resp = bz("POST", SERVICES_PIDS, json_body=pid_doc(peppolId="9938:LU12345678",
                                                       bcCountryCode="XX"))
    assert resp.status_code == 422, resp.text
    assert sorted(pointers(resp)) == ["/data/attributes/bcCountryCode",
                                      "/data/attributes/peppolId"]
    assert bz("GET", SERVICES_PIDS).json() == before


@pytest.mark.parametrize("is_default", [True, False])
def test_only_a_new_default_takes_the_default_from_the_others(bz, is_default):
    resp = bz("POST", SERVICES_PIDS, json_body=pid_doc(isDefault=is_default))
    assert resp.status_code == 201, resp.text
    new = resp.json()["data"]["id"]
    defaults = {d["id"] for d in bz("GET", SERVICES_PIDS).json()["data"]
                if d["attributes"]["isDefault"]}
    assert defaults == ({new} if is_default else {SERVICES_PID})


def test_generated_ids_are_version_4_uuids(generated):
    for record in generated["legalEntities"] + generated["peppolIds"]:
        assert uuid.UUID(record["id"]).version == 4, record["id"]
