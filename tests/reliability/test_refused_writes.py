"""A refused write writes nothing, proven through HTTP: each refused request sends a value
that DIFFERS from the stored one, gets its one documented status, and reading the
resource back shows it exactly as before. Per API, one refusal at least of each kind:
authentication, authorization, body validation, business rule.

(tests/reliability/test_rejected_requests.py compares the whole state export instead.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from mock_server.testing import BizzlinkAuth
from tests.bizzlink.helpers import ACME_SMP_PID, FLOW, KUNDE_ID, LES, SEATS
from tests.pigello.helpers import NORRSKEN, SODERPORT, T1, TENANTS
from tests.roomle.helpers import BASE as ROOMLE
from tests.roomle.helpers import DEMO, PRIVATE, SUPER, USER, manager
from tests.roomle.helpers import headers as roomle_headers

# --- Bizzlink: PATCH /bizzlink/tenants/{id} ------------------------------------------------

KUNDE = f"/bizzlink/tenants/{KUNDE_ID}"


def _bizzlink(client: Any, credentials: Callable[..., dict], method: str, path: str,
              attrs: dict | None = None, as_: str = SEATS, secret: str | None = None) -> Any:
    p = credentials("bizzlink", "partner", name=as_)
    auth = BizzlinkAuth(p["headers"]["Authorization"].removeprefix("Bearer "),
                        secret or p["hmacSecret"])
    kw: dict = {}
    if attrs is not None:
        kw["content"] = json.dumps({"data": {"type": "tenants", "attributes": attrs}}).encode()
        kw["headers"] = {"Content-Type": "application/vnd.api+json"}
    return client.request(method, path, auth=auth, **kw)


def _jsonapi_why(resp: Any) -> list[tuple[str, str | None]]:
    return [(e["code"], next(iter(e.get("source", {}).values()), None))
            for e in resp.json()["errors"]]


BIZZLINK_REFUSED = [
    # (kind, attributes, as, wrong secret, status, (code, source))
    ("authentication: signature made with another secret", {"companyName": "Renamed GmbH"},
     SEATS, "not-the-secret", 401, ("unauthorized", "X-Bizzlink-Signature")),
    ("authorization: another partner's child", {"companyName": "Renamed GmbH"},
     FLOW, None, 403, ("forbidden", None)),
    ("validation: contactEmail not an email",
     {"companyName": "Renamed GmbH", "contactEmail": "not-an-email"}, SEATS, None, 422,
     ("validation_error", "/data/attributes/contactEmail")),
    ("rule: billing model without an active subscription",
     {"companyName": "Renamed GmbH", "billingModel": "FLOW"}, SEATS, None, 422,
     ("validation_error", "/data/attributes/billingModel")),
    ("rule: tenantCode taken (case-insensitively)",
     {"companyName": "Renamed GmbH", "tenantCode": "flusswerk"}, SEATS, None, 422,
     ("validation_error", "/data/attributes/tenantCode")),
]


@pytest.mark.parametrize("kind,attrs,as_,secret,status,why", BIZZLINK_REFUSED,
                         ids=[r[0].split(":")[0] + "-" + str(i)
                              for i, r in enumerate(BIZZLINK_REFUSED)])
def test_bizzlink_refused_patch_writes_nothing(client, credentials, kind, attrs, as_, secret,
                                               status, why):
    before = _bizzlink(client, credentials, "GET", KUNDE).json()["data"]
    assert all(before["attributes"][k] != v for k, v in attrs.items() if k != "contactEmail")
    resp = _bizzlink(client, credentials, "PATCH", KUNDE, attrs, as_=as_, secret=secret)
    assert resp.status_code == status, resp.text
    assert why in _jsonapi_why(resp)
    assert _bizzlink(client, credentials, "GET", KUNDE).json()["data"] == before


def test_bizzlink_refused_delete_of_an_smp_registered_peppol_id_keeps_it(client, credentials):
    path = f"{LES}/3f6d2a1e-8b4c-4d7e-9a2f-5c1b0e7d4a11/peppol-ids/{ACME_SMP_PID}"
    before = _bizzlink(client, credentials, "GET", path).json()["data"]
    assert before["attributes"]["active"] is True and before["attributes"]["smpRegistered"]
    resp = _bizzlink(client, credentials, "DELETE", path)
    assert resp.status_code == 409 and _jsonapi_why(resp) == [("conflict", None)]
    assert _bizzlink(client, credentials, "GET", path).json()["data"] == before


# --- Roomle: PUT /v2/tenants/{id}/ -------------------------------------------------------

def _roomle_why(resp: Any) -> tuple[str, list[str]]:
    err = resp.json()["error"]
    assert err["status"] == resp.status_code
    return err["code"], [e["field"] for e in err["errors"]]


ROOMLE_REFUSED: list[tuple[str, Callable[[Callable[..., dict]], dict], dict, int,
                           tuple[str, list[str]]]] = [
    ("authentication: anonymous caller",
     lambda c: c("roomle", "anonymous", tenantId=str(DEMO))["headers"],
     {"label": "Refused Label"}, 401, ("unauthorized", ["token"])),
    ("authorization: a user", lambda c: roomle_headers(c, USER),
     {"label": "Refused Label"}, 403, ("forbidden", [])),
    ("authorization: another tenant's manager", lambda c: manager(c, PRIVATE),
     {"label": "Refused Label"}, 403, ("forbidden", [])),
    ("validation: visibility above 10", lambda c: roomle_headers(c, SUPER),
     {"label": "Refused Label", "visibility": 11}, 400, ("validation_error", ["visibility"])),
    ("rule: webhook not http(s)", lambda c: roomle_headers(c, SUPER),
     {"label": "Refused Label", "webhook": "ftp://files.example/hook"}, 422,
     ("validation_error", ["webhook"])),
    ("rule: name taken", lambda c: roomle_headers(c, SUPER),
     {"label": "Refused Label", "name": "PRIVATE_FURNITURE"}, 409, ("conflict", ["name"])),
    ("rule: a manager changing packages", lambda c: manager(c, DEMO),
     {"label": "Refused Label", "packages": [{"package": "tenant_enterprise"}]}, 403,
     ("forbidden", ["packages"])),
]


@pytest.mark.parametrize("kind,who,body,status,why", ROOMLE_REFUSED,
                         ids=[r[0].split(":")[0] + "-" + str(i)
                              for i, r in enumerate(ROOMLE_REFUSED)])
def test_roomle_refused_update_writes_nothing(client, credentials, kind, who, body, status,
                                              why):
    sup = roomle_headers(credentials, SUPER)
    before = client.get(f"{ROOMLE}/{DEMO}/", headers=sup).json()["tenant"]
    assert before["label"] != body["label"]
    resp = client.put(f"{ROOMLE}/{DEMO}/", json=body, headers=who(credentials))
    assert resp.status_code == status, resp.text
    assert _roomle_why(resp) == why
    after = client.get(f"{ROOMLE}/{DEMO}/", headers=sup).json()["tenant"]
    assert after == before


def test_roomle_refused_delete_of_the_super_admins_own_tenant_keeps_it(client, credentials):
    sup = roomle_headers(credentials, SUPER)
    before = client.get(f"{ROOMLE}/1/", headers=sup).json()["tenant"]
    resp = client.delete(f"{ROOMLE}/1/", headers=sup)
    assert resp.status_code == 409 and _roomle_why(resp) == ("conflict", ["id"])
    assert client.get(f"{ROOMLE}/1/", headers=sup).json()["tenant"] == before


# --- Wallet: POST /api/v1/tenants/update -------------------------------------------------

ACME = "5f0c4a3e-1b2d-4c6e-8f9a-0b1c2d3e4f50"
PLATFORM = {"X-API-KEY": "wk_platform_admin_key"}
WALLET_REFUSED = [
    ("authentication: unknown key", {"X-API-KEY": "wk_no_such_key"}, {"name": "Acme Refused"},
     401, "Unauthorized", []),
    ("authorization: a user", {"X-API-KEY": "wk_acme_user_key"}, {"name": "Acme Refused"},
     403, "", []),
    ("authorization: another tenant's admin", {"X-API-KEY": "wk_nordlicht_admin_key"},
     {"name": "Acme Refused"}, 403, "", []),
    ("validation: unknown member", {"X-API-KEY": "wk_acme_admin_key"},
     {"name": "Acme Refused", "email": "new@acme.example"}, 400, "Validation failed",
     ["email"]),
    ("rule: phone number not valid for the country", {"X-API-KEY": "wk_acme_admin_key"},
     {"name": "Acme Refused", "phoneNumber": "+46 8 123 456 78 99"}, 422, "", ["phoneNumber"]),
    ("rule: webhook not https", {"X-API-KEY": "wk_acme_admin_key"},
     {"name": "Acme Refused", "webhookUrl": "http://hooks.acme.example/w"}, 422, "",
     ["webhookUrl"]),
]


def _wallet_tenant(client: Any) -> dict:
    resp = client.get("/api/v1/tenants", params={"tenantId": ACME}, headers=PLATFORM)
    assert resp.status_code == 200
    return resp.json()["data"]["content"][0]


def _wallet_trace(client: Any) -> tuple[Any, Any]:
    """What a write leaves besides the record: its history and its outbox messages."""
    history = client.get("/api/v1/tenants/history", headers={**PLATFORM, "X-Tenant-ID": ACME})
    return history.json()["data"], client.get("/_sandbox/outbox").json()


@pytest.mark.parametrize("kind,key,body,status,message,fields", WALLET_REFUSED,
                         ids=[r[0].split(":")[0] + "-" + str(i)
                              for i, r in enumerate(WALLET_REFUSED)])
def test_wallet_refused_update_writes_nothing(client, kind, key, body, status, message,
                                              fields):
    before, trace = _wallet_tenant(client), _wallet_trace(client)
    assert all(before.get(k) != v for k, v in body.items())
    resp = client.post("/api/v1/tenants/update", json=body, headers={**key, "X-Tenant-ID": ACME})
    assert resp.status_code == status, resp.text
    doc = resp.json()
    assert doc["statusCode"] == status and doc["message"].startswith(message)
    assert [e["field"] for e in (doc["data"] or {}).get("errors", [])] == fields
    assert _wallet_tenant(client) == before
    assert _wallet_trace(client) == trace


def test_wallet_refused_register_with_a_taken_email_creates_nothing(client):
    from tests.wallet.test_wallet_api import reg

    listed = client.get("/api/v1/tenants", headers=PLATFORM).json()["data"]
    trace = _wallet_trace(client)
    resp = client.post("/api/v1/tenants/register",
                       json=reg(tenant__email="OPS@acme-wallet.example", tenant__name="Dup AG"))
    assert resp.status_code == 409
    assert resp.json() == {"statusCode": 409, "message": "Duplicate tenant email", "data": None}
    assert client.get("/api/v1/tenants", headers=PLATFORM).json()["data"] == listed
    assert _wallet_trace(client) == trace


# --- Pigello: PATCH /accounts/users/customer/tenant/{pk}/ ------------------------------------

def _pigello(credentials: Callable[..., dict], name: str = NORRSKEN, **change: str) -> dict:
    return {**credentials("pigello", "client", name=name)["headers"], **change}


PIGELLO_REFUSED = [
    ("authentication: wrong secret", {"X-PIGELLO-CLIENT-SECRET": "not-the-secret"},
     NORRSKEN, {"first_name": "Refused"}, 401, ["detail"]),
    ("authorization: another customer's id", {"X-PIGELLO-CUSTOMER-ID":
                                              "d76d4330-f144-4bea-b0c1-1fdecb91ce37"},
     NORRSKEN, {"first_name": "Refused"}, 403, ["detail"]),
    ("authorization: another customer's client (its objects are 404)", {}, SODERPORT,
     {"first_name": "Refused"}, 404, ["detail"]),
    ("validation: invoice_email not an email", {}, NORRSKEN,
     {"first_name": "Refused", "invoice_email": "nope"}, 400, ["invoice_email"]),
    ("rule: custom_id taken", {}, NORRSKEN, {"first_name": "Refused", "custom_id": "T-1002"},
     400, ["custom_id"]),
    ("rule: sni_number without corporate_name", {}, NORRSKEN,
     {"first_name": "Refused", "sni_number": "20.520"}, 400, ["sni_number"]),
]


@pytest.mark.parametrize("kind,change,who,body,status,members", PIGELLO_REFUSED,
                         ids=[r[0].split(":")[0] + "-" + str(i)
                              for i, r in enumerate(PIGELLO_REFUSED)])
def test_pigello_refused_patch_writes_nothing(client, credentials, kind, change, who, body,
                                              status, members):
    own = _pigello(credentials)
    before = client.get(f"{TENANTS}{T1}/", headers=own).json()
    assert all(before[k] != v for k, v in body.items())
    resp = client.patch(f"{TENANTS}{T1}/", json=body,
                        headers=_pigello(credentials, who, **change))
    assert resp.status_code == status, resp.text
    assert list(resp.json()) == members
    assert client.get(f"{TENANTS}{T1}/", headers=own).json() == before


def test_pigello_refused_delete_of_a_tenant_in_use_keeps_it(client, credentials):
    own = _pigello(credentials)
    before = client.get(f"{TENANTS}{T1}/", headers=own).json()
    resp = client.delete(f"{TENANTS}{T1}/", headers=own)
    assert resp.status_code == 409
    assert resp.json()["detail"].startswith("Cannot delete this tenant: it is used by 1 ")
    assert client.get(f"{TENANTS}{T1}/", headers=own).json() == before
