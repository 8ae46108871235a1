"""Bizzlink legal entities under a child tenant: create, read, update, rules, seats."""

from __future__ import annotations

import pytest

from tests.bizzlink.helpers import (
    ACME_LE,
    BOTH,
    FLOW,
    FLUSSWERK_ID,
    FLUSSWERK_LE,
    KUNDE_ID,
    LES,
    NOT_PARTNER,
    SEATS,
    doc,
    le_doc,
    pointers,
)

JSONAPI = "application/vnd.api+json"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def seats_of(client, tenant_id: str) -> int | None:
    tenants = client.get("/_sandbox/state").json()["bizzlink"]["tenants"]
    return next(t for t in tenants if t["id"] == tenant_id).get("seats")


def test_list_shows_the_seeded_legal_entities(bz):
    resp = bz("GET", LES)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith(JSONAPI)
    body = resp.json()
    assert [d["type"] for d in body["data"]] == ["legal-entities", "legal-entities"]
    acme = body["data"][0]
    assert acme["id"] == ACME_LE
    assert acme["attributes"]["customerName"] == "ACME Luxembourg S.A."
    assert acme["attributes"]["legalEntityCode"] == "ACME-LU"
    assert acme["attributes"]["vatNumber"] == "LU12345678"
    assert acme["attributes"]["tradeRegisterNumber"] == "B123456"
    assert set(acme["attributes"]) == {
        "active", "addressCity", "addressCountry", "addressPostalCode", "addressStreet",
        "contactEmail", "contactName", "contactPhone", "createdAt", "customerName",
        "legalEntityCode", "tradeRegisterNumber", "updatedAt", "vatNumber"}
    assert body["meta"] == {"page": 1, "size": 20, "totalElements": 2, "totalPages": 1}
    assert body["links"]["self"].endswith(f"{LES}?page%5Bnumber%5D=1&page%5Bsize%5D=20")
    assert body["links"]["prev"] is None and body["links"]["next"] is None


def test_create_get_patch_and_list(bz, client):
    created = bz("POST", LES, json_body=le_doc())
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["type"] == "legal-entities"
    assert created.headers["location"].endswith(f"{LES}/{data['id']}")
    attrs = data["attributes"]
    assert attrs["active"] is True
    assert attrs["legalEntityCode"] == "KUNDE-TRADING-S-A"
    assert attrs["createdAt"] == attrs["updatedAt"]
    assert attrs["contactPhone"] is None

    got = bz("GET", f"{LES}/{data['id']}")
    assert got.status_code == 200 and got.json()["data"] == data
    client.post("/_sandbox/clock", json={"advance": 5})
    patched = bz("PATCH", f"{LES}/{data['id']}", json_body={"data": {
        "type": "legal-entities", "id": data["id"],
        "attributes": {"contactName": "Lea Schmit", "vatNumber": None}}})
    assert patched.status_code == 200, patched.text
    new = patched.json()["data"]["attributes"]
    assert new["contactName"] == "Lea Schmit" and new["vatNumber"] is None
    assert new["customerName"] == "Kunde Trading S.A."
    assert new["updatedAt"] > new["createdAt"]
    listed = bz("GET", LES).json()
    assert listed["meta"]["totalElements"] == 3
    assert listed["data"][-1]["attributes"] == new


def test_paging_is_the_same_as_for_tenants(bz):
    for n in range(3):
        assert bz("POST", LES, json_body=le_doc(customerName=f"Paged {n}")).status_code == 201
    page = bz("GET", f"{LES}?page[number]=2&page[size]=2").json()
    assert page["meta"] == {"page": 2, "size": 2, "totalElements": 5, "totalPages": 3}
    assert [d["attributes"]["customerName"] for d in page["data"]] == ["Paged 0", "Paged 1"]
    assert page["links"]["prev"].endswith("page%5Bnumber%5D=1&page%5Bsize%5D=2")
    assert page["links"]["next"].endswith("page%5Bnumber%5D=3&page%5Bsize%5D=2")
    assert bz("GET", f"{LES}?page[size]=0").status_code == 400


def test_a_tenant_without_legal_entities_lists_none(bz):
    tid = bz("POST", "/bizzlink/tenants", json_body=doc()).json()["data"]["id"]
    body = bz("GET", f"/bizzlink/tenants/{tid}/legal-entities").json()
    assert body["data"] == [] and body["meta"]["totalElements"] == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("as_,path,status", [
    (NOT_PARTNER, LES, 403),                                                  # not a partner
    (FLOW, LES, 403),                                                         # another's child
    (SEATS, f"/bizzlink/tenants/{FLUSSWERK_ID}/legal-entities", 403),         # another's child
    (SEATS, "/bizzlink/tenants/bdd640fb-0667-4ad1-9c80-317fa3b1799d/legal-entities", 403),
    (SEATS, f"/bizzlink/tenants/{UNKNOWN}/legal-entities", 404),              # unknown tenant
])
def test_collection_authorization(bz, method, as_, path, status):
    body = le_doc(customerName="Should Not Exist") if method == "POST" else None
    resp = bz(method, path, as_=as_, json_body=body)
    assert resp.status_code == status, resp.text
    assert resp.json()["errors"][0]["status"] == str(status)
    assert "Should Not Exist" not in bz("GET", f"{LES}?page[size]=100").text
    assert "Should Not Exist" not in bz("GET", f"/bizzlink/tenants/{FLUSSWERK_ID}/legal-entities",
                                        as_=FLOW).text


@pytest.mark.parametrize("as_,path,status", [
    (FLOW, f"{LES}/{ACME_LE}", 403),
    (NOT_PARTNER, f"{LES}/{ACME_LE}", 403),
    (SEATS, f"{LES}/{UNKNOWN}", 404),
    (SEATS, f"{LES}/{FLUSSWERK_LE}", 404),                      # exists, but under another tenant
    (SEATS, f"/bizzlink/tenants/{UNKNOWN}/legal-entities/{ACME_LE}", 404),
])
def test_item_authorization(bz, as_, path, status):
    assert bz("GET", path, as_=as_).status_code == status
    patched = bz("PATCH", path, as_=as_, json_body={"data": {"attributes": {"contactName": "X"}}})
    assert patched.status_code == status
    assert bz("GET", f"/bizzlink/tenants/{FLUSSWERK_ID}/legal-entities/{FLUSSWERK_LE}",
              as_=FLOW).json()["data"]["attributes"]["contactName"] == "Erika Mustermann"


def test_malformed_ids_are_400(bz):
    resp = bz("GET", "/bizzlink/tenants/not-a-uuid/legal-entities")
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"parameter": "tenantId"}
    resp = bz("GET", f"{LES}/nope")
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"parameter": "leId"}


@pytest.mark.parametrize("over,pointer", [
    ({"customerName": ...}, "/data/attributes/customerName"),
    ({"customerName": ""}, "/data/attributes/customerName"),
    ({"vatNumber": "12345"}, "/data/attributes/vatNumber"),
    ({"addressCountry": "XX"}, "/data/attributes/addressCountry"),
    ({"addressCountry": "lu"}, "/data/attributes/addressCountry"),
    ({"contactEmail": "nope"}, "/data/attributes/contactEmail"),
    ({"legalEntityCode": "acme-lu"}, "/data/attributes/legalEntityCode"),   # taken, any case
    ({"legalEntityCode": "no spaces"}, "/data/attributes/legalEntityCode"),
    ({"active": "yes"}, "/data/attributes/active"),
    ({"createdAt": "2026-01-01T00:00:00Z"}, "/data/attributes/createdAt"),
    ({"seats": 3}, "/data/attributes/seats"),
])
def test_create_validation_is_422_and_changes_nothing(bz, client, over, pointer):
    before = bz("GET", LES).json()
    resp = bz("POST", LES, json_body=le_doc(**over))
    assert resp.status_code == 422, resp.text
    assert pointer in pointers(resp)
    assert bz("GET", LES).json() == before
    assert seats_of(client, KUNDE_ID) == 2


def test_legal_entity_code_is_unique_per_tenant_only(bz):
    other = bz("POST", "/bizzlink/tenants", json_body=doc()).json()["data"]["id"]
    resp = bz("POST", f"/bizzlink/tenants/{other}/legal-entities",
              json_body=le_doc(legalEntityCode="ACME-LU"))
    assert resp.status_code == 201, resp.text
    derived = [bz("POST", LES, json_body=le_doc(customerName="ACME LU")).json()["data"]
               ["attributes"]["legalEntityCode"] for _ in range(2)]
    assert derived == ["ACME-LU-2", "ACME-LU-3"]


@pytest.mark.parametrize("attrs,pointer", [
    ({"customerName": None}, "/data/attributes/customerName"),
    ({"legalEntityCode": None}, "/data/attributes/legalEntityCode"),
    ({"legalEntityCode": "KUNDE-SERVICES"}, "/data/attributes/legalEntityCode"),
    ({"updatedAt": "2020-01-01T00:00:00Z"}, "/data/attributes/updatedAt"),
])
def test_patch_validation(bz, attrs, pointer):
    before = bz("GET", f"{LES}/{ACME_LE}").json()
    resp = bz("PATCH", f"{LES}/{ACME_LE}", json_body={"data": {"attributes": attrs}})
    assert resp.status_code == 422, resp.text
    assert pointer in pointers(resp)
    assert bz("GET", f"{LES}/{ACME_LE}").json() == before


def test_seats_follow_active_legal_entities_of_a_seats_tenant(bz, client):
    assert seats_of(client, KUNDE_ID) == 2
    le = bz("POST", LES, json_body=le_doc()).json()["data"]["id"]
    assert seats_of(client, KUNDE_ID) == 3
    assert bz("PATCH", f"{LES}/{le}", json_body={"data": {"attributes": {"active": False}}}) \
        .status_code == 200
    assert seats_of(client, KUNDE_ID) == 2
    bz("PATCH", f"{LES}/{le}", json_body={"data": {"attributes": {"active": True}}})
    assert seats_of(client, KUNDE_ID) == 3
    # FLOW tenants pay per document: no seat count
    assert seats_of(client, FLUSSWERK_ID) is None
    # and no invented attribute on the public resource
    assert "seats" not in bz("GET", f"/bizzlink/tenants/{KUNDE_ID}").json()["data"]["attributes"]


def test_seats_survive_a_state_round_trip(bz, client):
    bz("POST", LES, json_body=le_doc())
    state = client.get("/_sandbox/state").json()
    assert client.put("/_sandbox/state", json=state).status_code == 200
    assert client.get("/_sandbox/state").json()["bizzlink"] == state["bizzlink"]
    assert seats_of(client, KUNDE_ID) == 3


def test_a_partner_with_both_models_creates_legal_entities_on_its_children(bz):
    tid = bz("POST", "/bizzlink/tenants", as_=BOTH,
             json_body=doc(billingModel="FLOW")).json()["data"]["id"]
    resp = bz("POST", f"/bizzlink/tenants/{tid}/legal-entities", as_=BOTH, json_body=le_doc())
    assert resp.status_code == 201
    assert bz("GET", f"/bizzlink/tenants/{tid}/legal-entities", as_=SEATS).status_code == 403


@pytest.mark.parametrize("method", ["DELETE", "PUT"])
def test_legal_entities_are_deactivated_not_deleted(bz, method):
    resp = bz(method, f"{LES}/{ACME_LE}")
    assert resp.status_code == 405
    assert resp.json()["errors"][0]["status"] == "405"
    assert bz("GET", f"{LES}/{ACME_LE}").status_code == 200
