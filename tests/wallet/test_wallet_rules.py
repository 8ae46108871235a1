"""Wallet rules a regression could slip past (issue 19): each role on each list filter,
every sort key, filters with paging, webhooks of delete / restore, key expiry per unit,
the state export keeping history and keys, and fixture checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.wallet.test_wallet_api import (
    ACME,
    ACME_ADMIN,
    ACME_USER,
    NORD_ADMIN,
    NORDLICHT,
    PLATFORM,
    _more,
    assert_envelope,
    reg,
)

LIST = "/api/v1/tenants"


def _ids(params):
    return "&".join(f"{k}={v}" for k, v in params.items())


def page(client, headers=PLATFORM, status=200, **params):
    return assert_envelope(client.get(LIST, headers=headers, params=params), status)["data"]


def names(data):
    return [t["name"] for t in data["content"]]


def _time(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- each role on each list filter --------------------------------------------------------
# After _more: Acme (DE, notify), Nordlicht (SE), T0 DE notify, T1 FR, T2 NL notify,
# T3 DE, T4 FR notify, in registration order.

FILTERS = [{"country": "DE"}, {"country": "se"}, {"name": "Acme Wallet GmbH"},
           {"name": "nordlicht pay ab"}, {"email": "ops@acme-wallet.example"},
           {"email": "hello@nordlicht-pay.example"}, {"tenantId": ACME},
           {"tenantId": NORDLICHT}, {"allowNotification": "true"},
           {"allowNotification": "false"}, {"sort": "name,desc"}]


@pytest.mark.parametrize("params", FILTERS, ids=_ids)
@pytest.mark.parametrize("headers,own", [(ACME_ADMIN, "Acme Wallet GmbH"),
                                         (NORD_ADMIN, "Nordlicht Pay AB")],
                         ids=["acme-admin", "nordlicht-admin"])
def test_a_tenant_admin_sees_only_its_own_tenant_through_every_filter(client, headers, own,
                                                                      params):
    _more(client)
    every = page(client, **params, size=50)
    mine = page(client, headers, **params)
    expected = [own] if own in names(every) else []
    assert names(mine) == expected
    assert mine["totalElements"] == len(expected)


@pytest.mark.parametrize("params", FILTERS, ids=_ids)
def test_a_user_may_not_list_with_any_filter(client, params):
    body = assert_envelope(client.get(LIST, headers=ACME_USER, params=params), 403)
    assert body["message"] == "Regular users cannot view tenant information"


def test_each_filter_alone_for_a_platform_admin(client):
    _more(client)
    assert names(page(client, country="DE")) == ["Acme Wallet GmbH", "T0", "T3"]
    assert names(page(client, country="fr,nl")) == ["T1", "T2", "T4"]
    assert names(page(client, name="t3,T1")) == ["T1", "T3"]
    assert names(page(client, email="T4@list.example")) == ["T4"]
    assert names(page(client, email="nobody@list.example")) == []
    assert names(page(client, tenantId=f"{NORDLICHT},no-such-id")) == ["Nordlicht Pay AB"]
    assert names(page(client, allowNotification="true")) == ["Acme Wallet GmbH", "T0", "T2",
                                                             "T4"]
    assert names(page(client, allowNotification="false")) == ["Nordlicht Pay AB", "T1", "T3"]


def test_filters_combined_with_each_other(client):
    _more(client)
    assert names(page(client, name="T0,T1", allowNotification="false")) == ["T1"]
    assert names(page(client, country="DE", allowNotification="false")) == ["T3"]
    assert names(page(client, email="t0@list.example", name="T1")) == []
    assert names(page(client, email="t0@list.example", country="DE")) == ["T0"]
    assert names(page(client, tenantId=ACME, country="SE")) == []
    assert names(page(client, tenantId=ACME, email="ops@acme-wallet.example")) == [
        "Acme Wallet GmbH"]
    assert names(page(client, tenantId=NORDLICHT, allowNotification="true")) == []


@pytest.mark.parametrize("params,pages", [
    ({"country": "DE"}, [["Acme Wallet GmbH", "T0"], ["T3"]]),
    ({"name": "T0,T1,T2,T3,T4"}, [["T0", "T1"], ["T2", "T3"], ["T4"]]),
    ({"allowNotification": "true"}, [["Acme Wallet GmbH", "T0"], ["T2", "T4"]]),
    ({"country": "DE,FR", "allowNotification": "true"}, [["Acme Wallet GmbH", "T0"], ["T4"]]),
    ({"country": "DE", "sort": "name,desc"}, [["T3", "T0"], ["Acme Wallet GmbH"]]),
    ({"email": "t0@list.example,t1@list.example,t3@list.example"}, [["T0", "T1"], ["T3"]]),
    ({"tenantId": ACME}, [["Acme Wallet GmbH"]]),
    ({}, [["Acme Wallet GmbH", "Nordlicht Pay AB"], ["T0", "T1"], ["T2", "T3"], ["T4"]]),
], ids=lambda v: str(v))
def test_filters_with_paging_give_the_right_page_and_size(client, params, pages):
    _more(client)
    total = sum(len(p) for p in pages)
    for number, expected in enumerate(pages):
        data = page(client, **params, page=number, size=2)
        assert names(data) == expected
        assert (data["totalElements"], data["totalPages"], data["size"], data["number"]) == (
            total, len(pages), 2, number)
    past = page(client, **params, page=len(pages), size=2)
    assert past == {"content": [], "totalElements": total, "totalPages": len(pages),
                    "size": 2, "number": len(pages)}


@pytest.mark.parametrize("params", [{"country": "DE"}, {"name": "T0"}, {"email": "t0@list.example"},
                                    {"tenantId": "T0-ID"}, {"allowNotification": "true"},
                                    {"country": "DE", "sort": "name"}, {}])
def test_soft_deleted_tenants_are_left_out_of_every_filter(client, params):
    _more(client)
    t0 = page(client, name="T0")["content"][0]["tenantId"]
    params = {k: (t0 if v == "T0-ID" else v) for k, v in params.items()}
    before = names(page(client, **params, size=50))
    assert "T0" in before
    assert_envelope(client.post(f"{LIST}/delete", headers={**PLATFORM, "X-Tenant-ID": t0}), 200)
    after = page(client, **params, size=50)
    assert names(after) == [n for n in before if n != "T0"]
    assert after["totalElements"] == len(before) - 1


# --- every sort key -------------------------------------------------------------------------

def _sortable_world(client):
    """Three more tenants whose registration order differs from every sort order."""
    rows = [("mango Ltd", "b@sort.example", "FR", "01 23 45 67 89", "Zeta 1", False, None),
            ("Apple AG", "c@sort.example", "DE", "030 901829", None, True,
             "https://b.sort.example/h"),
            ("zebra BV", "a@sort.example", "NL", "020 123 4567", "alpha 2", True,
             "https://a.sort.example/h")]
    for i, (name, email, code, phone, address, allow, hook) in enumerate(rows):
        body = reg(tenant__name=name, tenant__email=email, tenant__country={"code": code},
                   tenant__phoneNumber=phone, tenant__address=address,
                   tenant__allowNotification=allow, tenant__webhookUrl=hook,
                   tenantAdmin__email=f"adm{i}@sort.example", tenantAdmin__country=...)
        if address is None:
            del body["tenant"]["address"]
        if hook is None:
            del body["tenant"]["webhookUrl"]
        assert client.post(f"{LIST}/register", json=body).status_code == 201
        client.post("/_sandbox/clock", json={"advance": 1})
    # updatedAt in yet another order
    apple = page(client, name="Apple AG")["content"][0]["tenantId"]
    client.post(f"{LIST}/update", headers={**PLATFORM, "X-Tenant-ID": apple},
                json={"name": "Apple AG"})


ACME_N, NORD_N = "Acme Wallet GmbH", "Nordlicht Pay AB"


@pytest.mark.parametrize("sort,expected", [
    ("name", ["Acme Wallet GmbH", "Apple AG", "mango Ltd", "Nordlicht Pay AB", "zebra BV"]),
    ("email", ["zebra BV", "mango Ltd", "Apple AG", NORD_N, ACME_N]),
    ("phoneNumber", ["zebra BV", "mango Ltd", NORD_N, ACME_N, "Apple AG"]),
    ("address", ["zebra BV", NORD_N, ACME_N, "mango Ltd", "Apple AG"]),
    ("country", [ACME_N, "Apple AG", "mango Ltd", "zebra BV", NORD_N]),
    ("country.code", [ACME_N, "Apple AG", "mango Ltd", "zebra BV", NORD_N]),
    ("country.name", ["mango Ltd", ACME_N, "Apple AG", "zebra BV", NORD_N]),
    ("allowNotification", [NORD_N, "mango Ltd", ACME_N, "Apple AG", "zebra BV"]),
    ("webhookUrl", ["zebra BV", "Apple AG", ACME_N, NORD_N, "mango Ltd"]),
    ("createdAt", [ACME_N, NORD_N, "mango Ltd", "Apple AG", "zebra BV"]),
    ("updatedAt", [ACME_N, NORD_N, "mango Ltd", "zebra BV", "Apple AG"]),
])
def test_every_sort_key_both_ways(client, sort, expected):
    _sortable_world(client)
    assert names(page(client, sort=sort, size=50)) == expected
    assert names(page(client, sort=f"{sort},asc", size=50)) == expected
    down = names(page(client, sort=f"{sort},DESC", size=50))
    # descending reverses the order, nulls first, ties keep registration order
    ties = {"createdAt": [(ACME_N, NORD_N)], "updatedAt": [(ACME_N, NORD_N)],
            "country": [(ACME_N, "Apple AG")], "country.code": [(ACME_N, "Apple AG")],
            "country.name": [(ACME_N, "Apple AG")],
            "allowNotification": [(NORD_N, "mango Ltd"), (ACME_N, "Apple AG", "zebra BV")],
            "webhookUrl": [(NORD_N, "mango Ltd")]}
    reversed_ = list(reversed(expected))
    for group in ties.get(sort, []):
        at = min(reversed_.index(n) for n in group)
        reversed_[at:at + len(group)] = list(group)
    assert down == reversed_


def test_sort_by_tenant_id_orders_by_the_id(client):
    _sortable_world(client)
    ids = [t["tenantId"] for t in page(client, sort="tenantId", size=50)["content"]]
    assert ids == sorted(ids) and len(ids) == 5
    down = [t["tenantId"] for t in page(client, sort="tenantId,desc", size=50)["content"]]
    assert down == sorted(ids, reverse=True)


def test_sort_by_two_keys_and_by_a_later_key_for_ties(client):
    _sortable_world(client)
    got = names(page(client, sort=["allowNotification,desc", "name,asc"], size=50))
    assert got == [ACME_N, "Apple AG", "zebra BV", "mango Ltd", NORD_N]
    both = names(page(client, sort="allowNotification,name,desc", size=50))
    assert both == ["zebra BV", "Apple AG", ACME_N, NORD_N, "mango Ltd"]


def test_sort_with_a_tenant_admin_and_paging(client):
    _sortable_world(client)
    assert names(page(client, ACME_ADMIN, sort="name,desc")) == [ACME_N]
    second = page(client, sort="name,desc", size=2, page=1)
    assert names(second) == ["mango Ltd", "Apple AG"]
    assert (second["totalElements"], second["totalPages"]) == (5, 3)


# --- webhooks, duplicates ----------------------------------------------------------------------

def _hooks(client):
    return [(m["to"], m["payload"]["event"], m["payload"]["tenant"]["tenantId"])
            for m in client.get("/_sandbox/outbox", params={"kind": "webhook"}).json()["messages"]]


def test_delete_and_restore_send_their_webhooks(client):
    url = "https://hooks.acme-wallet.example/wallet"
    assert_envelope(client.post(f"{LIST}/delete", headers=ACME_ADMIN), 200)
    assert _hooks(client) == [(url, "tenant.deleted", ACME)]
    assert_envelope(client.post(f"{LIST}/restore", headers={**PLATFORM, "X-Tenant-ID": ACME}),
                    200)
    assert _hooks(client) == [(url, "tenant.deleted", ACME), (url, "tenant.restored", ACME)]


def test_no_webhook_without_url_or_without_consent(client):
    nord = {**PLATFORM, "X-Tenant-ID": NORDLICHT}
    assert_envelope(client.post(f"{LIST}/update", headers=nord,
                                json={"allowNotification": True}), 200)
    assert_envelope(client.post(f"{LIST}/delete", headers=nord), 200)
    assert_envelope(client.post(f"{LIST}/restore", headers=nord), 200)
    assert_envelope(client.post(f"{LIST}/update", headers=ACME_ADMIN,
                                json={"allowNotification": False}), 200)
    assert_envelope(client.post(f"{LIST}/delete", headers=ACME_ADMIN), 200)
    assert _hooks(client) == []


def test_registration_without_a_webhook_url_sends_no_webhook(client):
    body = reg(tenant__webhookUrl=...)
    data = assert_envelope(client.post(f"{LIST}/register", json=body), 201)["data"]
    assert data["webhookUrl"] is None and data["allowNotification"] is True
    assert _hooks(client) == []
    silent = reg(tenant__allowNotification=..., tenant__email="s@krone.example",
                 tenantAdmin__email="sa@krone.example")
    data = assert_envelope(client.post(f"{LIST}/register", json=silent), 201)["data"]
    assert data["allowNotification"] is False
    assert _hooks(client) == []


def test_registration_emails_carry_the_ids_and_the_key_expiry(client):
    data = assert_envelope(client.post(f"{LIST}/register", json=reg()), 201)["data"]
    mails = client.get("/_sandbox/outbox", params={"kind": "email"}).json()["messages"]
    assert [(m["to"], m["payload"]["template"]) for m in mails] == [
        ("team@krone-pay.example", "tenant-onboarding"),
        ("karl@krone-pay.example", "admin-welcome")]
    assert mails[0]["payload"] == {"template": "tenant-onboarding", "tenantId": data["tenantId"],
                                   "name": "Krone Pay"}
    assert mails[1]["payload"] == {"template": "admin-welcome", "tenantId": data["tenantId"],
                                   "userId": data["tenantAdmin"]["userId"],
                                   "apiKeyExpiresAt": data["tenantAdmin"]["apiKeyExpiresAt"]}


@pytest.mark.parametrize("email", ["greta@acme-wallet.example", "UWE@Acme-Wallet.example"])
def test_duplicate_user_email_is_409_and_writes_nothing(client, email):
    before = client.get("/_sandbox/state").json()["wallet"]
    body = assert_envelope(client.post(f"{LIST}/register", json=reg(tenantAdmin__email=email)),
                           409)
    assert body == {"statusCode": 409, "message": "Duplicate user email", "data": None}
    assert client.get("/_sandbox/state").json()["wallet"] == before
    assert client.get("/_sandbox/outbox").json()["total"] == 0


def test_a_second_admin_with_the_same_email_is_refused(client):
    assert_envelope(client.post(f"{LIST}/register", json=reg()), 201)
    again = reg(tenant__email="other@krone-pay.example",
                tenantAdmin__email="KARL@krone-pay.example")
    assert assert_envelope(client.post(f"{LIST}/register", json=again), 409)["message"] == \
        "Duplicate user email"
    assert page(client, name="Krone Pay")["totalElements"] == 1


# --- register: admin country and phone, key expiry -------------------------------------------

def test_the_admin_takes_the_tenant_country_when_it_sends_none(client):
    body = reg(tenant__country={"code": "fr"}, tenant__phoneNumber="01 23 45 67 89",
               tenantAdmin__country=..., tenantAdmin__phoneNumber="+33 6 12 34 56 78")
    data = assert_envelope(client.post(f"{LIST}/register", json=body), 201)["data"]
    assert data["country"] == {"code": "FR", "name": "France"}
    assert data["tenantAdmin"]["country"] == "FR"
    assert data["tenantAdmin"]["phoneNumber"] == "+33612345678"


@pytest.mark.parametrize("admin,field", [
    ({"tenantAdmin__phoneNumber": "0151 23456789", "tenantAdmin__country": ...},
     "tenantAdmin.phoneNumber"),
    ({"tenantAdmin__country": {"code": "FR"}}, "tenantAdmin.phoneNumber"),
    ({"tenantAdmin__country": {"code": "QQ"}}, "tenantAdmin.country.code"),
    ({"tenantAdmin__country": {"code": "DE", "name": "Austria"}}, "tenantAdmin.country.name"),
])
def test_the_admin_phone_and_country_are_checked(client, admin, field):
    body = assert_envelope(client.post(f"{LIST}/register", json=reg(**admin)), 422)
    assert field in [e["field"] for e in body["data"]["errors"]]
    assert page(client)["totalElements"] == 2


def test_an_admin_without_phone_or_country_is_accepted(client):
    body = reg(tenantAdmin__phoneNumber=..., tenantAdmin__country=...)
    data = assert_envelope(client.post(f"{LIST}/register", json=body), 201)["data"]
    assert data["tenantAdmin"]["phoneNumber"] is None
    assert data["tenantAdmin"]["country"] == "DE"


def test_official_and_common_country_names_are_accepted_and_the_common_one_answers(client):
    body = reg(tenant__country={"code": "tw", "name": "Taiwan, Province of China"},
               tenant__phoneNumber="+886 2 2345 6789", tenantAdmin__country=...,
               tenantAdmin__phoneNumber=...)
    data = assert_envelope(client.post(f"{LIST}/register", json=body), 201)["data"]
    assert data["country"] == {"code": "TW", "name": "Taiwan"}
    body = reg(tenant__country={"code": "DE", "name": "federal republic of germany"},
               tenant__email="o@krone.example", tenantAdmin__email="oa@krone.example")
    assert assert_envelope(client.post(f"{LIST}/register", json=body),
                           201)["data"]["country"] == {"code": "DE", "name": "Germany"}


@pytest.mark.parametrize("unit,delta", [("HOURS", timedelta(hours=1)), ("DAYS", timedelta(days=1)),
                                        ("WEEKS", timedelta(weeks=1)),
                                        ("MONTHS", timedelta(days=30)),
                                        ("YEARS", timedelta(days=365))])
def test_key_expiry_for_every_duration_unit(client, unit, delta):
    body = reg(tenantAdmin__duration=unit, tenantAdmin__keyDuration=3)
    data = assert_envelope(client.post(f"{LIST}/register", json=body), 201)["data"]
    admin = data["tenantAdmin"]
    assert _time(admin["apiKeyExpiresAt"]) - _time(data["createdAt"]) == 3 * delta
    headers = {"X-API-KEY": admin["apiKey"], "X-Tenant-ID": data["tenantId"]}
    client.post("/_sandbox/clock", json={"advance": 3 * delta.total_seconds() - 1})
    assert_envelope(client.get(LIST, headers=headers), 200)
    client.post("/_sandbox/clock", json={"advance": 1})
    assert_envelope(client.get(LIST, headers=headers), 401)


# --- update, delete, restore, history --------------------------------------------------------

def test_update_history_names_only_what_changed(client):
    assert_envelope(client.post(f"{LIST}/update", headers=ACME_ADMIN,
                                json={"name": "Acme Wallet GmbH", "address": "Neue Str. 2"}), 200)
    entry = assert_envelope(client.get(f"{LIST}/history", headers=ACME_ADMIN), 200)["data"][-1]
    assert entry["changes"] == {"address": {"from": "Unter den Linden 1, 10117 Berlin",
                                            "to": "Neue Str. 2"}}
    assert entry["actor"] == {"userId": "7a1e2b3c-4d5e-4f60-8172-839405a6b7c8",
                              "role": "tenant_admin"}
    assert entry["action"] == "UPDATED" and entry["tenantId"] == ACME


def test_update_checks_the_phone_against_the_tenants_country(client):
    nord = {**PLATFORM, "X-Tenant-ID": NORDLICHT}
    data = assert_envelope(client.post(f"{LIST}/update", headers=nord,
                                       json={"phoneNumber": "08-123 456 79"}), 200)["data"]
    assert data["phoneNumber"] == "+46812345679"
    body = assert_envelope(client.post(f"{LIST}/update", headers=nord,
                                       json={"phoneNumber": "030 901821"}), 422)
    assert [e["field"] for e in body["data"]["errors"]] == ["phoneNumber"]
    assert page(client, tenantId=NORDLICHT)["content"][0]["phoneNumber"] == "+46812345679"


def test_a_deleted_tenant_cannot_be_deleted_again_but_its_history_stays_visible(client):
    acme = {**PLATFORM, "X-Tenant-ID": ACME}
    assert_envelope(client.post(f"{LIST}/delete", headers=acme), 200)
    assert_envelope(client.post(f"{LIST}/delete", headers=acme), 404)
    entries = assert_envelope(client.get(f"{LIST}/history", headers=acme), 200)["data"]
    assert [e["action"] for e in entries] == ["DELETED"]
    assert entries[0]["changes"] == {"deleted": {"from": False, "to": True}}
    assert entries[0]["actor"]["role"] == "platform_admin"
    assert_envelope(client.post(f"{LIST}/restore", headers={**PLATFORM, "X-Tenant-ID": "nope"}),
                    404)
    assert_envelope(client.get(LIST, headers=ACME_ADMIN), 401)
    assert_envelope(client.post(f"{LIST}/restore", headers=acme), 200)
    assert_envelope(client.get(LIST, headers=ACME_ADMIN), 200)
    last = client.get(f"{LIST}/history", headers=acme).json()["data"][-1]
    assert last["changes"] == {"deleted": {"from": True, "to": False}}


@pytest.mark.parametrize("path,message", [
    ("update", "Regular users cannot update tenant information"),
    ("delete", "Regular users cannot delete tenant information"),
    ("restore", "Only platform admins can restore tenants"),
    ("history", "Regular users cannot view the history of tenant information")])
def test_a_user_is_refused_every_write_with_the_reason(client, path, message):
    method = client.get if path == "history" else client.post
    kw = {"json": {"name": "Changed By User"}} if path == "update" else {}
    body = assert_envelope(method(f"{LIST}/{path}", headers=ACME_USER, **kw), 403)
    assert body["message"] == message
    assert page(client, tenantId=ACME)["content"][0]["name"] == "Acme Wallet GmbH"


def test_a_tenant_admin_is_refused_another_tenant_with_the_reason(client):
    other = {**ACME_ADMIN, "X-Tenant-ID": NORDLICHT}
    body = assert_envelope(client.post(f"{LIST}/update", headers=other,
                                       json={"name": "Taken Over"}), 403)
    assert body["message"] == "X-Tenant-ID names another tenant than the API key's"
    assert page(client, tenantId=NORDLICHT)["content"][0]["name"] == "Nordlicht Pay AB"


# --- state export / import --------------------------------------------------------------------

def test_history_keys_and_deletion_survive_a_state_export(client, app, sandbox_id):
    assert_envelope(client.post(f"{LIST}/update", headers=ACME_ADMIN,
                                json={"address": "Neue Str. 2"}), 200)
    data = assert_envelope(client.post(f"{LIST}/register", json=reg()), 201)["data"]
    assert_envelope(client.post(f"{LIST}/delete", headers={**PLATFORM,
                                                          "X-Tenant-ID": NORDLICHT}), 200)
    history = client.get(f"{LIST}/history", headers=ACME_ADMIN).json()["data"]
    state = client.get("/_sandbox/state").json()
    new_admin = {"X-API-KEY": data["tenantAdmin"]["apiKey"], "X-Tenant-ID": data["tenantId"]}
    with app.test_client(headers={"X-Sandbox-Id": f"{sandbox_id}-copy"}) as other:
        assert other.put("/_sandbox/state", json=state).status_code == 200
        assert other.get("/_sandbox/state").json() == state
        got = assert_envelope(other.get(f"{LIST}/history", headers=ACME_ADMIN), 200)["data"]
        assert got == history and [e["action"] for e in got] == ["UPDATED"]
        nord = assert_envelope(other.get(f"{LIST}/history",
                                         headers={**PLATFORM, "X-Tenant-ID": NORDLICHT}),
                               200)["data"]
        assert [e["action"] for e in nord] == ["DELETED"]
        assert names(page(other)) == ["Acme Wallet GmbH", "Krone Pay"]
        assert names(page(other, new_admin)) == ["Krone Pay"]
        assert_envelope(other.get(LIST, headers=ACME_USER), 403)
        assert_envelope(other.get(LIST, headers=NORD_ADMIN), 401)
        other.post("/_sandbox/clock", json={"advance": 2 * 3600})
        assert_envelope(other.get(LIST, headers=new_admin), 401)
        creds = other.get("/_sandbox/credentials").json()["wallet"]
        assert [c["role"] for c in creds].count("platform_admin") == 1


# --- fixtures -------------------------------------------------------------------------------

def _tenant(i, **over):
    return {"tenantId": f"tenant-{i}", "name": f"Fixture {i}", "email": f"f{i}@fix.example",
            "phoneNumber": "+49 30 901820", "country": {"code": "DE"}, **over}


def _user(i, **over):
    return {"userId": f"user-{i}", "fullName": f"User {i}", "email": f"u{i}@fix.example",
            "type": "TENANT_ADMIN", "apiKey": f"wk_fixture_key_{i}", **over}


def _load(client, wallet):
    return client.post("/_sandbox/fixtures", json={"version": 1, "wallet": wallet})


@pytest.mark.parametrize("wallet,field", [
    ({"tenants": [_tenant(1), _tenant(1, email="x@fix.example")]}, "wallet.tenants.1.tenantId"),
    ({"tenants": [_tenant(1), _tenant(2, email="F1@fix.example")]}, "wallet.tenants.1.email"),
    ({"tenants": [_tenant(1, users=[_user(1), _user(1, email="o@fix.example",
                                                   apiKey="wk_other_key_1")])]},
     "wallet.tenants.0.users.1.userId"),
    ({"tenants": [_tenant(1, users=[_user(1), _user(2, email="U1@fix.example")])]},
     "wallet.tenants.0.users.1.email"),
    ({"tenants": [_tenant(1, users=[_user(1)]),
                  _tenant(2, users=[_user(2, apiKey="wk_fixture_key_1")])]},
     "wallet.tenants.1.users.0.apiKey"),
    ({"tenants": [_tenant(1, phoneNumber="+33 1 23 45 67 89")]}, "wallet.tenants.0.phoneNumber"),
    ({"tenants": [_tenant(1, country={"code": "QQ"})]}, "wallet.tenants.0.country.code"),
])
def test_bad_wallet_fixtures_are_400_naming_the_place_and_load_nothing(client, wallet, field):
    before = client.get("/_sandbox/state").json()
    resp = _load(client, wallet)
    assert resp.status_code == 400, resp.text
    assert field in [e["field"] for e in resp.json()["errors"]]
    assert client.get("/_sandbox/state").json() == before


def test_fixture_keys_roles_expiry_deletion_and_history_load(client):
    entry = {"id": "h1", "tenantId": "tenant-1", "action": "REGISTERED",
             "at": "2025-12-01T00:00:00.000Z", "actor": {"userId": None, "role": "anonymous"},
             "changes": {}}
    wallet = {"createdAt": "2025-06-01T00:00:00.000Z",
              "platformAdmins": [{"name": "Ops", "apiKey": "wk_ops_admin_key",
                                  "expiresAt": "2030-01-01T00:00:00.000Z"}],
              "tenants": [_tenant(1, users=[_user(1), _user(2, type="USER")], history=[entry],
                                  updatedAt="2025-07-01T00:00:00.000Z"),
                          _tenant(2, deleted=True, users=[_user(3)]),
                          _tenant(3, createdAt="2025-08-01T00:00:00.000Z", users=[
                              _user(4, apiKeyExpiresAt="2026-01-01T00:00:10.000Z")])]}
    assert _load(client, wallet).status_code == 200
    ops = {"X-API-KEY": "wk_ops_admin_key"}
    data = page(client, ops)
    assert [(t["tenantId"], t["createdAt"], t["updatedAt"]) for t in data["content"]] == [
        ("tenant-1", "2025-06-01T00:00:00.000Z", "2025-07-01T00:00:00.000Z"),
        ("tenant-3", "2025-08-01T00:00:00.000Z", "2025-08-01T00:00:00.000Z")]
    assert data["content"][0]["phoneNumber"] == "+4930901820"
    assert data["content"][0]["allowNotification"] is False
    assert names(page(client, {"X-API-KEY": "wk_fixture_key_1", "X-Tenant-ID": "tenant-1"})) == [
        "Fixture 1"]
    assert_envelope(client.get(LIST, headers={"X-API-KEY": "wk_fixture_key_2",
                                              "X-Tenant-ID": "tenant-1"}), 403)
    assert_envelope(client.get(LIST, headers={"X-API-KEY": "wk_fixture_key_3",
                                              "X-Tenant-ID": "tenant-2"}), 401)
    history = page(client, {**ops, "X-Tenant-ID": "tenant-1"})
    assert history["totalElements"] == 2
    assert assert_envelope(client.get(f"{LIST}/history", headers={**ops, "X-Tenant-ID":
                                                                  "tenant-1"}), 200)["data"] == [
        entry]
    four = {"X-API-KEY": "wk_fixture_key_4", "X-Tenant-ID": "tenant-3"}
    client.post("/_sandbox/clock", json={"now": "2026-01-01T00:00:09.999Z"})
    assert_envelope(client.get(LIST, headers=four), 200)
    client.post("/_sandbox/clock", json={"now": "2026-01-01T00:00:10.000Z"})
    assert_envelope(client.get(LIST, headers=four), 401)
    assert_envelope(client.get(LIST, headers=ops), 200)
    client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00.000Z"})
    assert_envelope(client.get(LIST, headers=ops), 401)


def test_credentials_of_a_world_without_tenants_carry_no_tenant_header(client):
    ops = {"name": "Ops", "apiKey": "wk_ops_admin_key"}
    assert _load(client, {"platformAdmins": [ops]}).status_code == 200
    creds = client.get("/_sandbox/credentials").json()["wallet"]
    assert creds == [{"name": "Ops", "role": "platform_admin", "tenantId": None,
                      "headers": {"X-API-KEY": "wk_ops_admin_key"}, "expiresAt": None}]
    assert page(client, creds[0]["headers"]) == {"content": [], "totalElements": 0,
                                                 "totalPages": 0, "size": 20, "number": 0}


def test_credentials_name_the_first_tenant_for_a_platform_admin(client):
    creds = client.get("/_sandbox/credentials").json()["wallet"]
    by_role = {c["role"]: c for c in creds}
    assert by_role["platform_admin"]["headers"] == {"X-API-KEY": "wk_platform_admin_key",
                                                    "X-Tenant-ID": ACME}
    for c in creds:
        status = 403 if c["role"] == "user" else 200
        assert_envelope(client.get(LIST, headers=c["headers"]), status)


# --- more register rules -----------------------------------------------------------------------

def test_the_admin_keeps_its_own_country_when_it_differs_from_the_tenants(client):
    body = reg(tenantAdmin__country={"code": "FR"}, tenantAdmin__phoneNumber="06 12 34 56 78")
    data = assert_envelope(client.post(f"{LIST}/register", json=body), 201)["data"]
    assert data["country"]["code"] == "DE"
    assert data["tenantAdmin"]["country"] == "FR"
    assert data["tenantAdmin"]["phoneNumber"] == "+33612345678"


def test_an_admin_phone_without_country_need_only_be_international(client):
    body = reg(tenantAdmin__country=..., tenantAdmin__phoneNumber="+33 6 12 34 56 78")
    data = assert_envelope(client.post(f"{LIST}/register", json=body), 201)["data"]
    assert data["tenantAdmin"]["phoneNumber"] == "+33612345678"
    assert data["tenantAdmin"]["country"] == "DE"


@pytest.mark.parametrize("over,field,message", [
    ({"tenant__phoneNumber": "+33 1 23 45 67 89"}, "tenant.phoneNumber",
     "'+33 1 23 45 67 89' is not a valid phone number for DE"),
    ({"tenantAdmin__phoneNumber": "0151 23456789", "tenantAdmin__country": ...},
     "tenantAdmin.phoneNumber", "'0151 23456789' is not a valid phone number"),
    ({"tenant__country": {"code": "DE", "name": "France"}}, "tenant.country.name",
     "'France' is not the name of DE (Germany)"),
])
def test_field_errors_say_what_is_wrong(client, over, field, message):
    body = assert_envelope(client.post(f"{LIST}/register", json=reg(**over)), 422)
    assert body["data"]["errors"] == [{"field": field, "message": message}]


def test_a_key_that_would_outlive_the_calendar_is_422_and_writes_nothing(client):
    client.post("/_sandbox/clock", json={"now": "9990-01-01T00:00:00Z"})
    body = reg(tenantAdmin__keyDuration=1000, tenantAdmin__duration="YEARS")
    resp = assert_envelope(client.post(f"{LIST}/register", json=body), 422)
    assert resp["data"]["errors"] == [{"field": "tenantAdmin.keyDuration",
                                       "message": "makes the key outlive the calendar"}]
    assert page(client)["totalElements"] == 2
    assert client.get("/_sandbox/outbox").json()["total"] == 0


def test_fixture_users_take_their_tenants_times_unless_given(client):
    wallet = {"createdAt": "2025-06-01T00:00:00.000Z", "tenants": [_tenant(1, users=[
        _user(1), _user(2, createdAt="2025-06-02T00:00:00.000Z",
                        updatedAt="2025-06-03T00:00:00.000Z")])]}
    assert _load(client, wallet).status_code == 200
    users = client.get("/_sandbox/state").json()["wallet"]["tenants"][0]["users"]
    assert [(u["createdAt"], u["updatedAt"]) for u in users] == [
        ("2025-06-01T00:00:00.000Z", "2025-06-01T00:00:00.000Z"),
        ("2025-06-02T00:00:00.000Z", "2025-06-03T00:00:00.000Z")]


def test_generated_tenants_take_the_base_creation_time(client, tmp_path):
    import yaml

    from mock_server.cli import main
    from mock_server.config import DEFAULT_FIXTURES

    base = yaml.safe_load(open(DEFAULT_FIXTURES, encoding="utf-8"))
    base["wallet"]["createdAt"] = "2025-03-01T00:00:00.000Z"
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    out = tmp_path / "w.yaml"
    assert main(["generate", "--fixtures", str(tmp_path / "base.yaml"), "--wallet-tenants", "3",
                 "--quiet", "-o", str(out)]) == 0
    tenants = yaml.safe_load(out.read_text(encoding="utf-8"))["wallet"]["tenants"]
    assert len(tenants) == 5
    assert {t["createdAt"] for t in tenants[2:]} == {"2025-03-01T00:00:00.000Z"}


def test_generating_many_tenants_shows_the_progress_to_the_end(tmp_path, capsys):
    from mock_server.cli import main

    out = tmp_path / "w.yaml"
    assert main(["generate", "--wallet-tenants", "1000", "-o", str(out)]) == 0
    shown = capsys.readouterr().err
    assert shown.startswith("\rwallet     [")
    assert shown.endswith(f"[{'#' * 30}] 1000/1000\n")
