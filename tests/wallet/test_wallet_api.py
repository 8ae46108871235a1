"""Wallet Tenant API through HTTP: roles, rules, envelope, lists, extensions, keys."""

from __future__ import annotations

import copy
import threading

import pytest

PLATFORM = {"X-API-KEY": "wk_platform_admin_key"}
ACME = "5f0c4a3e-1b2d-4c6e-8f9a-0b1c2d3e4f50"
NORDLICHT = "6a1d5b4f-2c3e-4d7f-9a0b-1c2d3e4f5a61"
ACME_ADMIN = {"X-API-KEY": "wk_acme_admin_key", "X-Tenant-ID": ACME}
ACME_USER = {"X-API-KEY": "wk_acme_user_key", "X-Tenant-ID": ACME}
NORD_ADMIN = {"X-API-KEY": "wk_nordlicht_admin_key", "X-Tenant-ID": NORDLICHT}
REGISTER = {
    "tenant": {"name": "Krone Pay", "email": "team@krone-pay.example",
               "phoneNumber": "030 901821", "address": "Alexanderplatz 1, Berlin",
               "country": {"code": "DE", "name": "Germany"}, "allowNotification": True,
               "webhookUrl": "https://hooks.krone-pay.example/w"},
    "tenantAdmin": {"fullName": "Karl Krone", "phoneNumber": "+49 151 23456789",
                    "password": "s3cret-passw0rd", "email": "karl@krone-pay.example",
                    "country": {"code": "DE", "name": "Germany"}, "type": "TENANT_ADMIN",
                    "keyDuration": 2, "duration": "HOURS"},
}


def reg(**over):
    body = copy.deepcopy(REGISTER)
    for path, value in over.items():
        node = body
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        if value is ...:
            node.pop(last, None)
        else:
            node[last] = value
    return body


def assert_envelope(resp, status):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"statusCode", "message", "data"}
    assert body["statusCode"] == status
    return body


def tenant_count(client):
    return client.get("/api/v1/tenants", headers=PLATFORM).json()["data"]["totalElements"]


# --- register ------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, PLATFORM, ACME_ADMIN, ACME_USER],
                         ids=["anonymous", "platform", "tenant-admin", "user"])
def test_anyone_may_register(client, headers):
    body = assert_envelope(client.post("/api/v1/tenants/register", json=reg(),
                                       headers=headers), 201)
    data = body["data"]
    assert data["phoneNumber"] == "+4930901821"
    assert data["country"] == {"code": "DE", "name": "Germany"}
    admin = data["tenantAdmin"]
    assert admin["type"] == "TENANT_ADMIN" and admin["tenantId"] == data["tenantId"]
    assert admin["country"] == "DE" and admin["createdAt"].endswith("Z")
    assert "password" not in str(body)


def test_register_with_an_invalid_key_is_401(client):
    resp = client.post("/api/v1/tenants/register", json=reg(), headers={"X-API-KEY": "nope"})
    assert_envelope(resp, 401)
    assert tenant_count(client) == 2


def test_new_key_works_at_once_and_expires_with_the_clock(client):
    data = client.post("/api/v1/tenants/register", json=reg()).json()["data"]
    headers = {"X-API-KEY": data["tenantAdmin"]["apiKey"], "X-Tenant-ID": data["tenantId"]}
    page = assert_envelope(client.get("/api/v1/tenants", headers=headers), 200)["data"]
    assert [t["tenantId"] for t in page["content"]] == [data["tenantId"]]
    assert_envelope(client.post("/api/v1/tenants/update", json={"name": "Krone Pay AG"},
                                headers=headers), 200)
    client.post("/_sandbox/clock", json={"advance": 2 * 3600 - 5})
    assert_envelope(client.get("/api/v1/tenants", headers=headers), 200)
    client.post("/_sandbox/clock", json={"advance": 10})
    assert_envelope(client.get("/api/v1/tenants", headers=headers), 401)


def test_password_never_leaves_the_server(client):
    client.post("/api/v1/tenants/register", json=reg())
    journal = client.get("/_sandbox/requests", params={"api": "wallet"}).text
    outbox = client.get("/_sandbox/outbox").text
    state = client.get("/_sandbox/state").text
    for text in (journal, outbox, state):
        assert "s3cret-passw0rd" not in text


@pytest.mark.parametrize("email", ["team@krone-pay.example", "TEAM@Krone-Pay.example"])
def test_duplicate_tenant_email_is_409_case_insensitively(client, email):
    assert client.post("/api/v1/tenants/register", json=reg()).status_code == 201
    body = assert_envelope(client.post(
        "/api/v1/tenants/register",
        json=reg(tenant__email=email, tenantAdmin__email="other@krone.example")), 409)
    assert body["message"] == "Duplicate tenant email"
    assert tenant_count(client) == 3


def test_seeded_email_is_taken_too(client):
    body = assert_envelope(client.post("/api/v1/tenants/register",
                                       json=reg(tenant__email="OPS@acme-wallet.example")), 409)
    assert body["message"] == "Duplicate tenant email"


def test_concurrent_registrations_with_one_email(app, sandbox_id):
    results = []

    def go(i):
        with app.test_client(headers={"X-Sandbox-Id": sandbox_id}) as c:
            resp = c.post("/api/v1/tenants/register", json=reg(
                tenant__email="Race@Krone-Pay.example" if i % 2 else "race@krone-pay.example",
                tenantAdmin__email=f"admin{i}@krone-pay.example"))
            results.append(resp.status_code)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [409] * 9
    with app.test_client(headers={"X-Sandbox-Id": sandbox_id}) as c:
        assert tenant_count(c) == 3


@pytest.mark.parametrize("over,field,status", [
    ({"tenant__phoneNumber": "+33 1 23 45 67 89"}, "tenant.phoneNumber", 422),
    ({"tenant__phoneNumber": "12"}, "tenant.phoneNumber", 400),
    ({"tenant__phoneNumber": "not a phone"}, "tenant.phoneNumber", 422),
    ({"tenant__webhookUrl": "http://hooks.krone-pay.example/w"}, "tenant.webhookUrl", 422),
    ({"tenant__webhookUrl": "not a url"}, "tenant.webhookUrl", 400),
    ({"tenant__country": {"code": "XX"}}, "tenant.country.code", 422),
    ({"tenant__country": {"code": "DE", "name": "France"}}, "tenant.country.name", 422),
    ({"tenant__email": "nope"}, "tenant.email", 400),
    ({"tenant__name": ""}, "tenant.name", 400),
    ({"tenantAdmin__password": "short"}, "tenantAdmin.password", 400),
    ({"tenantAdmin__duration": "DECADES"}, "tenantAdmin.duration", 400),
    ({"tenantAdmin__keyDuration": 0}, "tenantAdmin.keyDuration", 400),
    ({"tenantAdmin__type": "USER"}, "tenantAdmin.type", 400),
    ({"tenantAdmin__email": ...}, "tenantAdmin.email", 400),
    ({"tenant__extra": 1}, "tenant.extra", 400),
])
def test_register_validation_names_the_field_and_writes_nothing(client, over, field, status):
    before = client.get("/_sandbox/outbox").json()["total"]
    body = assert_envelope(client.post("/api/v1/tenants/register", json=reg(**over)), status)
    assert field in body["message"]
    assert field in [e["field"] for e in body["data"]["errors"]]
    assert tenant_count(client) == 2
    assert client.get("/_sandbox/outbox").json()["total"] == before


def test_phone_valid_for_another_country_is_accepted_there(client):
    body = reg(tenant__phoneNumber="+33 1 23 45 67 89",
               tenant__country={"code": "FR", "name": "France"})
    data = assert_envelope(client.post("/api/v1/tenants/register", json=body), 201)["data"]
    assert data["phoneNumber"] == "+33123456789"


def test_remembered_phone_and_email_checks_answer_per_country_and_address(client):
    """Phone, country and email-domain checks are remembered: the same inputs give the
    same answers however often and in whatever order they come."""
    french = "+33 1 23 45 67 89"
    for _ in range(2):
        assert client.post("/api/v1/tenants/register",
                           json=reg(tenant__phoneNumber=french)).status_code == 422
        assert client.post("/api/v1/tenants/register",
                           json=reg(tenant__email="x@exa_mple.example")).status_code == 400
    body = reg(tenant__phoneNumber=french, tenant__country={"code": "FR", "name": "France"},
               tenant__email="y@krone-pay.example")
    assert client.post("/api/v1/tenants/register", json=body).status_code == 201
    again = reg(tenant__phoneNumber=french, tenant__email="z@krone-pay.example",
                tenantAdmin__email="k2@krone-pay.example")
    assert client.post("/api/v1/tenants/register", json=again).status_code == 422


def test_onboarding_notifications_and_webhook_are_recorded(client):
    data = client.post("/api/v1/tenants/register", json=reg()).json()["data"]
    messages = client.get("/_sandbox/outbox", params={"api": "wallet"}).json()["messages"]
    kinds = {(m["kind"], m["to"]) for m in messages}
    assert ("email", "team@krone-pay.example") in kinds
    assert ("email", "karl@krone-pay.example") in kinds
    hook = [m for m in messages if m["kind"] == "webhook"]
    assert hook[0]["to"] == "https://hooks.krone-pay.example/w"
    assert hook[0]["payload"]["event"] == "tenant.registered"
    assert hook[0]["payload"]["tenant"]["tenantId"] == data["tenantId"]
    client.delete("/_sandbox/outbox")
    quiet = reg(tenant__email="q@krone.example", tenantAdmin__email="qa@krone.example",
                tenant__allowNotification=False)
    client.post("/api/v1/tenants/register", json=quiet)
    kinds = [m["kind"] for m in client.get("/_sandbox/outbox").json()["messages"]]
    assert kinds == ["email", "email"]


# --- update ---------------------------------------------------------------------------

@pytest.mark.parametrize("headers,target,status", [
    (PLATFORM, ACME, 200), (PLATFORM, NORDLICHT, 200),
    (ACME_ADMIN, ACME, 200), (ACME_ADMIN, NORDLICHT, 403),
    (ACME_USER, ACME, 403), ({"X-API-KEY": "wk_unknown"}, ACME, 401), ({}, ACME, 401),
    (PLATFORM, "no-such-tenant", 404),
])
def test_update_by_role(client, headers, target, status):
    resp = client.post("/api/v1/tenants/update", json={"address": "Neue Str. 2"},
                       headers={**headers, "X-Tenant-ID": target})
    body = assert_envelope(resp, status)
    if status == 200:
        assert body["data"]["address"] == "Neue Str. 2"
        assert body["data"]["tenantId"] == target
    else:
        assert body["data"] is None  # 401, 403 and 404 carry no field detail (docs/wallet.md)
        addresses = [t["address"] for t in client.get("/api/v1/tenants", headers=PLATFORM)
                     .json()["data"]["content"]]
        assert "Neue Str. 2" not in addresses


def test_update_changes_only_what_is_sent_and_validates(client):
    before = client.get("/api/v1/tenants", headers=PLATFORM, params={"tenantId": ACME}).json()
    old = before["data"]["content"][0]
    client.post("/_sandbox/clock", json={"advance": 5})
    resp = client.post("/api/v1/tenants/update", headers=ACME_ADMIN,
                       json={"phoneNumber": "030 1234567", "allowNotification": False})
    new = assert_envelope(resp, 200)["data"]
    assert new["phoneNumber"] == "+49301234567" and new["allowNotification"] is False
    assert new["name"] == old["name"] and new["updatedAt"] > old["updatedAt"]
    for body, field in [({"phoneNumber": "+46 8 123 456 78"}, "phoneNumber"),
                        ({"webhookUrl": "http://x.example"}, "webhookUrl"),
                        ({"name": ""}, "name"), ({}, None), ({"email": "x@y.example"}, "email")]:
        resp = client.post("/api/v1/tenants/update", headers=ACME_ADMIN, json=body)
        err = assert_envelope(resp, 422 if field in ("phoneNumber", "webhookUrl") else 400)
        if field:
            assert field in err["message"]
    after = client.get("/api/v1/tenants", headers=PLATFORM, params={"tenantId": ACME}).json()
    assert after["data"]["content"][0] == new


def test_update_needs_the_tenant_header(client):
    body = assert_envelope(client.post("/api/v1/tenants/update", json={"name": "x"},
                                       headers={"X-API-KEY": "wk_platform_admin_key"}), 400)
    assert "X-Tenant-ID" in body["message"]


def test_update_sends_a_webhook_when_allowed(client):
    client.post("/api/v1/tenants/update", headers=ACME_ADMIN, json={"name": "Acme Wallet SE"})
    hooks = client.get("/_sandbox/outbox", params={"kind": "webhook"}).json()["messages"]
    assert hooks[-1]["payload"]["event"] == "tenant.updated"
    assert hooks[-1]["payload"]["tenant"]["name"] == "Acme Wallet SE"


# --- list -----------------------------------------------------------------------------

def _more(client, n=5):
    countries = ["DE", "FR", "NL", "DE", "FR"]
    phones = {"DE": "030 901821", "FR": "01 23 45 67 89", "NL": "020 123 4567"}
    for i in range(n):
        c = countries[i % len(countries)]
        resp = client.post("/api/v1/tenants/register", json=reg(
            tenant__name=f"T{i}", tenant__email=f"t{i}@list.example",
            tenant__country={"code": c}, tenant__phoneNumber=phones[c],
            tenant__allowNotification=i % 2 == 0, tenantAdmin__email=f"a{i}@list.example",
            tenantAdmin__country=...))
        assert resp.status_code == 201, resp.text
        client.post("/_sandbox/clock", json={"advance": 1})


@pytest.mark.parametrize("headers,status,visible", [
    (PLATFORM, 200, 2), (ACME_ADMIN, 200, 1), (NORD_ADMIN, 200, 1), (ACME_USER, 403, 0),
    ({"X-API-KEY": "bad"}, 401, 0), ({}, 401, 0)])
def test_list_by_role(client, headers, status, visible):
    body = assert_envelope(client.get("/api/v1/tenants", headers=headers), status)
    if status == 200:
        assert body["data"]["totalElements"] == visible
    if headers is ACME_ADMIN:
        assert body["data"]["content"][0]["tenantId"] == ACME


def test_list_filters_combined(client):
    _more(client)
    def q(**params):
        return client.get("/api/v1/tenants", headers=PLATFORM, params=params).json()["data"]
    assert q(country="DE")["totalElements"] == 3
    assert q(country="de,fr")["totalElements"] == 5
    assert q(country="DE,FR", allowNotification="true")["totalElements"] == 3
    assert q(name="T0,T3", country="DE")["totalElements"] == 2
    assert q(email="T1@LIST.example,t2@list.example")["totalElements"] == 2
    assert q(tenantId=f"{ACME},{NORDLICHT}")["totalElements"] == 2
    assert q(tenantId=ACME, name="nope")["totalElements"] == 0


def test_list_sort_both_ways_and_paging(client):
    _more(client)
    asc = client.get("/api/v1/tenants", headers=PLATFORM,
                     params={"sort": "createdAt,asc", "size": 3}).json()["data"]
    assert asc["totalElements"] == 7 and asc["totalPages"] == 3 and asc["size"] == 3
    assert asc["number"] == 0 and len(asc["content"]) == 3
    desc = client.get("/api/v1/tenants", headers=PLATFORM,
                      params={"sort": "createdAt,desc", "size": 7}).json()["data"]
    dates = [t["createdAt"] for t in desc["content"]]
    assert dates == sorted(dates, reverse=True)
    names = client.get("/api/v1/tenants", headers=PLATFORM,
                       params={"sort": "name,asc", "size": 7}).json()["data"]["content"]
    assert [t["name"] for t in names] == sorted((t["name"] for t in names), key=str.casefold)
    last = client.get("/api/v1/tenants", headers=PLATFORM,
                      params={"page": 2, "size": 3}).json()["data"]
    assert len(last["content"]) == 1 and last["number"] == 2
    past = client.get("/api/v1/tenants", headers=PLATFORM,
                      params={"page": 9, "size": 3}).json()["data"]
    assert past == {"content": [], "totalElements": 7, "totalPages": 3, "size": 3, "number": 9}


@pytest.mark.parametrize("params,name", [({"sort": "password,asc"}, "sort"),
                                         ({"sort": "NAME"}, "sort"),
                                         ({"sort": "name,sideways"}, "sort"),
                                         ({"allowNotification": "maybe"}, "allowNotification")])
def test_list_bad_parameters(client, params, name):
    body = assert_envelope(client.get("/api/v1/tenants", headers=PLATFORM, params=params), 400)
    assert name in body["message"]
    assert [e["field"] for e in body["data"]["errors"]] == [name]


def test_list_without_and_with_trailing_slash(client):
    a = client.get("/api/v1/tenants", headers=PLATFORM).json()
    b = client.get("/api/v1/tenants/", headers=PLATFORM).json()
    assert a == b


# --- delete / restore / history ---------------------------------------------------------

def test_soft_delete_restore_history_round_trip(client):
    client.post("/api/v1/tenants/update", headers=ACME_ADMIN, json={"name": "Acme Renamed"})
    assert_envelope(client.post("/api/v1/tenants/delete", headers=ACME_ADMIN), 200)
    assert tenant_count(client) == 1
    assert_envelope(client.get("/api/v1/tenants", headers=ACME_ADMIN), 401)
    assert_envelope(client.post("/api/v1/tenants/update", json={"name": "x"},
                                headers={**PLATFORM, "X-Tenant-ID": ACME}), 404)
    taken = reg(tenant__email="ops@acme-wallet.example")
    assert assert_envelope(client.post("/api/v1/tenants/register", json=taken), 409)
    assert_envelope(client.post("/api/v1/tenants/restore", headers=ACME_ADMIN), 401)
    restored = assert_envelope(client.post("/api/v1/tenants/restore",
                                           headers={**PLATFORM, "X-Tenant-ID": ACME}), 200)
    assert restored["data"]["name"] == "Acme Renamed"
    assert_envelope(client.post("/api/v1/tenants/restore",
                                headers={**PLATFORM, "X-Tenant-ID": ACME}), 409)
    assert tenant_count(client) == 2
    entries = assert_envelope(client.get("/api/v1/tenants/history", headers=ACME_ADMIN),
                              200)["data"]
    assert [e["action"] for e in entries] == ["UPDATED", "DELETED", "RESTORED"]
    assert entries[0]["changes"]["name"] == {"from": "Acme Wallet GmbH", "to": "Acme Renamed"}
    assert entries[0]["actor"]["role"] == "tenant_admin"
    assert entries[2]["actor"]["role"] == "platform_admin"


def test_history_of_a_registration(client):
    data = client.post("/api/v1/tenants/register", json=reg()).json()["data"]
    entries = client.get("/api/v1/tenants/history",
                         headers={**PLATFORM, "X-Tenant-ID": data["tenantId"]}).json()["data"]
    assert [e["action"] for e in entries] == ["REGISTERED"]
    assert entries[0]["actor"]["role"] == "anonymous"
    assert entries[0]["changes"]["email"]["to"] == "team@krone-pay.example"


@pytest.mark.parametrize("path", ["/api/v1/tenants/delete", "/api/v1/tenants/history"])
@pytest.mark.parametrize("headers,status", [
    (ACME_USER, 403), ({**ACME_ADMIN, "X-Tenant-ID": NORDLICHT}, 403),
    ({**PLATFORM, "X-Tenant-ID": "nope"}, 404)])
def test_extensions_by_role(client, path, headers, status):
    method = client.post if path.endswith("delete") else client.get
    assert_envelope(method(path, headers=headers), status)
    assert tenant_count(client) == 2


def test_restore_is_for_platform_admins_only(client):
    client.post("/api/v1/tenants/delete", headers={**PLATFORM, "X-Tenant-ID": NORDLICHT})
    assert_envelope(client.post("/api/v1/tenants/restore", headers=ACME_ADMIN), 403)


# --- envelope everywhere -----------------------------------------------------------------

@pytest.mark.parametrize("method,path,kw,status", [
    ("GET", "/api/v1/tenants/unknown", {}, 404),
    ("DELETE", "/api/v1/tenants", {}, 405),
    ("POST", "/api/v1/tenants/register", {"content": b"{bad json",
                                           "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/api/v1/tenants/register", {"content": b"x=1",
                                           "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", "/api/v1/tenants/register", {"json": [1, 2]}, 400),
])
def test_every_error_is_an_envelope(client, method, path, kw, status):
    kw.setdefault("headers", {}).update(PLATFORM)
    assert_envelope(client.request(method, path, **kw), status)


def test_credentials_list_every_role(client):
    creds = client.get("/_sandbox/credentials").json()["wallet"]
    roles = {c["role"] for c in creds}
    assert roles == {"platform_admin", "tenant_admin", "user"}
    for c in creds:
        assert set(c["headers"]) == {"X-API-KEY", "X-Tenant-ID"}
        status = 403 if c["role"] == "user" else 200
        assert client.get("/api/v1/tenants", headers=c["headers"]).status_code == status


def test_generated_tenants_pass_the_apis_own_rules(client, tmp_path):
    from mock_server.cli import main

    out = tmp_path / "w.yaml"
    assert main(["generate", "--seed", "3", "--wallet-tenants", "30", "--quiet", "-o",
                 str(out)]) == 0
    assert client.post("/_sandbox/fixtures", content=out.read_text(),
                       headers={"Content-Type": "application/yaml"}).status_code == 200
    page = client.get("/api/v1/tenants", headers=PLATFORM, params={"size": 100}).json()["data"]
    assert page["totalElements"] == 32
    for tenant in page["content"]:
        body = {"phoneNumber": tenant["phoneNumber"], "name": tenant["name"],
                "webhookUrl": tenant["webhookUrl"]}
        resp = client.post("/api/v1/tenants/update", json=body,
                           headers={**PLATFORM, "X-Tenant-ID": tenant["tenantId"]})
        assert resp.status_code == 200, resp.text
