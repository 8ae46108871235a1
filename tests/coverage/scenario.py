"""A short client session across the four APIs, made over HTTP against a real server:
the journal it leaves is what the drift tests replay."""

from __future__ import annotations

import json
from typing import Any

import httpx

from mock_server.testing import BizzlinkAuth, RoomleAuth

BIZZLINK = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")
ROOMLE = RoomleAuth("rml_platform_api_key", "Pl4tf0rm-Secr3t!",
                    session_token="rml_session_super_admin")
WALLET = {"X-API-KEY": "wk_platform_admin_key"}
PIGELLO = {
    "X-PIGELLO-APPLICATION-ID": "0d464138-a623-4255-bfc1-ea36f17fd374",
    "X-PIGELLO-CLIENT-CT": "accounts.integrationuseragent",
    "X-PIGELLO-CLIENT-ENTITY": "87b0b125-ec1d-4da0-a6eb-8c9ebd69fe29",
    "X-PIGELLO-CLIENT-SECRET": "pgl_norrsken_client_secret",
    "X-PIGELLO-CUSTOMER-ID": "5bc8fbbc-bde5-4099-8164-d8399f767c45",
    "X-PIGELLO-SERVICE-ID": "5f2dd97f-1cfb-40f6-a827-688de6a16a3b",
    "X-PIGELLO-SERVICE-VERSION-ID": "617959ce-3f1f-45a8-9e52-71007814e8a2",
}
SEEDED_BIZZLINK_CHILD = "770e8400-e29b-41d4-a716-446655440000"
REGISTER = {
    "tenant": {"name": "Drift Pay", "email": "team@drift-pay.example",
               "phoneNumber": "030 901821", "address": "Alexanderplatz 1, Berlin",
               "country": {"code": "DE", "name": "Germany"}, "allowNotification": True},
    "tenantAdmin": {"fullName": "Dora Drift", "phoneNumber": "+49 151 23456789",
                    "password": "s3cret-passw0rd", "email": "dora@drift-pay.example",
                    "country": {"code": "DE", "name": "Germany"}, "type": "TENANT_ADMIN",
                    "keyDuration": 2, "duration": "HOURS"},
}


def _ok(resp: httpx.Response, status: int) -> Any:
    assert resp.status_code == status, f"{resp.request.method} {resp.request.url}: {resp.text}"
    return resp.json() if resp.content else None


def exercise(url: str, sandbox: str) -> list[str]:
    """Make the session; returns what each call was, in journal order."""
    done = []
    with httpx.Client(base_url=url, headers={"X-Sandbox-Id": sandbox}, timeout=30) as c:
        body = {"data": {"type": "tenants", "attributes": {
            "billingModel": "SEATS", "companyName": "Drift Sàrl", "addressCountry": "LU"}}}
        created = _ok(c.post("/bizzlink/tenants", content=json.dumps(body), auth=BIZZLINK,
                             headers={"Content-Type": "application/vnd.api+json"}), 201)
        tid = created["data"]["id"]
        _ok(c.get(f"/bizzlink/tenants/{tid}", auth=BIZZLINK), 200)
        patch = {"data": {"type": "tenants", "id": tid,
                          "attributes": {"contactName": "Jana Novak"}}}
        _ok(c.patch(f"/bizzlink/tenants/{tid}", content=json.dumps(patch), auth=BIZZLINK,
                    headers={"Content-Type": "application/vnd.api+json"}), 200)
        _ok(c.get(f"/bizzlink/tenants/{SEEDED_BIZZLINK_CHILD}", auth=BIZZLINK), 200)
        _ok(c.get("/bizzlink/tenants", headers={"Authorization": "Bearer nope"}), 401)
        done += ["bizzlink create", "bizzlink get created", "bizzlink patch created",
                 "bizzlink get seeded", "bizzlink unsigned"]

        room = _ok(c.post("/v2/tenants", json={"name": "drift_tenant", "label": "Drift"},
                          auth=ROOMLE), 201)["tenant"]
        _ok(c.get(f"/v2/tenants/{room['id']}", auth=ROOMLE), 200)
        _ok(c.delete(f"/v2/tenants/{room['id']}", auth=ROOMLE), 204)
        _ok(c.get(f"/v2/tenants/{room['id']}", auth=ROOMLE), 404)
        done += ["roomle create", "roomle get created", "roomle delete", "roomle get deleted"]

        _ok(c.post("/api/v1/tenants/register", json=REGISTER), 201)
        _ok(c.get("/api/v1/tenants", params={"name": "Drift"}, headers=WALLET), 200)
        done += ["wallet register", "wallet list"]

        person = _ok(c.post("/accounts/users/customer/tenant/", headers=PIGELLO,
                            json={"first_name": "Ada", "last_name": "Drift",
                                  "custom_id": "D-1"}), 201)
        _ok(c.get(f"/accounts/users/customer/tenant/{person['id']}/", headers=PIGELLO), 200)
        _ok(c.delete(f"/accounts/users/customer/tenant/{person['id']}/", headers=PIGELLO), 204)
        done += ["pigello create", "pigello get created", "pigello delete"]
    return done
