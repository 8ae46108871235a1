"""Roomle rules a regression could slip past (issue 19): the defaults of a new tenant and
of a new catalog connection, what an update keeps, meta.lastUpdated, the fixture checks,
the id sequence, the credentials entries, session tokens, masking and generated tenants."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import yaml

from mock_server.apis.roomle import API as ROOMLE
from mock_server.cli import main
from mock_server.config import Config
from mock_server.store import Sandbox
from tests.roomle.helpers import (
    BASE,
    DEMO,
    DORMANT,
    MANAGER,
    PRIVATE,
    SUPER,
    USER,
    error_fields,
    headers,
    manager,
    sandbox_now,
    token_headers,
)

SEEDED_AT = "2026-01-01T00:00:00.000Z"  # fixtures/default.yaml: roomle.createdAt
ADMIN = {"id": 1, "name": "Admin", "role": "super_admin", "tenant": 1,
         "email": "admin@small.example", "password": "admin-pw", "sessionToken": "rml_s_admin"}
HOME = {"id": 1, "name": "home", "apiKey": "rml_home_key", "secret": "H0me-Secr3t-16by"}


def world(**section):
    """A small fixture document: tenant 1 with a super admin, plus ``section``'s keys."""
    return {"version": 1, "roomle": {"tenants": [HOME], "users": [ADMIN], **section}}


def load(client, doc, status=200):
    resp = client.post("/_sandbox/fixtures", json=doc)
    assert resp.status_code == status, resp.text
    return resp


def refused(client, doc, field, words):
    """A fixture document refused for ``field`` (its message says ``words``); the world
    before it stays."""
    resp = load(client, doc, 400)
    assert [e["field"] for e in resp.json()["errors"]] == [field], resp.text
    assert words in resp.json()["detail"], resp.text
    assert client.get("/_sandbox/state").json()["roomle"]["tenants"][1]["name"] == "demo_shop"


def admin(client):
    """Headers of the super admin of :func:`world` (after it was loaded)."""
    creds = client.get("/_sandbox/credentials").json()["roomle"]
    return next(c for c in creds if c["role"] == SUPER)["headers"]


def freeze(client, now):
    assert client.post("/_sandbox/clock", json={"now": now}).status_code == 200


def tenant(client, tenant_id, h):
    resp = client.get(f"{BASE}/{tenant_id}", headers=h)
    assert resp.status_code == 200, resp.text
    return resp.json()


# --- defaults of a new tenant ------------------------------------------------------------

def test_a_new_tenant_gets_every_documented_default(client, credentials):
    freeze(client, "2030-05-05T10:00:00.000Z")
    resp = client.post(BASE, json={"name": "plain_tenant"}, headers=headers(credentials, SUPER))
    assert resp.status_code == 201, resp.text
    made = resp.json()["tenant"]
    assert {k: made[k] for k in (
        "label", "active", "showLanguageSwitch", "defaultLanguage", "authenticationRequired",
        "visibility", "privacyUrl", "webhook", "configurators", "allowRegistration", "branded",
        "skin", "configuration", "modules", "catalogConnections", "catalogs", "users")} == {
        "label": "plain_tenant", "active": True, "showLanguageSwitch": False,
        "defaultLanguage": "en", "authenticationRequired": False, "visibility": 10,
        "privacyUrl": None, "webhook": None, "configurators": [], "allowRegistration": False,
        "branded": False, "skin": None, "configuration": {}, "modules": ["basic_usage"],
        "catalogConnections": [], "catalogs": [], "users": []}
    [package] = made["packages"]
    assert re.fullmatch(r"pkg-[0-9a-f]{12}", package.pop("id"))
    assert package == {"package": "tenant_free", "fromPromocode": False,
                       "validFrom": "2030-05-05T10:00:00.000Z",
                       "validTill": "2100-01-01T00:00:00.000Z"}
    assert resp.json()["meta"]["lastUpdated"] == "2030-05-05T10:00:00.000Z"


def test_packages_keep_a_given_id_and_default_from_promocode_to_false(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.post(BASE, headers=sup, json={"name": "two_packages", "packages": [
        {"package": "tenant_basic"},
        {"package": "tenant_premium", "id": "pkg-mine", "fromPromocode": True,
         "validFrom": "2030-01-01T00:00:00.000Z", "validTill": "2030-01-01T00:00:00.000Z"}]})
    assert resp.status_code == 201, resp.text
    first, second = resp.json()["tenant"]["packages"]
    assert first["package"] == "tenant_basic" and first["fromPromocode"] is False
    assert re.fullmatch(r"pkg-[0-9a-f]{12}", first["id"])
    assert (second["id"], second["fromPromocode"]) == ("pkg-mine", True)


def test_generated_package_ids_have_twelve_hex_digits(client, credentials):
    resp = client.post(BASE, headers=headers(credentials, SUPER), json={
        "name": "many_packages", "packages": [{"package": "tenant_basic"}] * 12})
    assert resp.status_code == 201, resp.text
    ids = [p["id"] for p in resp.json()["tenant"]["packages"]]
    assert all(re.fullmatch(r"pkg-[0-9a-f]{12}", i) for i in ids) and len(set(ids)) == 12, ids


@pytest.mark.parametrize("visibility", [0, 10])
def test_visibility_bounds_are_inclusive(client, credentials, visibility):
    sup = headers(credentials, SUPER)
    resp = client.post(BASE, json={"name": "edge", "visibility": visibility}, headers=sup)
    assert resp.status_code == 201 and resp.json()["tenant"]["visibility"] == visibility
    resp = client.put(f"{BASE}/{DEMO}", json={"visibility": visibility}, headers=sup)
    assert resp.status_code == 200 and resp.json()["tenant"]["visibility"] == visibility


def test_a_tenant_created_with_connections_owns_and_connects_them(client):
    freeze(client, "2030-07-07T07:07:07.000Z")
    sup = admin(client)
    resp = client.post(BASE, headers=sup, json={"name": "with_catalogs", "catalogConnections": [
        {"id": "fresh_catalog", "owner": True, "public": True}, {"id": "demo_catalog"}]})
    assert resp.status_code == 201, resp.text
    made = resp.json()["tenant"]
    assert (made["catalogs"], made["visibleCatalogs"]) == \
        (["fresh_catalog"], ["fresh_catalog", "demo_catalog"])
    assert client.get(BASE, headers=sup).json()["meta"]["lastUpdated"] == \
        "2030-07-07T07:07:07.000Z"
    resp = client.put(f"{BASE}/{DORMANT}", headers=sup, json={"catalogConnections": [
        {"id": "fresh_catalog", "owner": True}]})
    assert resp.status_code == 422 and error_fields(resp) == ["catalogConnections.0.owner"]
    resp = client.put(f"{BASE}/{PRIVATE}", headers=admin(client), json={"catalogConnections": [
        {"id": "fresh_catalog"}]})
    assert resp.status_code == 200, resp.text
    conns = {c["id"]: c for c in resp.json()["tenant"]["catalogConnections"]}
    assert conns["fresh_catalog"]["public"] is True and conns["fresh_catalog"]["owner"] is False


def test_updating_a_connected_tenant_leaves_the_catalog_its_owners(client, credentials):
    sup = headers(credentials, SUPER)
    for label in ("First", "Second"):
        resp = client.put(f"{BASE}/{PRIVATE}", headers=manager(credentials, PRIVATE), json={
            "label": label, "catalogConnections": [{"id": "demo_catalog", "visibilityLevel": 2}]})
        assert resp.status_code == 200, resp.text
    resp = client.put(f"{BASE}/{DORMANT}", headers=sup, json={"catalogConnections": [
        {"id": "demo_catalog", "owner": True}]})
    assert resp.status_code == 422 and error_fields(resp) == ["catalogConnections.0.owner"]
    resp = client.put(f"{BASE}/{DORMANT}", headers=sup, json={"catalogConnections": [
        {"id": "demo_catalog"}]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["tenant"]["catalogConnections"][0]["public"] is True


def test_date_times_with_a_lower_case_t_and_z_are_accepted_as_the_spec_allows(client,
                                                                             credentials):
    """RFC 3339 (the spec's date-time) allows 't' and 'z'; validFrom is still checked
    against validTill."""
    sup = headers(credentials, SUPER)
    good = {"package": "tenant_basic", "validFrom": "2030-01-01t00:00:00z",
            "validTill": "2031-01-01t00:00:00z"}
    resp = client.post(BASE, json={"name": "lower_case", "packages": [good]}, headers=sup)
    assert resp.status_code == 201, resp.text
    late = {**good, "validFrom": "2032-01-01t00:00:00z"}
    resp = client.put(f"{BASE}/{DEMO}", json={"packages": [late]}, headers=sup)
    assert resp.status_code == 422 and error_fields(resp) == ["packages.0.validFrom"]


# --- update: only what is sent, and who may ---------------------------------------------

def test_a_plain_user_is_told_that_users_cannot_update(client, credentials):
    resp = client.put(f"{BASE}/{DEMO}", json={"label": "By A User"},
                      headers=headers(credentials, USER))
    assert resp.status_code == 403
    assert resp.json()["error"]["message"] == "Plain users cannot update tenants"
    resp = client.put(f"{BASE}/{PRIVATE}", json={"label": "By Another Manager"},
                      headers=manager(credentials))
    assert resp.status_code == 403
    assert resp.json()["error"]["message"] == "A tenant manager can only update its own tenant"


def test_a_manager_may_send_back_unchanged_modules_but_not_change_them(client, credentials):
    mgr = manager(credentials)
    modules = tenant(client, DEMO, mgr)["tenant"]["modules"]
    resp = client.put(f"{BASE}/{DEMO}", json={"label": "Same Modules", "modules": modules},
                      headers=mgr)
    assert resp.status_code == 200 and resp.json()["tenant"]["label"] == "Same Modules"
    resp = client.put(f"{BASE}/{DEMO}", json={"label": "New Modules",
                                              "modules": [*modules, "extra"]}, headers=mgr)
    assert resp.status_code == 403 and error_fields(resp) == ["modules"]
    assert tenant(client, DEMO, mgr)["tenant"]["label"] == "Same Modules"


def test_meta_last_updated_follows_the_latest_write(client):
    sup = admin(client)
    assert tenant(client, DEMO, sup)["meta"]["lastUpdated"] == SEEDED_AT
    assert client.get(BASE, headers=sup).json()["meta"]["lastUpdated"] == SEEDED_AT
    freeze(client, "2030-01-01T00:00:00.000Z")
    resp = client.put(f"{BASE}/{PRIVATE}", json={"label": "Later"}, headers=admin(client))
    assert resp.json()["meta"]["lastUpdated"] == "2030-01-01T00:00:00.000Z"
    freeze(client, "2030-02-01T00:00:00.000Z")
    sup = admin(client)
    assert tenant(client, PRIVATE, sup)["meta"]["lastUpdated"] == "2030-01-01T00:00:00.000Z"
    assert tenant(client, DEMO, sup)["meta"]["lastUpdated"] == SEEDED_AT
    listed = client.get(BASE, headers=sup).json()["meta"]
    assert listed == {"lastUpdated": "2030-01-01T00:00:00.000Z", "cached": False, "total": 4,
                      "serverTime": "2030-02-01T00:00:00.000Z"}
    filtered = client.get(BASE, params={"name": "demo"}, headers=sup).json()["meta"]
    assert filtered["lastUpdated"] == SEEDED_AT and filtered["total"] == 1
    nothing = client.get(BASE, params={"name": "no such"}, headers=sup).json()["meta"]
    assert nothing["lastUpdated"] == "2030-02-01T00:00:00.000Z" and nothing["total"] == 0


@pytest.mark.parametrize("params,ids,total", [
    ({"active": "true"}, [1, 2, 3], 3),
    ({"active": "true", "name": "O"}, [1, 2], 2),
    ({"active": "true", "name": "o", "page": 2, "pageSize": 1}, [2], 2),
    ({"name": "_", "pageSize": 1}, [2], 3),
    ({"page": 3, "pageSize": 2}, [], 4),
])
def test_list_filters_combine_with_paging(client, credentials, params, ids, total):
    # roomle (1), demo_shop (2), private_furniture (3) active; dormant_studio (4) not.
    body = client.get(BASE, params=params, headers=headers(credentials, SUPER)).json()
    assert [t["id"] for t in body["tenants"]] == ids and body["meta"]["total"] == total


# --- catalog connections ------------------------------------------------------------------

def test_new_connections_get_the_documented_defaults(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.put(f"{BASE}/{DORMANT}", headers=sup, json={"catalogConnections": [
        {"id": "demo_catalog"}, {"id": "dormant_catalog", "owner": True}]})
    assert resp.status_code == 200, resp.text
    conns = {c["id"]: c for c in resp.json()["tenant"]["catalogConnections"]}
    assert conns == {
        "demo_catalog": {"id": "demo_catalog", "active": True, "owner": False, "public": True,
                         "visibilityLevel": 10},
        "dormant_catalog": {"id": "dormant_catalog", "active": True, "owner": True,
                            "public": False, "visibilityLevel": 10}}
    assert resp.json()["tenant"]["shownCatalogs"] == ["demo_catalog", "dormant_catalog"]
    other = manager(credentials, PRIVATE)
    resp = client.put(f"{BASE}/{PRIVATE}", json={"catalogConnections": [
        {"id": "dormant_catalog"}]}, headers=other)
    assert resp.status_code == 422 and error_fields(resp) == ["catalogConnections.0.id"]


def test_an_owner_makes_a_new_catalog_public_for_other_tenants(client, credentials):
    resp = client.put(f"{BASE}/{DEMO}", headers=manager(credentials), json={
        "catalogConnections": [{"id": "shared_catalog", "owner": True, "public": True}]})
    assert resp.status_code == 200, resp.text
    conn = resp.json()["tenant"]["catalogConnections"][-1]
    assert conn["id"] == "shared_catalog" and conn["public"] is True
    resp = client.put(f"{BASE}/{PRIVATE}", headers=manager(credentials, PRIVATE), json={
        "catalogConnections": [{"id": "shared_catalog", "public": False}]})
    assert resp.status_code == 200, resp.text
    conns = {c["id"]: c for c in resp.json()["tenant"]["catalogConnections"]}
    assert conns["shared_catalog"]["owner"] is False
    assert conns["shared_catalog"]["public"] is True  # the owner's value, not the request's


def test_changing_a_connection_keeps_what_is_not_sent(client, credentials):
    mgr = manager(credentials, PRIVATE)
    resp = client.put(f"{BASE}/{PRIVATE}", headers=mgr, json={"catalogConnections": [
        {"id": "demo_catalog", "active": False}, {"id": "private_catalog", "visibilityLevel": 7}]})
    assert resp.status_code == 200, resp.text
    conns = {c["id"]: c for c in resp.json()["tenant"]["catalogConnections"]}
    assert conns == {
        "private_catalog": {"id": "private_catalog", "active": True, "owner": True,
                            "public": False, "visibilityLevel": 7},
        "demo_catalog": {"id": "demo_catalog", "active": False, "owner": False, "public": True,
                         "visibilityLevel": 5}}
    resp = client.put(f"{BASE}/{PRIVATE}", headers=mgr, json={"catalogConnections": [
        {"id": "private_catalog", "active": False, "public": True}]})
    conns = {c["id"]: c for c in resp.json()["tenant"]["catalogConnections"]}
    assert conns["private_catalog"] == {"id": "private_catalog", "active": False, "owner": True,
                                        "public": True, "visibilityLevel": 7}
    assert resp.json()["tenant"]["catalogs"] == ["private_catalog"]
    assert resp.json()["tenant"]["shownCatalogs"] == []


def test_a_connection_listed_twice_is_refused(client, credentials):
    mgr = manager(credentials, PRIVATE)
    before = tenant(client, PRIVATE, mgr)["tenant"]
    resp = client.put(f"{BASE}/{PRIVATE}", headers=mgr, json={"label": "Twice",
                                                              "catalogConnections": [
        {"id": "demo_catalog", "active": False}, {"id": "demo_catalog", "active": True}]})
    assert resp.status_code == 422 and error_fields(resp) == ["catalogConnections.1.id"]
    assert tenant(client, PRIVATE, mgr)["tenant"] == before


def test_deleting_an_owner_leaves_other_tenants_connections_to_other_catalogs(client,
                                                                             credentials):
    sup = headers(credentials, SUPER)
    resp = client.put(f"{BASE}/{DORMANT}", headers=sup, json={"catalogConnections": [
        {"id": "private_catalog"}]})
    assert resp.status_code == 200, resp.text
    assert client.delete(f"{BASE}/{DEMO}", headers=sup).status_code == 204
    private = tenant(client, PRIVATE, sup)["tenant"]
    assert private["visibleCatalogs"] == ["private_catalog"]
    assert tenant(client, DORMANT, sup)["tenant"]["visibleCatalogs"] == ["private_catalog"]
    resp = client.put(f"{BASE}/{PRIVATE}", headers=sup, json={"catalogConnections": [
        {"id": "demo_catalog", "owner": True}]})
    assert resp.status_code == 200, resp.text  # the deleted tenant's catalog id is free again


# --- the id sequence -------------------------------------------------------------------

def test_a_fixture_next_id_below_its_highest_tenant_id_continues_after_it(client):
    load(client, world(nextId=5, tenants=[HOME, {"id": 10, "name": "ten"}]))
    resp = client.post(BASE, json={"name": "after_ten"}, headers=admin(client))
    assert resp.status_code == 201 and resp.json()["tenant"]["id"] == 11
    load(client, world(nextId=50))
    resp = client.post(BASE, json={"name": "at_fifty"}, headers=admin(client))
    assert resp.json()["tenant"]["id"] == 50
    assert client.get("/_sandbox/state").json()["roomle"]["nextId"] == 51


def test_a_refused_create_takes_no_id(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.post(BASE, json={"name": "demo_shop"}, headers=sup)
    assert resp.status_code == 409
    assert client.post(BASE, json={"name": "first"}, headers=sup).json()["tenant"]["id"] == 100


# --- fixtures -----------------------------------------------------------------------------

def test_a_fixture_section_states_timestamps_and_defaults_of_its_tenants(client):
    load(client, world(createdAt="2024-04-04T04:04:04.000Z", tenants=[
        HOME, {"id": 2, "name": "dated", "createdAt": "2025-05-05T05:05:05.000Z"},
        {"id": 3, "name": "touched", "createdAt": "2025-05-05T05:05:05.000Z",
         "updatedAt": "2025-06-06T06:06:06.000Z"}]))
    h = admin(client)
    assert tenant(client, 1, h)["meta"]["lastUpdated"] == "2024-04-04T04:04:04.000Z"
    dated = tenant(client, 2, h)
    assert dated["meta"]["lastUpdated"] == "2025-05-05T05:05:05.000Z"
    assert dated["tenant"]["packages"][0]["validFrom"] == "2025-05-05T05:05:05.000Z"
    assert tenant(client, 1, h)["tenant"]["packages"][0]["validFrom"] == \
        "2024-04-04T04:04:04.000Z"
    assert tenant(client, 3, h)["meta"]["lastUpdated"] == "2025-06-06T06:06:06.000Z"
    stored = {t["id"]: t for t in client.get("/_sandbox/state").json()["roomle"]["tenants"]}
    assert (stored[2]["createdAt"], stored[2]["updatedAt"]) == ("2025-05-05T05:05:05.000Z",) * 2
    assert stored[1]["createdAt"] == "2024-04-04T04:04:04.000Z"
    assert client.get(BASE, headers=h).json()["meta"]["lastUpdated"] == \
        "2025-06-06T06:06:06.000Z"


def test_seeded_tenants_without_packages_get_a_free_one_from_their_creation(client,
                                                                           credentials):
    private = tenant(client, PRIVATE, headers(credentials, SUPER))["tenant"]
    assert [(p["package"], p["validFrom"]) for p in private["packages"]] == \
        [("tenant_free", SEEDED_AT)]


def test_a_fixture_without_request_token_max_age_allows_300_seconds(client):
    load(client, world())
    creds = client.get("/_sandbox/credentials").json()["roomle"]
    sup = next(c for c in creds if c["role"] == SUPER)
    freeze(client, "2030-01-01T00:00:00.000Z")
    now = sandbox_now(client)
    ok = token_headers(sup, at=now - timedelta(seconds=300))
    assert client.get(f"{BASE}/1", headers=ok).status_code == 200
    old = token_headers(sup, at=now - timedelta(seconds=301))
    resp = client.get(f"{BASE}/1", headers=old)
    assert resp.status_code == 401 and "more than 300 s" in resp.json()["error"]["message"]
    assert client.get("/_sandbox/state").json()["roomle"]["requestTokenMaxAge"] == 300


@pytest.mark.parametrize("change,field,words", [
    ({"tenants": [{**HOME, "webhook": "ftp://files.example/hook"}]},
     "roomle.tenants.0.webhook", "absolute http(s) URL"),
    ({"tenants": [{**HOME, "packages": [{"package": "tenant_basic",
                                         "validFrom": "2030-01-01T00:00:00Z",
                                         "validTill": "2029-01-01T00:00:00Z"}]}]},
     "roomle.tenants.0.packages.0.validFrom", "later than validTill"),
    ({"tenants": [{**HOME, "secret": "seventeen-bytes!!"}]},
     "roomle.tenants.0.secret", "16, 24 or 32 bytes"),
    ({"tenants": [HOME, {"id": 2, "name": "Home"}]},
     "roomle.tenants.1.name", "used twice"),
    ({"tenants": [{**HOME, "catalogConnections": [{"id": "cat", "owner": True}]},
                  {"id": 2, "name": "other", "catalogConnections": [{"id": "cat",
                                                                    "owner": True}]}]},
     "roomle.tenants.1.catalogConnections.0.owner", "already owned by home"),
    ({"tenants": [{**HOME, "catalogConnections": [{"id": "orphan"}]}]},
     "roomle.tenants.0.catalogConnections.0.id", "has no owner"),
    ({"users": [{**ADMIN, "tenant": 9}]}, "roomle.users.0.tenant", "tenant 9 does not exist"),
    ({"users": [ADMIN, {**ADMIN, "email": "two@small.example", "sessionToken": "rml_s_second"}]},
     "roomle.users.1.id", "user id 1 is used twice"),
    ({"users": [ADMIN, {**ADMIN, "id": 2, "email": "ADMIN@small.example",
                        "sessionToken": "rml_s_second"}]},
     "roomle.users.1.email", "used twice"),
    ({"users": [ADMIN, {**ADMIN, "id": 2, "email": "two@small.example"}]},
     "roomle.users.1.sessionToken", "'rml_s_admin' is used twice"),
    ({"users": [{**ADMIN, "sessionToken": "anonymous"}]},
     "roomle.users.0.sessionToken", "is reserved"),
    ({"sessions": [{"token": "rml_s_other", "user": 9}]},
     "roomle.sessions.0.user", "user 9 does not exist"),
    ({"sessions": [{"token": "rml_s_admin", "user": 1}]},
     "roomle.sessions.0.token", "is used twice"),
], ids=["webhook", "package-order", "secret-length", "name-twice", "catalog-owned-twice",
        "catalog-without-owner", "user-tenant", "user-id-twice", "email-twice",
        "session-twice", "session-anonymous", "session-user", "session-token-twice"])
def test_bad_fixture_sections_are_refused_naming_the_entry(client, change, field, words):
    refused(client, world(**change), field, words)


def test_a_reserved_session_token_is_not_reported_as_used_twice(client):
    resp = load(client, world(users=[{**ADMIN, "sessionToken": "anonymous"}]), 400)
    assert "used twice" not in resp.text


def test_sessions_of_a_fixture_open_the_api_and_their_login_date_is_kept(client):
    load(client, world(sessions=[{"token": "rml_s_later", "user": 1,
                                  "loginDate": "2025-01-01T00:00:00.000Z"}]))
    state = client.get("/_sandbox/state").json()["roomle"]
    assert {"token": "rml_s_later", "user": 1, "loginDate": "2025-01-01T00:00:00.000Z"} in \
        state["sessions"]
    creds = client.get("/_sandbox/credentials").json()["roomle"]
    sup = next(c for c in creds if c["role"] == SUPER)
    assert client.get(f"{BASE}/1", headers=token_headers(sup, session="rml_s_later")
                      ).status_code == 200


# --- credentials -----------------------------------------------------------------------------

def test_credentials_of_users_carry_the_plain_text_expiry_and_example(client):
    freeze(client, "2030-01-01T00:00:00.999Z")
    creds = client.get("/_sandbox/credentials").json()["roomle"]
    mgr = next(c for c in creds if c["role"] == MANAGER and c["tenantId"] == str(DEMO))
    assert mgr["tokenPlainText"] == \
        "2030-01-01T00:00:00.999Z;rml_session_demo_manager;rml_demo_shop_api_key"
    assert mgr["headersValidUntil"] == "2030-01-01T00:05:00.999Z"
    assert mgr["example"] == ("mock-server roomle-token --secret 'D3mo-Sh0p-Secr3t' "
                              "--session 'rml_session_demo_manager' "
                              "--api-key 'rml_demo_shop_api_key'")
    assert mgr["headers"] == {"apiKey": "rml_demo_shop_api_key", "token": mgr["headers"]["token"],
                              "currentTenant": "2", "language": "de"}
    anonymous = [c for c in creds if c["role"] == "anonymous"]
    assert len(anonymous) == 4
    for entry in anonymous:
        assert not {"sessionToken", "tokenPlainText", "headersValidUntil", "example"} & set(entry)


def test_a_user_without_a_seeded_session_is_listed_with_what_signing_in_needs(client):
    load(client, world(users=[ADMIN, {"id": 2, "name": "Fresh", "role": "tenant_manager",
                                      "tenant": 1, "email": "fresh@small.example",
                                      "password": "fresh-pw"}]))
    creds = client.get("/_sandbox/credentials").json()["roomle"]
    fresh = next(c for c in creds if c["email"] == "fresh@small.example")
    assert fresh["apiKey"] == "rml_home_key" and fresh["secret"] == HOME["secret"]
    assert fresh["headers"] == {"apiKey": "rml_home_key", "currentTenant": "1"}
    assert "sessionToken" not in fresh and fresh["tenantId"] == "1"
    anon = next(c for c in creds if c["role"] == "anonymous")
    resp = client.post("/v2/auth/signin", headers=anon["headers"],
                       json={"identification": fresh["email"], "password": fresh["password"]})
    assert resp.status_code == 200, resp.text


def test_signed_in_sessions_are_new_32_hex_digit_tokens(client, credentials):
    freeze(client, "2030-03-03T03:03:03.333Z")
    anon = credentials("roomle", "anonymous", tenantId=str(DEMO))
    tokens = []
    for _ in range(8):
        resp = client.post("/v2/auth/signin", headers=anon["headers"], json={
            "identification": "user@demo-shop.example", "password": "demo-user-pw"})
        assert resp.status_code == 200, resp.text
        auth = resp.json()["auth"]
        assert auth["loginDate"] == auth["lastActionDate"] == "2030-03-03T03:03:03.333Z"
        tokens.append(auth["token"])
    assert all(re.fullmatch(r"rml_session_[0-9a-f]{32}", t) for t in tokens), tokens
    assert len(set(tokens)) == 8


def test_a_secret_sent_where_no_secret_belongs_is_masked_in_the_journal(client, credentials):
    sup = headers(credentials, SUPER)
    for value in ("D3mo-Sh0p-Secr3t", "rml_demo_shop_api_key", "demo-manager-pw",
                  "rml_session_demo_manager"):
        client.get(BASE, params={"name": value}, headers=sup)
    journal = client.get("/_sandbox/requests", params={"api": "roomle"}).text
    for value in ("D3mo-Sh0p-Secr3t", "rml_demo_shop_api_key", "demo-manager-pw",
                  "rml_session_demo_manager"):
        assert value not in journal


# --- generated tenants ----------------------------------------------------------------------

def test_generated_tenants_are_faker_made(tmp_path):
    out = tmp_path / "gen.yaml"
    assert main(["generate", "--seed", "5", "--roomle-tenants", "40", "--quiet",
                 "-o", str(out)]) == 0
    made = [t for t in yaml.safe_load(out.read_text())["roomle"]["tenants"] if t["id"] >= 100]
    assert len(made) == 40
    assert not any(re.fullmatch(r"tenant(_\d+)?", t["name"]) for t in made), made
    assert all(t["catalogConnections"][0]["id"] == f"{t['name']}_catalog" for t in made)


def test_generating_into_an_empty_roomle_section_numbers_tenants_from_1(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump({"version": 1, "roomle": {"tenants": []}}))
    out = tmp_path / "gen.yaml"
    assert main(["generate", "--fixtures", str(base), "--seed", "1", "--roomle-tenants", "2",
                 "--quiet", "-o", str(out)]) == 0
    section = yaml.safe_load(out.read_text())["roomle"]
    assert [t["id"] for t in section["tenants"]] == [1, 2] and section["nextId"] == 3


def test_generation_reports_progress_to_the_generator():
    """The generate hook counts every tenant it makes (the CLI's progress bar shows it)."""
    calls: list[int] = []
    section = ROOMLE.generate(Sandbox("progress", 1), {}, Config(seed=1), 3, calls.append)
    assert calls == [1, 2, 3] and len(section["tenants"]) == 3
