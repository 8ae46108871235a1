"""Bizzlink tenants: create, read, update, validation, pagination, state."""

from __future__ import annotations

import pytest

from tests.bizzlink.helpers import BOTH, FLOW, KUNDE_ID, NEW, SEATS, attrs, doc, pointers

JSONAPI = "application/vnd.api+json"


def list_all(bz, as_=SEATS):
    return bz("GET", "/bizzlink/tenants?page[size]=100", as_=as_).json()["data"]


def test_create_get_list_patch_get(bz, client):
    created = bz("POST", "/bizzlink/tenants", json_body=doc(companyName="Müller & Söhne GmbH"))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(JSONAPI)
    data = created.json()["data"]
    assert data["type"] == "tenants"
    assert data["attributes"]["tenantCode"] == "MULLER-SOHNE-GMBH"
    assert data["attributes"]["active"] is True
    assert data["attributes"]["createdAt"] == data["attributes"]["updatedAt"]
    assert created.headers["location"].endswith(f"/bizzlink/tenants/{data['id']}")

    got = bz("GET", f"/bizzlink/tenants/{data['id']}")
    assert got.status_code == 200
    assert got.json()["data"] == data
    assert data["id"] in [t["id"] for t in list_all(bz)]

    client.post("/_sandbox/clock", json={"advance": 5})
    patched = bz("PATCH", f"/bizzlink/tenants/{data['id']}",
                 json_body={"data": {"type": "tenants", "id": data["id"],
                                     "attributes": {"contactName": "Jana Novak",
                                                    "contactPhone": None}}})
    assert patched.status_code == 200, patched.text
    new = patched.json()["data"]["attributes"]
    assert new["contactName"] == "Jana Novak"
    assert new["contactPhone"] is None
    assert new["companyName"] == "Müller & Söhne GmbH"
    assert new["createdAt"] == data["attributes"]["createdAt"]
    assert new["updatedAt"] > data["attributes"]["updatedAt"]
    assert bz("GET", f"/bizzlink/tenants/{data['id']}").json()["data"]["attributes"] == new


def test_created_tenant_belongs_to_the_caller_only(bz):
    tid = bz("POST", "/bizzlink/tenants", json_body=doc()).json()["data"]["id"]
    assert tid not in [t["id"] for t in list_all(bz, as_=BOTH)]
    assert bz("GET", f"/bizzlink/tenants/{tid}", as_=BOTH).status_code == 403


def test_tenant_code_derived_with_suffix_on_collision(bz):
    resp = bz("POST", "/bizzlink/tenants", json_body=doc(companyName="Kunde GmbH"))
    assert resp.json()["data"]["attributes"]["tenantCode"] == "KUNDE-GMBH-2"
    resp = bz("POST", "/bizzlink/tenants", json_body=doc(companyName="Kunde  GmbH!"))
    assert resp.json()["data"]["attributes"]["tenantCode"] == "KUNDE-GMBH-3"


def test_the_seeds_own_empty_document_is_422_naming_members(bz):
    resp = bz("POST", "/bizzlink/tenants", json_body={"data": {}})
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith(JSONAPI)
    found = pointers(resp)
    assert "/data/attributes" in found
    assert "/data/attributes/billingModel" in found
    assert "/data/attributes/companyName" in found
    assert all(e["status"] == "422" for e in resp.json()["errors"])


@pytest.mark.parametrize("over,pointer", [
    ({"billingModel": ...}, "/data/attributes/billingModel"),
    ({"billingModel": "PER_USER"}, "/data/attributes/billingModel"),
    ({"companyName": ...}, "/data/attributes/companyName"),
    ({"companyName": ""}, "/data/attributes/companyName"),
    ({"contactEmail": "not-an-email"}, "/data/attributes/contactEmail"),
    ({"addressCountry": "Luxembourg"}, "/data/attributes/addressCountry"),
    ({"addressCountry": "lu"}, "/data/attributes/addressCountry"),
    ({"addressCountry": "XX"}, "/data/attributes/addressCountry"),
    ({"active": "yes"}, "/data/attributes/active"),
    ({"createdAt": "2020-01-01T00:00:00Z"}, "/data/attributes/createdAt"),
    ({"color": "blue"}, "/data/attributes/color"),
    ({"tenantCode": "has space"}, "/data/attributes/tenantCode"),
])
def test_create_validation_errors_point_at_the_field(bz, over, pointer):
    before = len(list_all(bz))
    resp = bz("POST", "/bizzlink/tenants", json_body=doc(**over))
    assert resp.status_code == 422, resp.text
    assert pointer in pointers(resp)
    assert len(list_all(bz)) == before


def test_wrong_resource_type_is_409_as_jsonapi_says(bz):
    body = doc()
    body["data"]["type"] = "invoices"
    resp = bz("POST", "/bizzlink/tenants", json_body=body)
    assert resp.status_code == 409
    assert pointers(resp) == ["/data/type"]
    assert "Neue Kunde SA" not in bz("GET", "/bizzlink/tenants?page[size]=100").text


@pytest.mark.parametrize("as_,model,ok", [
    (SEATS, "SEATS", True), (SEATS, "FLOW", False), (FLOW, "FLOW", True), (FLOW, "SEATS", False),
    (BOTH, "SEATS", True), (BOTH, "FLOW", True), (NEW, "FLOW", False)])
def test_billing_model_needs_an_active_subscription(bz, as_, model, ok):
    resp = bz("POST", "/bizzlink/tenants", as_=as_, json_body=doc(billingModel=model))
    if ok:
        assert resp.status_code == 201, resp.text
        assert resp.json()["data"]["attributes"]["billingModel"] == model
    else:
        assert resp.status_code == 422
        assert pointers(resp) == ["/data/attributes/billingModel"]
        assert "subscription" in resp.json()["errors"][0]["detail"]


def test_duplicate_tenant_code_is_422_case_insensitively(bz):
    resp = bz("POST", "/bizzlink/tenants", json_body=doc(tenantCode="kunde-gmbh"))
    assert resp.status_code == 422
    assert pointers(resp) == ["/data/attributes/tenantCode"]
    other = bz("POST", "/bizzlink/tenants", as_=BOTH, json_body=doc(tenantCode="KUNDE-GMBH"))
    assert other.status_code == 422


def test_patch_duplicate_code_and_subscription_rules(bz):
    created = bz("POST", "/bizzlink/tenants", json_body=doc(tenantCode="FRESH-ONE"))
    tid = created.json()["data"]["id"]
    same = bz("PATCH", f"/bizzlink/tenants/{tid}",
              json_body={"data": {"attributes": {"tenantCode": "FRESH-ONE"}}})
    assert same.status_code == 200
    dup = bz("PATCH", f"/bizzlink/tenants/{tid}",
             json_body={"data": {"attributes": {"tenantCode": "KUNDE-GMBH"}}})
    assert dup.status_code == 422 and pointers(dup) == ["/data/attributes/tenantCode"]
    flow = bz("PATCH", f"/bizzlink/tenants/{tid}",
              json_body={"data": {"attributes": {"billingModel": "FLOW"}}})
    assert flow.status_code == 422 and pointers(flow) == ["/data/attributes/billingModel"]
    after = bz("GET", f"/bizzlink/tenants/{tid}").json()["data"]["attributes"]
    assert after["tenantCode"] == "FRESH-ONE" and after["billingModel"] == "SEATS"


@pytest.mark.parametrize("body,pointer", [
    ({"data": {"attributes": {"companyName": None}}}, "/data/attributes/companyName"),
    ({"data": {"attributes": {"updatedAt": "2020-01-01T00:00:00Z"}}},
     "/data/attributes/updatedAt"),
    ({"data": {}}, "/data/attributes"),
    ({}, "/data"),
])
def test_patch_validation(bz, body, pointer):
    before = bz("GET", f"/bizzlink/tenants/{KUNDE_ID}").json()
    resp = bz("PATCH", f"/bizzlink/tenants/{KUNDE_ID}", json_body=body)
    assert resp.status_code == 422, resp.text
    assert pointer in pointers(resp)
    assert bz("GET", f"/bizzlink/tenants/{KUNDE_ID}").json() == before


@pytest.mark.parametrize("content,ctype,status", [
    (b"{not json", "application/json", 400),
    (b"", "application/json", 400),
    (b"[1, 2]", "application/json", 422),
    (b"\xff\xfe", "application/json", 400),
    (b"data=1", "text/plain", 415),
    (b'{"data": {}}', None, 415),
])
def test_body_that_is_not_a_json_document(bz, content, ctype, status):
    headers = {"Content-Type": ctype} if ctype else {}
    resp = bz("POST", "/bizzlink/tenants", content=content, headers=headers)
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(JSONAPI)
    assert resp.json()["errors"][0]["status"] == str(status)


def test_unknown_route_and_method_are_jsonapi_errors(bz, client):
    resp = client.get("/bizzlink/invoices")
    assert resp.status_code == 404
    assert resp.json()["errors"][0]["status"] == "404"
    resp = bz("DELETE", f"/bizzlink/tenants/{KUNDE_ID}")
    assert resp.status_code == 405
    assert resp.headers["content-type"].startswith(JSONAPI)


def test_unknown_query_parameter_is_400(bz):
    resp = bz("GET", "/bizzlink/tenants?filter[name]=x")
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"parameter": "filter[name]"}


@pytest.mark.parametrize("query,param", [("page[size]=0", "page[size]"),
                                          ("page[size]=101", "page[size]"),
                                          ("page[number]=0", "page[number]"),
                                          ("page[number]=abc", "page[number]")])
def test_bad_paging_parameters(bz, query, param):
    resp = bz("GET", f"/bizzlink/tenants?{query}")
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"parameter": param}


def _page(bz, number, size, as_):
    resp = bz("GET", f"/bizzlink/tenants?page[number]={number}&page[size]={size}", as_=as_)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_pagination_with_no_tenants(bz):
    body = _page(bz, 1, 20, NEW)
    assert body["data"] == []
    assert body["meta"] == {"page": 1, "size": 20, "totalElements": 0, "totalPages": 0}
    assert body["links"]["prev"] is None and body["links"]["next"] is None
    assert body["links"]["first"] == body["links"]["last"] == body["links"]["self"]


def test_pagination_with_one_tenant(bz):
    assert bz("POST", "/bizzlink/tenants", as_=NEW, json_body=doc()).status_code == 201
    body = _page(bz, 1, 20, NEW)
    assert len(body["data"]) == 1
    assert body["meta"] == {"page": 1, "size": 20, "totalElements": 1, "totalPages": 1}
    assert body["links"]["prev"] is None and body["links"]["next"] is None


def test_pagination_with_many_tenants(bz):
    for i in range(23):
        resp = bz("POST", "/bizzlink/tenants", as_=NEW, json_body=doc(companyName=f"Firma {i}"))
        assert resp.status_code == 201
    first, middle, last = (_page(bz, n, 10, NEW) for n in (1, 2, 3))
    assert [b["meta"]["totalPages"] for b in (first, middle, last)] == [3, 3, 3]
    assert [len(b["data"]) for b in (first, middle, last)] == [10, 10, 3]
    assert first["links"]["prev"] is None
    assert first["links"]["next"].endswith("/bizzlink/tenants?page%5Bnumber%5D=2&page%5Bsize%5D=10")
    assert middle["links"]["prev"] == first["links"]["self"]
    assert middle["links"]["next"] == last["links"]["self"]
    assert last["links"]["next"] is None
    assert last["links"]["last"] == last["links"]["self"]
    assert first["links"]["first"].endswith("page%5Bnumber%5D=1&page%5Bsize%5D=10")
    names = [t["attributes"]["companyName"] for b in (first, middle, last) for t in b["data"]]
    assert names == [f"Firma {i}" for i in range(23)]
    past = _page(bz, 9, 10, NEW)
    assert past["data"] == [] and past["meta"]["totalElements"] == 23
    assert past["links"]["next"] is None and past["links"]["prev"].endswith(
        "page%5Bnumber%5D=3&page%5Bsize%5D=10")


def test_default_page_size_is_20(bz):
    body = bz("GET", "/bizzlink/tenants", as_=BOTH).json()
    assert body["meta"]["size"] == 20 and body["meta"]["page"] == 1
    assert body["meta"]["totalElements"] == len(body["data"]) == 4


def test_sandboxes_do_not_see_each_other(bz):
    tid = bz("POST", "/bizzlink/tenants", json_body=doc()).json()["data"]["id"]
    other = bz("GET", f"/bizzlink/tenants/{tid}", headers={"X-Sandbox-Id": "someone-else"})
    assert other.status_code == 404


def test_reset_restores_fixtures(bz, client):
    tid = bz("POST", "/bizzlink/tenants", json_body=doc()).json()["data"]["id"]
    bz("PATCH", f"/bizzlink/tenants/{KUNDE_ID}",
       json_body={"data": {"attributes": {"companyName": "Renamed"}}})
    assert client.post("/_sandbox/reset").status_code == 204
    assert bz("GET", f"/bizzlink/tenants/{tid}").status_code == 404
    kunde = bz("GET", f"/bizzlink/tenants/{KUNDE_ID}").json()["data"]["attributes"]
    assert kunde["companyName"] == "Kunde GmbH"


def test_seeded_world_is_the_same_in_every_sandbox(bz):
    first = list_all(bz, as_=BOTH)
    second = bz("GET", "/bizzlink/tenants?page[size]=100", as_=BOTH,
                headers={"X-Sandbox-Id": "another-world"}).json()["data"]
    assert first == second
    assert all(t["attributes"]["tenantCode"] for t in first)


def test_attrs_helper_round_trip(bz):
    body = doc()
    resp = bz("POST", "/bizzlink/tenants", json_body=body)
    got = resp.json()["data"]["attributes"]
    for key, value in attrs().items():
        assert got[key] == value
