"""Bizzlink tenant rules the spec cannot express: all problems reported at once, nulls
refused on update, the billing model kept when unchanged, codes unique ignoring case."""

from __future__ import annotations

from mock_server.testing import BizzlinkAuth
from tests.bizzlink.helpers import KUNDE_ID, SEATS, doc, pointers

LEGACY_PARTNER = "11111111-1111-4111-8111-111111111111"
LEGACY_CHILD = "44444444-4444-4444-8444-444444444444"
LEGACY = {"version": 1, "seed": 5, "bizzlink": {
    "accounts": [{"id": LEGACY_PARTNER, "name": "Legacy Partner", "role": "partner",
                  "token": "legacy-token", "hmacSecret": "legacy-secret",
                  "subscriptions": ["SEATS", {"billingModel": "FLOW", "active": False}]}],
    "tenants": [{"id": LEGACY_CHILD, "partner": LEGACY_PARTNER, "attributes": {
        "companyName": "Alt AG", "billingModel": "FLOW", "tenantCode": "ALT-AG"}}]}}
LEGACY_AUTH = BizzlinkAuth("legacy-token", "legacy-secret")


def _kunde(bz) -> dict:
    resp = bz("GET", f"/bizzlink/tenants/{KUNDE_ID}")
    assert resp.status_code == 200
    return resp.json()


def test_create_reports_every_rule_broken_at_once_and_stores_nothing(bz):
    before = bz("GET", "/bizzlink/tenants?page[size]=100").json()
    resp = bz("POST", "/bizzlink/tenants", json_body=doc(
        billingModel="FLOW", addressCountry="XX", tenantCode="kunde-gmbh"))
    assert resp.status_code == 422, resp.text
    assert pointers(resp) == ["/data/attributes/billingModel",
                              "/data/attributes/addressCountry",
                              "/data/attributes/tenantCode"]
    details = [e["detail"] for e in resp.json()["errors"]]
    assert "FLOW subscription" in details[0]
    assert "'XX'" in details[1] and "'kunde-gmbh' is already taken" in details[2]
    assert bz("GET", "/bizzlink/tenants?page[size]=100").json() == before


def test_create_keeps_given_values_and_derives_only_what_is_missing(bz):
    resp = bz("POST", "/bizzlink/tenants", json_body=doc(active=False, tenantCode="own-code",
                                                          contactPhone=None))
    assert resp.status_code == 201, resp.text
    created = resp.json()["data"]["attributes"]
    assert created["active"] is False
    assert created["tenantCode"] == "own-code"
    assert created["contactPhone"] is None
    again = bz("POST", "/bizzlink/tenants", json_body=doc(active=...))
    assert again.status_code == 201, again.text
    assert again.json()["data"]["attributes"]["tenantCode"] == "NEUE-KUNDE-SA"
    assert again.json()["data"]["attributes"]["active"] is True


def test_a_code_taken_in_another_case_is_refused_on_create_and_update(bz):
    first = bz("POST", "/bizzlink/tenants", json_body=doc(tenantCode="MixedCase"))
    assert first.status_code == 201
    resp = bz("POST", "/bizzlink/tenants", json_body=doc(tenantCode="MIXEDCASE"))
    assert resp.status_code == 422 and pointers(resp) == ["/data/attributes/tenantCode"]
    before = _kunde(bz)
    resp = bz("PATCH", f"/bizzlink/tenants/{KUNDE_ID}",
              json_body={"data": {"attributes": {"tenantCode": "mixedcase"}}})
    assert resp.status_code == 422 and pointers(resp) == ["/data/attributes/tenantCode"]
    assert _kunde(bz) == before


def test_a_tenant_may_take_its_own_code_in_another_case(bz):
    resp = bz("PATCH", f"/bizzlink/tenants/{KUNDE_ID}",
              json_body={"data": {"attributes": {"tenantCode": "kunde-gmbh"}}})
    assert resp.status_code == 200, resp.text
    assert _kunde(bz)["data"]["attributes"]["tenantCode"] == "kunde-gmbh"


def test_update_refuses_null_for_each_required_attribute_at_once(bz):
    before = _kunde(bz)
    resp = bz("PATCH", f"/bizzlink/tenants/{KUNDE_ID}", json_body={"data": {"attributes": {
        "active": None, "billingModel": None, "companyName": None, "tenantCode": None,
        "contactName": "Not Written"}}})
    assert resp.status_code == 422, resp.text
    assert set(pointers(resp)) == {"/data/attributes/active",
                                   "/data/attributes/billingModel",
                                   "/data/attributes/companyName",
                                   "/data/attributes/tenantCode"}
    assert _kunde(bz) == before


def test_update_reports_every_rule_broken_at_once_and_changes_nothing(bz):
    before = _kunde(bz)
    resp = bz("PATCH", f"/bizzlink/tenants/{KUNDE_ID}", json_body={"data": {"attributes": {
        "billingModel": "FLOW", "addressCountry": "QQ", "tenantCode": "FLUSSWERK",
        "contactName": "Not Written"}}})
    assert resp.status_code == 422, resp.text
    assert pointers(resp) == ["/data/attributes/billingModel",
                              "/data/attributes/addressCountry",
                              "/data/attributes/tenantCode"]
    assert _kunde(bz) == before


def test_update_writes_every_writable_attribute(bz, client):
    new = {"active": False, "addressCity": "Diekirch", "addressCountry": "BE",
           "addressPostalCode": "B-1000", "addressStreet": "2 Rue Neuve",
           "companyName": "Kunde Neu GmbH", "contactEmail": "neu@kunde.example",
           "contactName": "Nina Neu", "contactPhone": "+32 2 123 45 67", "tenantCode": "KUNDE-NEU"}
    before = _kunde(bz)["data"]["attributes"]
    assert all(before[k] != v for k, v in new.items())
    client.post("/_sandbox/clock", json={"advance": 60})
    resp = bz("PATCH", f"/bizzlink/tenants/{KUNDE_ID}",
              json_body={"data": {"attributes": new}})
    assert resp.status_code == 200, resp.text
    after = _kunde(bz)["data"]["attributes"]
    assert {k: after[k] for k in new} == new
    assert after["billingModel"] == "SEATS" and after["createdAt"] == before["createdAt"]
    assert after["updatedAt"] > before["updatedAt"]


def test_an_unchanged_billing_model_needs_no_active_subscription(client):
    assert client.post("/_sandbox/fixtures", json=LEGACY).status_code == 200
    path = f"/bizzlink/tenants/{LEGACY_CHILD}"
    resp = client.patch(path, auth=LEGACY_AUTH, json={"data": {"attributes": {
        "billingModel": "FLOW", "contactName": "Still Flow"}}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["attributes"]["billingModel"] == "FLOW"
    assert resp.json()["data"]["attributes"]["contactName"] == "Still Flow"
    to_seats = client.patch(path, auth=LEGACY_AUTH, json={"data": {"attributes": {
        "billingModel": "SEATS"}}})
    assert to_seats.status_code == 200, to_seats.text
    back = client.patch(path, auth=LEGACY_AUTH, json={"data": {"attributes": {
        "billingModel": "FLOW", "contactName": "Not Written"}}})
    assert back.status_code == 422 and pointers(back) == ["/data/attributes/billingModel"]
    after = client.get(path, auth=LEGACY_AUTH).json()["data"]["attributes"]
    assert after["billingModel"] == "SEATS" and after["contactName"] == "Still Flow"


def test_a_partner_sees_only_its_children_in_order_and_pages(bz):
    ids = []
    for i in range(5):
        resp = bz("POST", "/bizzlink/tenants", json_body=doc(companyName=f"Seite {i}"))
        assert resp.status_code == 201
        ids.append(resp.json()["data"]["id"])
    everything = bz("GET", "/bizzlink/tenants?page[size]=100", as_=SEATS).json()
    listed = [t["id"] for t in everything["data"]]
    assert listed[0] == KUNDE_ID and listed[-5:] == ids
    total = everything["meta"]["totalElements"]
    assert total == len(listed) == 1 + 3 + 5             # Kunde, 3 generated, 5 new
    second = bz("GET", "/bizzlink/tenants?page[number]=2&page[size]=4", as_=SEATS).json()
    assert [t["id"] for t in second["data"]] == listed[4:8]
    last = bz("GET", "/bizzlink/tenants?page[number]=3&page[size]=4", as_=SEATS).json()
    assert [t["id"] for t in last["data"]] == listed[8:]
