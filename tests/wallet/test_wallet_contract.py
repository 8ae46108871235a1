"""What the Wallet seed prints is what a client gets: the three error bodies byte for
byte (parsed JSON equal, data null), paging as Spring's Pageable reads it, X-Tenant-ID
checked against the key, and emails on reserved test domains."""

from __future__ import annotations

import pytest

from tests.wallet.test_wallet_api import (
    ACME,
    ACME_ADMIN,
    ACME_USER,
    NORD_ADMIN,
    NORDLICHT,
    PLATFORM,
    _more,
    reg,
    tenant_count,
)

UNAUTHORIZED = {"statusCode": 401, "message": "Unauthorized", "data": None}
NOT_FOUND = {"statusCode": 404, "message": "Tenant not found", "data": None}
DUPLICATE = {"statusCode": 409, "message": "Duplicate tenant email", "data": None}
LIST = "/api/v1/tenants"


def _page(client, headers=PLATFORM, **params):
    resp = client.get(LIST, headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


# --- the printed bodies -----------------------------------------------------------------

@pytest.mark.parametrize("method,path,headers", [
    ("GET", LIST, {}),
    ("GET", LIST, {"X-API-KEY": "wk_unknown"}),
    ("GET", f"{LIST}/", {"X-API-KEY": ""}),
    ("POST", f"{LIST}/update", {"X-API-KEY": "nope", "X-Tenant-ID": ACME}),
    ("POST", f"{LIST}/register", {"X-API-KEY": "nope"}),
    ("GET", f"{LIST}/history", {"X-Tenant-ID": ACME}),
    ("POST", f"{LIST}/delete", {"X-API-KEY": "wk_acme_admin_key ", "X-Tenant-ID": ACME}),
])
def test_every_401_is_the_printed_body(client, method, path, headers):
    kw = {"json": {"name": "x"}} if path.endswith("update") else \
        {"json": reg()} if path.endswith("register") else {}
    resp = client.request(method, path, headers=headers, **kw)
    assert resp.status_code == 401
    assert resp.json() == UNAUTHORIZED


def test_expired_and_soft_deleted_keys_get_the_printed_401(client):
    data = client.post(f"{LIST}/register", json=reg()).json()["data"]
    key = {"X-API-KEY": data["tenantAdmin"]["apiKey"]}
    client.post("/_sandbox/clock", json={"advance": 2 * 3600 + 1})
    assert client.get(LIST, headers=key).json() == UNAUTHORIZED
    client.post(f"{LIST}/delete", headers={**PLATFORM, "X-Tenant-ID": NORDLICHT})
    resp = client.get(LIST, headers=NORD_ADMIN)
    assert resp.status_code == 401 and resp.json() == UNAUTHORIZED


@pytest.mark.parametrize("method,path", [("GET", LIST), ("GET", f"{LIST}/"),
                                         ("POST", f"{LIST}/update"),
                                         ("POST", f"{LIST}/delete"),
                                         ("GET", f"{LIST}/history")])
def test_platform_admin_with_an_unknown_tenant_gets_the_printed_404(client, method, path):
    kw = {"json": {"name": "x"}} if path.endswith("update") else {}
    resp = client.request(method, path, headers={**PLATFORM, "X-Tenant-ID": "no-such-tenant"},
                          **kw)
    assert resp.status_code == 404
    assert resp.json() == NOT_FOUND
    assert tenant_count(client) == 2


def test_a_soft_deleted_tenant_is_the_printed_404_for_lists(client):
    client.post(f"{LIST}/delete", headers={**PLATFORM, "X-Tenant-ID": NORDLICHT})
    resp = client.get(LIST, headers={**PLATFORM, "X-Tenant-ID": NORDLICHT})
    assert resp.status_code == 404 and resp.json() == NOT_FOUND


@pytest.mark.parametrize("email", ["team@krone-pay.example", "TEAM@krone-pay.EXAMPLE",
                                   "ops@acme-wallet.example"])
def test_duplicate_tenant_email_is_the_printed_409(client, email):
    assert client.post(f"{LIST}/register", json=reg()).status_code == 201
    resp = client.post(f"{LIST}/register", json=reg(tenant__email=email,
                                                    tenantAdmin__email="new@krone.example"))
    assert resp.status_code == 409
    assert resp.json() == DUPLICATE
    assert resp.text.count("null") == 1


def test_a_duplicate_admin_email_is_a_409_with_data_null(client):
    resp = client.post(f"{LIST}/register", json=reg(tenantAdmin__email="greta@acme-wallet.example"))
    assert resp.status_code == 409
    assert resp.json() == {"statusCode": 409, "message": "Duplicate user email", "data": None}


def test_field_detail_stays_for_the_errors_the_seed_does_not_print(client):
    resp = client.post(f"{LIST}/register", json=reg(tenant__email="nope"))
    body = resp.json()
    assert resp.status_code == 400 and body["data"]["errors"][0]["field"] == "tenant.email"
    forbidden = client.get(LIST, headers=ACME_USER).json()
    assert forbidden["statusCode"] == 403 and forbidden["data"] is None


# --- Spring paging ---------------------------------------------------------------------------

@pytest.mark.parametrize("size,expected", [("5000", 2000), ("2000", 2000), ("2001", 2000),
                                           ("7", 7), ("0", 20), ("-3", 20), ("abc", 20),
                                           ("1e3", 20), ("", 20), ("99999999999", 20),
                                           ("+5", 5), (" 5", 20)])
def test_size_is_read_as_spring_reads_it(client, size, expected):
    page = _page(client, size=size)
    assert page["size"] == expected
    assert page["totalPages"] == -(-2 // expected)


@pytest.mark.parametrize("number,expected", [("-1", 0), ("abc", 0), ("", 0), ("1.5", 0),
                                             ("99999999999", 0), ("2147483647", 2147483647),
                                             ("1", 1), ("007", 7)])
def test_page_is_read_as_spring_reads_it(client, number, expected):
    page = _page(client, page=number, size="1")
    assert page["number"] == expected
    assert len(page["content"]) == (1 if expected < 2 else 0)
    assert page["totalElements"] == 2


def test_unknown_query_parameters_are_ignored(client):
    plain = _page(client)
    assert _page(client, colour="red", **{"page[size]": "3", "filter": "x"}) == plain
    resp = client.get(f"{LIST}/history", headers=ACME_ADMIN, params={"verbose": "yes"})
    assert resp.status_code == 200


def test_first_page_and_size_win_and_repeated_filters_join(client):
    _more(client)
    resp = client.get(f"{LIST}?size=2&size=50&page=1&page=0", headers=PLATFORM).json()["data"]
    assert (resp["size"], resp["number"]) == (2, 1)
    repeated = client.get(f"{LIST}?name=T0&name=T3", headers=PLATFORM).json()["data"]
    joined = _page(client, name="T0,T3")
    assert repeated == joined and joined["totalElements"] == 2


def test_several_sort_orders_and_the_default_direction(client):
    _more(client)
    rows = client.get(f"{LIST}?sort=country,asc&sort=name,desc&size=50",
                      headers=PLATFORM).json()["data"]["content"]
    keys = [(t["country"]["code"], t["name"]) for t in rows]
    by_country = sorted(keys, key=lambda k: k[0])
    assert [k[0] for k in keys] == [k[0] for k in by_country]
    for code in {k[0] for k in keys}:
        names = [k[1] for k in keys if k[0] == code]
        assert names == sorted(names, key=str.casefold, reverse=True)
    plain = [t["name"] for t in _page(client, sort="name", size="50")["content"]]
    assert plain == sorted(plain, key=str.casefold)
    both = [t["name"] for t in _page(client, sort="name,createdAt,DESC", size="50")["content"]]
    assert both == sorted(plain, key=str.casefold, reverse=True)
    nulls = [t["address"] for t in _page(client, sort="address", size="50")["content"]]
    assert nulls == sorted(nulls, key=lambda a: (a is None, (a or "").casefold()))


# --- X-Tenant-ID against the key ------------------------------------------------------------

@pytest.mark.parametrize("headers,status", [
    ({**ACME_ADMIN, "X-Tenant-ID": NORDLICHT}, 403),
    ({**ACME_ADMIN, "X-Tenant-ID": "no-such-tenant"}, 403),
    ({**ACME_USER, "X-Tenant-ID": NORDLICHT}, 403),
    (ACME_ADMIN, 200),
    ({"X-API-KEY": "wk_acme_admin_key"}, 200),
    ({**PLATFORM, "X-Tenant-ID": ACME}, 200),
])
def test_the_tenant_header_is_checked_against_the_key(client, headers, status):
    resp = client.get(LIST, headers=headers)
    assert resp.status_code == status, resp.text
    if status == 403:
        assert resp.json()["data"] is None
    elif headers.get("X-API-KEY") == "wk_platform_admin_key":
        assert resp.json()["data"]["totalElements"] == 2
    else:
        assert [t["tenantId"] for t in resp.json()["data"]["content"]] == [ACME]


def test_a_tenant_admin_cannot_update_another_tenant_by_header(client):
    resp = client.post(f"{LIST}/update", json={"name": "Hijack"},
                       headers={**ACME_ADMIN, "X-Tenant-ID": NORDLICHT})
    assert resp.status_code == 403
    names = {t["name"] for t in _page(client)["content"]}
    assert "Hijack" not in names


# --- reserved test domains ----------------------------------------------------------------

@pytest.mark.parametrize("email", ["x@a.test", "ops@shop.example", "x@example.com",
                                   "dev@localhost", "qa@app.localhost", "ci@build.invalid",
                                   "me@box.local", "A.B+tag@Sub.Example.ORG"])
def test_emails_on_reserved_test_domains_are_accepted(client, email):
    body = reg(tenant__email=email, tenantAdmin__email=f"admin.{email}")
    resp = client.post(f"{LIST}/register", json=body)
    assert resp.status_code == 201, resp.text
    assert resp.json()["data"]["email"] == email


@pytest.mark.parametrize("email", ["nope", "x@", "@a.test", "x@exa_mple.test", "x@-a.test",
                                   "x y@a.test", "x@a..test"])
def test_malformed_emails_are_still_400(client, email):
    resp = client.post(f"{LIST}/register", json=reg(tenant__email=email))
    assert resp.status_code == 400
    assert "tenant.email" in resp.json()["message"]


def test_the_journal_keeps_the_query_the_client_sent(client):
    assert _page(client, colour="red", size="9999")["size"] == 2000
    entry = client.get("/_sandbox/requests", params={"api": "wallet"}).json()["requests"][-1]
    assert entry["query"] == "colour=red&size=9999"
    assert entry["operationId"] == "listTenants"
