"""Bizzlink fixture sections: every rule the schema cannot express refuses the document
with a 400 naming the entry (and loads nothing); the defaults a good section relies on."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.testing import BizzlinkAuth

P1 = "11111111-1111-4111-8111-111111111111"
P2 = "22222222-2222-4222-8222-222222222222"
CUSTOMER = "33333333-3333-4333-8333-333333333333"
C1 = "44444444-4444-4444-8444-444444444444"
C2 = "55555555-5555-4555-8555-555555555555"
LE1 = "66666666-6666-4666-8666-666666666666"
LE2 = "77777777-7777-4777-8777-777777777777"
PID1 = "88888888-8888-4888-8888-888888888888"
PID2 = "99999999-9999-4999-8999-999999999999"
UNKNOWN = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
CREATED = "2026-03-04T05:06:07Z"


def account(id_: str = P1, name: str = "Fixture Partner", token: str = "fx-token-1",
            role: str = "partner", **extra: Any) -> dict:
    return {"id": id_, "name": name, "role": role, "token": token,
            "hmacSecret": f"{token}-secret", **extra}


def child(id_: str = C1, partner: str = P1, **attributes: Any) -> dict:
    return {"id": id_, "partner": partner,
            "attributes": {"companyName": "Child GmbH", "billingModel": "SEATS", **attributes}}


def le(id_: str = LE1, tenant: str = C1, **attributes: Any) -> dict:
    return {"id": id_, "tenant": tenant, "attributes": {"customerName": "Child S.A.",
                                                        **attributes}}


def pid(id_: str = PID1, legal_entity: str = LE1, **attributes: Any) -> dict:
    return {"id": id_, "legalEntity": legal_entity,
            "attributes": {"peppolId": "9938:lu11111111", **attributes}}


def world(**section: Any) -> dict:
    section.setdefault("accounts", [account(subscriptions=["SEATS", "FLOW"])])
    return {"version": 1, "seed": 5, "bizzlink": {"createdAt": CREATED, **section}}


def auth(token: str = "fx-token-1") -> BizzlinkAuth:
    return BizzlinkAuth(token, f"{token}-secret")


def section(client) -> dict:
    return client.get("/_sandbox/state").json()["bizzlink"]


BAD = {
    "token used twice": (
        world(accounts=[account(), account(P2, token="fx-token-1")]),
        "bizzlink.accounts.1.token"),
    "account id used twice": (
        world(accounts=[account(), account(token="fx-token-2")]),
        "bizzlink.accounts.1.id"),
    "own tenant code used twice, in another case": (
        world(accounts=[account(tenant={"tenantCode": "SAME"}),
                        account(P2, token="fx-token-2", tenant={"tenantCode": "same"})]),
        "bizzlink.accounts.1.tenantCode"),
    "child id is an account id": (
        world(tenants=[child(P1)]), "bizzlink.tenants.0.id"),
    "child id used twice": (
        world(tenants=[child(), child(tenantCode="OTHER")]), "bizzlink.tenants.1.id"),
    "child tenant code used twice": (
        world(tenants=[child(tenantCode="TWIN"), child(C2, tenantCode="twin")]),
        "bizzlink.tenants.1.tenantCode"),
    "derived child code collides with an explicit later one": (
        world(tenants=[child(companyName="Twin AG"), child(C2, tenantCode="TWIN-AG")]),
        "bizzlink.tenants.1.tenantCode"),
    "child of an unknown account": (
        world(tenants=[child(partner=UNKNOWN)]), "bizzlink.tenants.0.partner"),
    "child of a non-partner": (
        world(accounts=[account(), account(CUSTOMER, token="fx-token-2", role="tenant")],
              tenants=[child(partner=CUSTOMER)]), "bizzlink.tenants.0.partner"),
    "child without a billing model": (
        world(tenants=[child(billingModel=None)]),
        "bizzlink.tenants.0.attributes.billingModel"),
    "generated children of a non-partner": (
        world(accounts=[account(), account(CUSTOMER, token="fx-token-2", role="tenant",
                                           generatedChildren=1)]),
        "bizzlink.accounts.1.generatedChildren"),
    "legal entity of an unknown tenant": (
        world(legalEntities=[le(tenant=UNKNOWN)]), "bizzlink.legalEntities.0.tenant"),
    "legal entity id used twice": (
        world(tenants=[child()], legalEntities=[le(), le(legalEntityCode="OTHER")]),
        "bizzlink.legalEntities.1.id"),
    "legal entity code used twice in a tenant": (
        world(tenants=[child()], legalEntities=[le(legalEntityCode="LE"),
                                                le(LE2, legalEntityCode="le")]),
        "bizzlink.legalEntities.1.attributes.legalEntityCode"),
    "peppol id of an unknown legal entity": (
        world(tenants=[child()], legalEntities=[le()], peppolIds=[pid(legal_entity=UNKNOWN)]),
        "bizzlink.peppolIds.0.legalEntity"),
    "peppol id with an unknown scheme": (
        world(tenants=[child()], legalEntities=[le()], peppolIds=[pid(peppolId="0001:x")]),
        "bizzlink.peppolIds.0.attributes.peppolId"),
    "inactive peppol id registered with the SMP": (
        world(tenants=[child()], legalEntities=[le()],
              peppolIds=[pid(active=False, smpRegistered=True)]),
        "bizzlink.peppolIds.0.attributes.smpRegistered"),
    "peppol id record id used twice": (
        world(tenants=[child()], legalEntities=[le()],
              peppolIds=[pid(), pid(peppolId="9938:lu22222222")]),
        "bizzlink.peppolIds.1.id"),
    "active peppol id value used twice": (
        world(tenants=[child()], legalEntities=[le()],
              peppolIds=[pid(), pid(PID2, peppolId="9938:LU11111111")]),
        "bizzlink.peppolIds.1.attributes.peppolId"),
}


@pytest.mark.parametrize("doc, field", BAD.values(), ids=BAD.keys())
def test_a_bad_section_is_400_naming_the_entry_and_loads_nothing(client, doc, field):
    before = client.get("/_sandbox/state").json()
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == 400, resp.text
    assert [e["field"] for e in resp.json()["errors"]] == [field]
    assert client.get("/_sandbox/state").json() == before


def test_a_child_missing_both_required_attributes_names_both(client):
    doc = world(tenants=[{"id": C1, "partner": P1, "attributes": {"active": True}}])
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == 400, resp.text
    assert [e["field"] for e in resp.json()["errors"]] == [
        "bizzlink.tenants.0.attributes.companyName",
        "bizzlink.tenants.0.attributes.billingModel"]


def test_the_same_values_in_distinct_places_load(client):
    """Different ids, tokens and codes, inactive Peppol IDs sharing a value, the same
    legal-entity code in two tenants and no generated children for a customer: fine."""
    doc = world(accounts=[account(subscriptions=["SEATS"]),
                          account(CUSTOMER, token="fx-token-2", role="tenant",
                                  generatedChildren=0)],
                tenants=[child(tenantCode="ONE"), child(C2, tenantCode="TWO")],
                legalEntities=[le(legalEntityCode="LE"), le(LE2, C2, legalEntityCode="LE")],
                peppolIds=[pid(active=False), pid(PID2, active=False)])
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == 200, resp.text
    listed = client.get("/bizzlink/tenants", auth=auth()).json()
    assert [t["attributes"]["tenantCode"] for t in listed["data"]] == ["ONE", "TWO"]


def test_defaults_of_accounts_and_their_own_tenants(client):
    doc = world(accounts=[
        account(subscriptions=[{"billingModel": "FLOW", "active": False}, "SEATS"]),
        account(P2, name="Plain Partner", token="fx-token-2"),
        account(CUSTOMER, name="Müller Kunde", token="fx-token-3", role="tenant",
                tenant={"companyName": "Müller Kunde S.A.", "billingModel": "SEATS",
                        "active": False, "createdAt": "2025-01-02T03:04:05Z"})])
    assert client.post("/_sandbox/fixtures", json=doc).status_code == 200
    own = {a["id"]: a["tenant"] for a in section(client)["accounts"]}
    assert own[P1]["companyName"] == "Fixture Partner"
    assert own[P1]["billingModel"] == "FLOW"           # the first subscription listed
    assert own[P1]["tenantCode"] == "FIXTURE-PARTNER"
    assert own[P1]["active"] is True
    assert own[P1]["createdAt"] == own[P1]["updatedAt"] == CREATED
    assert own[P2]["billingModel"] == "FLOW"           # no subscriptions at all
    assert own[CUSTOMER]["billingModel"] == "SEATS"
    assert own[CUSTOMER]["tenantCode"] == "MULLER-KUNDE-S-A"
    assert own[CUSTOMER]["active"] is False
    assert own[CUSTOMER]["createdAt"] == "2025-01-02T03:04:05Z"
    assert own[CUSTOMER]["updatedAt"] == CREATED
    creds = {c["tenantId"]: c for c in client.get("/_sandbox/credentials").json()["bizzlink"]}
    assert creds[P1]["role"] == "partner" and creds[P1]["subscriptions"] == ["SEATS"]
    assert creds[P2]["subscriptions"] == []
    assert creds[CUSTOMER]["role"] == "tenant" and "subscriptions" not in creds[CUSTOMER]
    assert creds[CUSTOMER]["headers"] == {"Authorization": "Bearer fx-token-3"}


def test_an_inactive_subscription_does_not_allow_the_billing_model(client):
    doc = world(accounts=[account(subscriptions=[{"billingModel": "FLOW", "active": False},
                                                 {"billingModel": "SEATS"}])])
    assert client.post("/_sandbox/fixtures", json=doc).status_code == 200
    body = {"data": {"type": "tenants", "attributes": {"companyName": "Neu AG"}}}
    body["data"]["attributes"]["billingModel"] = "FLOW"
    refused = client.post("/bizzlink/tenants", auth=auth(), json=body)
    assert refused.status_code == 422, refused.text
    assert client.get("/bizzlink/tenants", auth=auth()).json()["meta"]["totalElements"] == 0
    body["data"]["attributes"]["billingModel"] = "SEATS"
    assert client.post("/bizzlink/tenants", auth=auth(), json=body).status_code == 201


def test_derived_child_codes_take_suffixes_in_order(client):
    doc = world(tenants=[child(companyName="Twin AG"), child(C2, companyName="Twin AG")])
    assert client.post("/_sandbox/fixtures", json=doc).status_code == 200
    listed = client.get("/bizzlink/tenants", auth=auth()).json()["data"]
    assert [t["attributes"]["tenantCode"] for t in listed] == ["TWIN-AG", "TWIN-AG-2"]
    created = client.post("/bizzlink/tenants", auth=auth(), json={"data": {
        "type": "tenants", "attributes": {"companyName": "Twin AG", "billingModel": "SEATS"}}})
    assert created.json()["data"]["attributes"]["tenantCode"] == "TWIN-AG-3"


def test_generated_children_rotate_over_the_active_billing_models(client):
    doc = world(accounts=[
        account(subscriptions=["SEATS", {"billingModel": "FLOW", "active": True}],
                generatedChildren=4),
        account(P2, token="fx-token-2", subscriptions=[{"billingModel": "SEATS",
                                                        "active": False}],
                generatedChildren=2)])
    assert client.post("/_sandbox/fixtures", json=doc).status_code == 200
    first = client.get("/bizzlink/tenants", auth=auth()).json()
    assert first["meta"]["totalElements"] == 4
    assert [t["attributes"]["billingModel"] for t in first["data"]] == [
        "SEATS", "FLOW", "SEATS", "FLOW"]
    assert all(t["attributes"]["createdAt"] == CREATED for t in first["data"])
    second = client.get("/bizzlink/tenants", auth=auth("fx-token-2")).json()
    assert [t["attributes"]["billingModel"] for t in second["data"]] == ["FLOW", "FLOW"]
    les = section(client)["legalEntities"]
    assert {e["tenant"] for e in les} == {t["id"] for t in first["data"] + second["data"]}


def test_generated_children_without_legal_entities(client):
    doc = world(generatedLegalEntities=False,
                accounts=[account(subscriptions=["SEATS"], generatedChildren=3)])
    assert client.post("/_sandbox/fixtures", json=doc).status_code == 200
    assert client.get("/bizzlink/tenants", auth=auth()).json()["meta"]["totalElements"] == 3
    assert section(client)["legalEntities"] == [] and section(client)["peppolIds"] == []


def test_defaults_of_legal_entities_and_peppol_ids(client):
    doc = world(tenants=[child()],
                legalEntities=[le(), le(LE2, customerName="Zweite S.A.", active=False,
                                        createdAt="2025-05-05T05:05:05Z")],
                peppolIds=[pid(PID2, active=False, peppolId="0088:5790000435975"),
                           pid(), pid("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
                                      peppolId="9938:lu33333333",
                                      createdAt="2025-06-07T08:09:10Z")])
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == 200, resp.text
    state = section(client)
    les = {e["id"]: e["attributes"] for e in state["legalEntities"]}
    assert les[LE1]["active"] is True and les[LE1]["legalEntityCode"] == "CHILD-S-A"
    assert les[LE1]["createdAt"] == les[LE1]["updatedAt"] == CREATED
    assert les[LE2]["active"] is False and les[LE2]["legalEntityCode"] == "ZWEITE-S-A"
    assert les[LE2]["createdAt"] == "2025-05-05T05:05:05Z"
    pids = {p["id"]: p["attributes"] for p in state["peppolIds"]}
    assert [pids[i]["isDefault"] for i in (PID2, PID1)] == [False, True]
    assert pids["bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"]["isDefault"] is False
    assert pids[PID1]["schemeId"] == "9938" and pids[PID1]["participantId"] == "lu11111111"
    assert pids[PID1]["active"] is True and pids[PID1]["smpRegistered"] is False
    assert pids[PID1]["bcRegistrationDate"] == CREATED[:10]
    assert pids["bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"]["bcRegistrationDate"] == "2025-06-07"
    tenant = next(t for t in state["tenants"] if t["id"] == C1)
    assert tenant["seats"] == 1                          # active legal entities of a SEATS child


def test_a_state_export_loads_back_unchanged(client):
    doc = world(accounts=[account(subscriptions=["SEATS", "FLOW"], generatedChildren=2),
                          account(CUSTOMER, token="fx-token-2", role="tenant")],
                tenants=[child(tenantCode="KEEP", active=False)])
    assert client.post("/_sandbox/fixtures", json=doc).status_code == 200
    exported = client.get("/_sandbox/state").json()
    assert client.put("/_sandbox/state", json=exported).status_code == 200
    assert client.get("/_sandbox/state").json() == exported
    tenants = {t["id"]: t for t in exported["bizzlink"]["tenants"]}
    assert tenants[C1]["attributes"]["active"] is False and tenants[C1]["partner"] == P1
    assert set(tenants) == {t["id"] for t in client.get(
        "/bizzlink/tenants", auth=auth()).json()["data"]}
