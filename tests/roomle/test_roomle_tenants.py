"""Tenant operations: roles, visibility of secrets, rules, slash variants, shape."""

from __future__ import annotations

import pytest

from tests.roomle.helpers import (
    BASE,
    DEMO,
    DORMANT,
    MANAGER,
    PLATFORM,
    PRIVATE,
    SUPER,
    USER,
    error_fields,
    headers,
    manager,
)

SECRETS = ("apiKey", "webhook")


def _create(client, credentials, **body):
    resp = client.post(BASE, json={"name": "fresh_tenant", **body},
                       headers=headers(credentials, SUPER))
    assert resp.status_code == 201, resp.text
    return resp.json()["tenant"]


# --- shape ---------------------------------------------------------------------

def test_single_response_is_wrapped_with_meta(client, credentials):
    resp = client.get(f"{BASE}/{DEMO}/", headers=headers(credentials, SUPER))
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"tenant", "meta"}
    assert body["meta"]["cached"] is False and body["meta"]["total"] == 1
    assert {"lastUpdated", "serverTime"} <= set(body["meta"])
    tenant = body["tenant"]
    assert tenant["id"] == DEMO and tenant["links"]["users"] == f"/tenants/{DEMO}/users/"
    assert tenant["links"]["plans"] == f"/tenants/{DEMO}/plans"
    assert tenant["users"] == [2, 3]
    for key in ("label", "active", "showLanguageSwitch", "defaultLanguage",
                "authenticationRequired", "visibility", "privacyUrl", "packages",
                "configurators", "allowRegistration", "branded", "skin", "catalogs",
                "visibleCatalogs", "shownCatalogs", "configuration", "modules",
                "catalogConnections"):
        assert key in tenant


def test_list_is_wrapped_filters_and_pages(client, credentials):
    sup = headers(credentials, SUPER)
    body = client.get(BASE, headers=sup).json()
    assert set(body) == {"tenants", "meta"} and body["meta"]["total"] == 4
    assert [t["id"] for t in body["tenants"]] == [PLATFORM, DEMO, PRIVATE, DORMANT]
    body = client.get(f"{BASE}/", params={"active": "false"}, headers=sup).json()
    assert [t["id"] for t in body["tenants"]] == [DORMANT]
    body = client.get(BASE, params={"name": "DEMO"}, headers=sup).json()
    assert [t["name"] for t in body["tenants"]] == ["demo_shop"]
    body = client.get(BASE, params={"page": 2, "pageSize": 3}, headers=sup).json()
    assert [t["id"] for t in body["tenants"]] == [DORMANT] and body["meta"]["total"] == 4
    resp = client.get(BASE, params={"pageSize": 0}, headers=sup)
    assert resp.status_code == 400 and error_fields(resp) == ["pageSize"]


# --- who sees what ---------------------------------------------------------------

@pytest.mark.parametrize("role,tenant,visible", [
    (SUPER, DEMO, True), (SUPER, PRIVATE, True), (MANAGER, DEMO, True),
    (MANAGER, PRIVATE, False), (USER, DEMO, False), (USER, PRIVATE, False)])
def test_secrets_only_for_callers_with_management_rights(client, credentials, role, tenant,
                                                         visible):
    h = headers(credentials, role, **({} if role == SUPER else {"tenantId": str(DEMO)}))
    single = client.get(f"{BASE}/{tenant}", headers=h).json()["tenant"]
    listed = {t["id"]: t for t in client.get(BASE, headers=h).json()["tenants"]}[tenant]
    for shown in (single, listed):
        assert all((k in shown) is visible for k in SECRETS), shown


def test_update_response_hides_nothing_from_the_manager(client, credentials):
    resp = client.put(f"{BASE}/{DEMO}/", json={"label": "Renamed"},
                      headers=manager(credentials))
    assert resp.status_code == 200
    assert resp.json()["tenant"]["label"] == "Renamed"
    assert all(k in resp.json()["tenant"] for k in SECRETS)


# --- create ----------------------------------------------------------------------

def test_super_admin_creates_with_defaults_and_sequence_ids(client, credentials):
    first = _create(client, credentials)
    second = _create(client, credentials, name="second_one", webhook="https://h.example/x")
    assert (first["id"], second["id"]) == (100, 101)
    assert first["label"] == "fresh_tenant" and first["active"] is True
    assert [p["package"] for p in first["packages"]] == ["tenant_free"]
    assert first["links"]["catalogs"] == "/tenants/100/catalogs/"
    assert first["apiKey"] and first["webhook"] is None
    assert second["webhook"] == "https://h.example/x"
    got = client.get(f"{BASE}/101", headers=headers(credentials, SUPER)).json()["tenant"]
    assert got == second


@pytest.mark.parametrize("role", [MANAGER, USER])
def test_only_super_admin_creates(client, credentials, role):
    resp = client.post(f"{BASE}/", json={"name": "nope"}, headers=headers(credentials, role))
    assert resp.status_code == 403
    error_fields(resp)
    assert client.get(BASE, headers=headers(credentials, SUPER)).json()["meta"]["total"] == 4


def test_name_is_unique_case_insensitively(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.post(BASE, json={"name": "Demo_Shop"}, headers=sup)
    assert resp.status_code == 409 and error_fields(resp) == ["name"]
    resp = client.put(f"{BASE}/{PRIVATE}", json={"name": "DEMO_SHOP"}, headers=sup)
    assert resp.status_code == 409 and error_fields(resp) == ["name"]
    assert client.get(f"{BASE}/{PRIVATE}", headers=sup).json()["tenant"]["name"] == \
        "private_furniture"
    resp = client.put(f"{BASE}/{DEMO}", json={"name": "Demo_Shop"}, headers=sup)
    assert resp.status_code == 200 and resp.json()["tenant"]["name"] == "Demo_Shop"


@pytest.mark.parametrize("body,status,field", [
    ({"name": ""}, 400, "name"),
    ({"name": "x" * 65}, 400, "name"),
    ({"name": "   "}, 422, "name"),
    ({"name": "ok", "visibility": 11}, 400, "visibility"),
    ({"name": "ok", "privacyUrl": "not a url"}, 400, "privacyUrl"),
    ({"name": "ok", "webhook": "ftp://files.example/x"}, 422, "webhook"),
    ({"name": "ok", "id": 5}, 400, "id"),
    ({"label": "no name"}, 400, "name"),
])
def test_create_rejects_invalid_fields(client, credentials, body, status, field):
    resp = client.post(BASE, json=body, headers=headers(credentials, SUPER))
    assert resp.status_code == status, resp.text
    assert field in error_fields(resp)


# --- packages --------------------------------------------------------------------

def test_packages_are_validated(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.post(BASE, json={"name": "p", "packages": [{"package": "tenant_gold"}]},
                       headers=sup)
    assert resp.status_code == 400 and error_fields(resp) == ["packages.0.package"]
    bad_order = {"package": "tenant_basic", "validFrom": "2030-01-01T00:00:00Z",
                 "validTill": "2029-01-01T00:00:00Z"}
    resp = client.post(BASE, json={"name": "p", "packages": [bad_order]}, headers=sup)
    assert resp.status_code == 422 and error_fields(resp) == ["packages.0.validFrom"]
    good = {"package": "tenant_premium", "fromPromocode": True,
            "validFrom": "2030-01-01T00:00:00Z", "validTill": "2031-01-01T00:00:00Z"}
    tenant = _create(client, credentials, packages=[good])
    assert [(p["package"], p["fromPromocode"]) for p in tenant["packages"]] == \
        [("tenant_premium", True)]


def test_only_super_admin_changes_packages(client, credentials):
    mgr = manager(credentials)
    current = client.get(f"{BASE}/{DEMO}", headers=mgr).json()["tenant"]
    resp = client.put(f"{BASE}/{DEMO}", json={"packages": [{"package": "tenant_enterprise"}]},
                      headers=mgr)
    assert resp.status_code == 403 and error_fields(resp) == ["packages"]
    assert client.get(f"{BASE}/{DEMO}", headers=mgr).json()["tenant"] == current
    resp = client.put(f"{BASE}/{DEMO}", json=current, headers=mgr)
    assert resp.status_code == 200, resp.text
    resp = client.put(f"{BASE}/{DEMO}", json={"packages": [{"package": "tenant_enterprise"}]},
                      headers=headers(credentials, SUPER))
    assert [p["package"] for p in resp.json()["tenant"]["packages"]] == ["tenant_enterprise"]


# --- update ----------------------------------------------------------------------

def test_update_roles(client, credentials):
    sup = headers(credentials, SUPER)
    assert client.put(f"{BASE}/{PRIVATE}", json={"label": "Changed by the super admin"},
                      headers=sup).status_code == 200
    assert client.put(f"{BASE}/{DEMO}", json={"label": "Changed by its manager"},
                      headers=manager(credentials)).status_code == 200
    # Refused: each sends a label that differs from the stored one, which stays.
    resp = client.put(f"{BASE}/{PRIVATE}", json={"label": "Changed by another manager"},
                      headers=manager(credentials))
    assert resp.status_code == 403
    resp = client.put(f"{BASE}/{DEMO}/", json={"label": "Changed by a user"},
                      headers=headers(credentials, USER))
    assert resp.status_code == 403
    labels = {t: client.get(f"{BASE}/{t}", headers=sup).json()["tenant"]["label"]
              for t in (PRIVATE, DEMO)}
    assert labels == {PRIVATE: "Changed by the super admin", DEMO: "Changed by its manager"}


def test_update_checks_fields_and_changes_nothing_when_rejected(client, credentials):
    sup = headers(credentials, SUPER)
    before = client.get(f"{BASE}/{DEMO}", headers=sup).json()["tenant"]
    for body, status in (({"label": "x", "webhook": "ftp://files.example/hook"}, 422),
                         ({"label": "x", "visibility": -1}, 400),
                         ({"label": "x", "unknown": 1}, 400),
                         ({"label": "x", "id": 3}, 422)):
        resp = client.put(f"{BASE}/{DEMO}", json=body, headers=sup)
        assert resp.status_code == status, (body, resp.text)
    assert client.get(f"{BASE}/{DEMO}", headers=sup).json()["tenant"] == before


def test_read_only_fields_sent_back_are_ignored(client, credentials):
    sup = headers(credentials, SUPER)
    tenant = client.get(f"{BASE}/{DEMO}", headers=sup).json()["tenant"]
    resp = client.put(f"{BASE}/{DEMO}", json={**tenant, "apiKey": "changed!", "users": [9]},
                      headers=sup)
    assert resp.status_code == 200
    assert resp.json()["tenant"]["apiKey"] == tenant["apiKey"]
    assert resp.json()["tenant"]["users"] == tenant["users"]


# --- catalog connections ----------------------------------------------------------

def test_manager_connects_a_public_catalog_of_another_tenant(client, credentials):
    mgr = manager(credentials, PRIVATE)
    resp = client.put(f"{BASE}/{PRIVATE}", json={"catalogConnections": [
        {"id": "demo_catalog", "active": False, "visibilityLevel": 3}]}, headers=mgr)
    assert resp.status_code == 200, resp.text
    tenant = resp.json()["tenant"]
    conns = {c["id"]: c for c in tenant["catalogConnections"]}
    assert conns["demo_catalog"] == {"id": "demo_catalog", "active": False, "owner": False,
                                     "public": True, "visibilityLevel": 3}
    assert conns["private_catalog"]["owner"] is True
    assert tenant["catalogs"] == ["private_catalog"]
    assert sorted(tenant["visibleCatalogs"]) == ["demo_catalog", "private_catalog"]
    assert tenant["shownCatalogs"] == ["private_catalog"]


def test_connections_are_added_never_dropped(client, credentials):
    mgr = manager(credentials)
    resp = client.put(f"{BASE}/{DEMO}", json={"catalogConnections": [
        {"id": "new_demo_catalog", "owner": True, "public": False}]}, headers=mgr)
    assert resp.status_code == 200, resp.text
    tenant = resp.json()["tenant"]
    assert tenant["catalogs"] == ["demo_catalog", "new_demo_catalog"]
    resp = client.put(f"{BASE}/{DEMO}", json={"catalogConnections": []}, headers=mgr)
    assert resp.json()["tenant"]["catalogs"] == ["demo_catalog", "new_demo_catalog"]


@pytest.mark.parametrize("conn,field", [
    ({"id": "private_catalog", "owner": True}, "catalogConnections.0.owner"),
    ({"id": "private_catalog"}, "catalogConnections.0.id"),
    ({"id": "no_such_catalog"}, "catalogConnections.0.id"),
    ({"id": "demo_catalog", "owner": False}, "catalogConnections.0.owner"),
])
def test_connection_rules(client, credentials, conn, field):
    mgr = manager(credentials)
    before = client.get(f"{BASE}/{DEMO}", headers=mgr).json()["tenant"]
    resp = client.put(f"{BASE}/{DEMO}", json={"label": "x", "catalogConnections": [conn]},
                      headers=mgr)
    assert resp.status_code == 422, resp.text
    assert error_fields(resp) == [field]
    assert client.get(f"{BASE}/{DEMO}", headers=mgr).json()["tenant"] == before


def test_super_admin_may_connect_a_private_catalog_but_never_claim_it(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.put(f"{BASE}/{DEMO}", json={"catalogConnections": [
        {"id": "private_catalog", "owner": True}]}, headers=sup)
    assert resp.status_code == 422
    resp = client.put(f"{BASE}/{DEMO}", json={"catalogConnections": [
        {"id": "private_catalog"}]}, headers=sup)
    assert resp.status_code == 200
    conn = {c["id"]: c for c in resp.json()["tenant"]["catalogConnections"]}["private_catalog"]
    assert conn["owner"] is False and conn["public"] is False


# --- delete, 404 ------------------------------------------------------------------

@pytest.mark.parametrize("slash", ["", "/"])
def test_delete_then_get_is_404(client, credentials, slash):
    sup = headers(credentials, SUPER)
    assert client.delete(f"{BASE}/{DEMO}{slash}", headers=sup).status_code == 204
    resp = client.get(f"{BASE}/{DEMO}{slash}", headers=sup)
    assert resp.status_code == 404
    error_fields(resp)
    others = client.get(f"{BASE}/{PRIVATE}", headers=sup).json()["tenant"]
    assert "demo_catalog" not in others["visibleCatalogs"]
    assert all(p["role"] == SUPER or p["tenantId"] != str(DEMO)
               for p in client.get("/_sandbox/credentials").json()["roomle"])


@pytest.mark.parametrize("role", [MANAGER, USER])
def test_only_super_admin_deletes(client, credentials, role):
    resp = client.delete(f"{BASE}/{PRIVATE}", headers=headers(credentials, role))
    assert resp.status_code == 403
    assert client.get(f"{BASE}/{PRIVATE}", headers=headers(credentials, SUPER)).status_code == 200


def test_super_admin_cannot_delete_its_own_tenant(client, credentials):
    resp = client.delete(f"{BASE}/{PLATFORM}", headers=headers(credentials, SUPER))
    assert resp.status_code == 409 and error_fields(resp) == ["id"]
    assert client.get(f"{BASE}/{PLATFORM}", headers=headers(credentials, SUPER)).status_code \
        == 200


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_unknown_ids_are_404(client, credentials, method):
    kwargs = {"json": {"label": "x"}} if method == "put" else {}
    resp = client.request(method.upper(), f"{BASE}/999/", headers=headers(credentials, SUPER),
                          **kwargs)
    assert resp.status_code == 404 and error_fields(resp) == []
