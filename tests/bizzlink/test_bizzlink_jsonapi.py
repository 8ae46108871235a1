"""JSON:API 1.1 to the letter: media types (415/406), request document members, type and
id rules (409/403), and trailing slashes (a 404, never a redirect), all signed."""

from __future__ import annotations

import json

import pytest

from mock_server.apis.bizzlink.signing import sign
from tests.bizzlink.helpers import ACME_LE, ACME_PIDS, KUNDE_ID, LES, doc, le_doc, pid_doc, pointers

JSONAPI = "application/vnd.api+json"
COLLECTIONS = [("/bizzlink/tenants", doc), (LES, le_doc), (ACME_PIDS, pid_doc)]


@pytest.mark.parametrize("content_type", [
    "application/vnd.api+json; charset=utf-8",
    "application/vnd.api+json;version=1.1",
    'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"',
    'application/vnd.api+json; profile="https://example.com/p"; charset=utf-8',
])
@pytest.mark.parametrize("path,make", COLLECTIONS)
def test_content_type_with_foreign_parameters_is_415(bz, content_type, path, make):
    before = bz("GET", f"{path}?page[size]=100").json()
    body = json.dumps(make()).encode()
    resp = bz("POST", path, content=body, headers={"Content-Type": content_type})
    assert resp.status_code == 415, resp.text
    assert resp.headers["content-type"].startswith(JSONAPI)
    err = resp.json()["errors"][0]
    assert err["status"] == "415" and err["source"] == {"header": "Content-Type"}
    assert bz("GET", f"{path}?page[size]=100").json() == before


@pytest.mark.parametrize("content_type", [
    JSONAPI, 'application/vnd.api+json; profile="https://example.com/p"',
    "Application/Vnd.Api+JSON", "application/json", "application/json; charset=utf-8",
])
def test_accepted_content_types(bz, content_type):
    body = json.dumps(le_doc(customerName=f"Typed {content_type}")).encode()
    resp = bz("POST", LES, content=body, headers={"Content-Type": content_type})
    assert resp.status_code == 201, resp.text
    assert resp.headers["content-type"].startswith(JSONAPI)


def test_patch_content_type_is_checked_too(bz):
    body = json.dumps({"data": {"attributes": {"contactName": "X"}}}).encode()
    resp = bz("PATCH", f"{LES}/{ACME_LE}", content=body,
              headers={"Content-Type": "application/vnd.api+json; charset=utf-8"})
    assert resp.status_code == 415
    assert bz("GET", f"{LES}/{ACME_LE}").json()["data"]["attributes"]["contactName"] == \
        "Max Müller"


def test_other_content_types_stay_415(bz):
    resp = bz("POST", LES, content=b"customerName=x",
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 415
    assert resp.json()["errors"][0]["status"] == "415"


@pytest.mark.parametrize("accept", [
    "application/vnd.api+json; charset=utf-8",
    "application/vnd.api+json; charset=utf-8, */*",
    'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"',
    "application/vnd.api+json; version=1, application/vnd.api+json; charset=utf-8",
])
@pytest.mark.parametrize("path", ["/bizzlink/tenants", LES, ACME_PIDS, f"{LES}/{ACME_LE}"])
def test_accept_whose_jsonapi_instances_all_carry_parameters_is_406(bz, accept, path):
    resp = bz("GET", path, headers={"Accept": accept})
    assert resp.status_code == 406, resp.text
    assert resp.headers["content-type"].startswith(JSONAPI)
    err = resp.json()["errors"][0]
    assert err["status"] == "406" and err["source"] == {"header": "Accept"}


@pytest.mark.parametrize("accept", [
    JSONAPI, "*/*", "application/json", "application/vnd.api+json;q=0.8",
    "application/vnd.api+json; charset=utf-8, application/vnd.api+json",
    'application/vnd.api+json; profile="https://example.com/a https://example.com/b"',
    "APPLICATION/VND.API+JSON",
])
def test_servable_accept_headers(bz, accept):
    resp = bz("GET", LES, headers={"Accept": accept})
    assert resp.status_code == 200, resp.text


def test_406_on_a_write_changes_nothing(bz):
    before = bz("GET", LES).json()
    resp = bz("POST", LES, json_body=le_doc(customerName="Never"),
              headers={"Accept": "application/vnd.api+json; charset=utf-8"})
    assert resp.status_code == 406
    assert bz("GET", LES).json() == before


@pytest.mark.parametrize("path,make", COLLECTIONS)
def test_top_level_meta_jsonapi_and_links_are_accepted(bz, path, make):
    body = make()
    body.update(meta={"requestedBy": "test"}, jsonapi={"version": "1.1"},
                links={"self": "https://example.com/x"})
    body["data"]["lid"] = "local-1"
    resp = bz("POST", path, json_body=body)
    assert resp.status_code == 201, resp.text


def test_top_level_members_on_patch(bz):
    resp = bz("PATCH", f"{LES}/{ACME_LE}", json_body={
        "data": {"type": "legal-entities", "id": ACME_LE, "attributes": {"contactName": "Y"}},
        "meta": {}, "jsonapi": {"version": "1.1"}, "links": {}})
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("path,make,wrong", [
    ("/bizzlink/tenants", doc, "legal-entities"), (LES, le_doc, "tenants"),
    (ACME_PIDS, pid_doc, "invoices")])
def test_foreign_type_on_create_is_409(bz, path, make, wrong):
    body = make()
    body["data"]["type"] = wrong
    before = bz("GET", f"{path}?page[size]=100").json()
    resp = bz("POST", path, json_body=body)
    assert resp.status_code == 409, resp.text
    assert pointers(resp) == ["/data/type"]
    assert bz("GET", f"{path}?page[size]=100").json() == before


@pytest.mark.parametrize("path,make", COLLECTIONS)
def test_client_generated_id_is_403(bz, path, make):
    body = make()
    body["data"]["id"] = "11111111-1111-4111-8111-111111111111"
    before = bz("GET", f"{path}?page[size]=100").json()
    resp = bz("POST", path, json_body=body)
    assert resp.status_code == 403, resp.text
    assert pointers(resp) == ["/data/id"]
    assert bz("GET", f"{path}?page[size]=100").json() == before


@pytest.mark.parametrize("path,kind,member,value", [
    (f"/bizzlink/tenants/{KUNDE_ID}", "tenants", "type", "legal-entities"),
    (f"/bizzlink/tenants/{KUNDE_ID}", "tenants", "id", ACME_LE),
    (f"{LES}/{ACME_LE}", "legal-entities", "type", "tenants"),
    (f"{LES}/{ACME_LE}", "legal-entities", "id", KUNDE_ID),
])
def test_patch_whose_type_or_id_does_not_match_the_url_is_409(bz, path, kind, member, value):
    before = bz("GET", path).json()
    data = {"type": kind, "attributes": {"contactName": "Changed"}, member: value}
    resp = bz("PATCH", path, json_body={"data": data})
    assert resp.status_code == 409, resp.text
    assert pointers(resp) == [f"/data/{member}"]
    assert bz("GET", path).json() == before


def test_patch_with_matching_id_in_other_case_is_fine(bz):
    resp = bz("PATCH", f"{LES}/{ACME_LE}", json_body={"data": {
        "type": "legal-entities", "id": ACME_LE.upper(), "attributes": {"contactName": "Z"}}})
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("path", [
    "/bizzlink/tenants/", f"/bizzlink/tenants/{KUNDE_ID}/", f"{LES}/", f"{LES}/{ACME_LE}/",
    f"{ACME_PIDS}/", "/bizzlink/tenants//",
])
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_trailing_slash_is_a_404_never_a_redirect(bz, client, path, method):
    signed = bz(method, path, follow_redirects=False)
    assert signed.status_code == 404, signed.text
    assert signed.headers["content-type"].startswith(JSONAPI)
    assert "trailing slash" in signed.json()["errors"][0]["detail"]
    unsigned = client.request(method, path, follow_redirects=False)
    assert unsigned.status_code == 404
    assert "location" not in unsigned.headers


def test_trailing_slash_404_with_a_body_changes_nothing(bz):
    before = bz("GET", LES).json()
    assert bz("POST", f"{LES}/", json_body=le_doc()).status_code == 404
    assert bz("GET", LES).json() == before


def test_the_signed_slashed_path_itself_is_what_is_answered(client, credentials):
    """Signed over exactly the slashed path: still the 404 (no redirect to re-sign)."""
    p = credentials("bizzlink", "partner", name="Alpine Seats Partner")
    path = "/bizzlink/tenants/"
    headers = {"Authorization": p["headers"]["Authorization"],
               "X-Bizzlink-Signature": sign(p["hmacSecret"], "GET", path)}
    resp = client.get(path, headers=headers, follow_redirects=False)
    assert resp.status_code == 404


def test_swagger_ui_keeps_its_slash(client):
    assert client.get("/bizzlink/ui/").status_code == 200
