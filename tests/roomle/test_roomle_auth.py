"""Authentication (apiKey + token headers), credentials and the error format."""

from __future__ import annotations

from tests.roomle.helpers import BASE, DEMO, MANAGER, PRIVATE, SUPER, USER, error_fields, headers


def test_credentials_list_every_role_with_ready_headers(credentials):
    sup = credentials("roomle", SUPER)
    assert set(sup["headers"]) == {"apiKey", "token"} and "tenantId" not in sup
    for role in (MANAGER, USER):
        principal = credentials("roomle", role)
        assert principal["tenantId"] == str(DEMO)
        assert set(principal["headers"]) == {"apiKey", "token"}


def test_missing_credentials_name_both_headers(client):
    resp = client.get(BASE)
    assert resp.status_code == 401
    assert error_fields(resp) == ["apiKey", "token"]


def test_unknown_api_key_and_unknown_token_are_401(client, credentials):
    good = headers(credentials, SUPER)
    resp = client.get(BASE, headers={**good, "apiKey": "nope-nope"})
    assert resp.status_code == 401 and error_fields(resp) == ["apiKey"]
    resp = client.get(f"{BASE}/{DEMO}/", headers={**good, "token": "nope-nope"})
    assert resp.status_code == 401 and error_fields(resp) == ["token"]
    resp = client.get(BASE, headers={"apiKey": good["apiKey"]})
    assert resp.status_code == 401


def test_user_must_use_its_own_tenants_api_key(client, credentials):
    user = headers(credentials, USER)
    other = headers(credentials, MANAGER, tenantId=str(PRIVATE))
    resp = client.get(BASE, headers={**user, "apiKey": other["apiKey"]})
    assert resp.status_code == 403 and error_fields(resp) == ["apiKey"]


def test_super_admin_may_use_any_tenants_api_key(client, credentials):
    sup = headers(credentials, SUPER)
    other = headers(credentials, MANAGER, tenantId=str(PRIVATE))
    resp = client.get(f"{BASE}/{DEMO}", headers={**sup, "apiKey": other["apiKey"]})
    assert resp.status_code == 200
    assert "apiKey" in resp.json()["tenant"]


def test_routing_and_validation_errors_use_the_roomle_shape(client, credentials):
    sup = headers(credentials, SUPER)
    resp = client.get(f"{BASE}/abc", headers=sup)  # breaks the path parameter's schema
    assert resp.status_code == 400 and error_fields(resp) == ["id"]
    resp = client.get(f"{BASE}/999999", headers=sup)
    assert resp.status_code == 404 and error_fields(resp) == []
    resp = client.get(BASE, params={"bogus": "1"}, headers=sup)
    assert resp.status_code == 400 and error_fields(resp) == ["bogus"]
    resp = client.patch(f"{BASE}/{DEMO}", json={}, headers=sup)
    assert resp.status_code == 405 and error_fields(resp) == []
    resp = client.post(BASE, content=b"name=x", headers={**sup, "Content-Type": "text/plain"})
    assert resp.status_code in (400, 415)
    error_fields(resp)
