"""Pigello credentials: all seven headers, secret, client, customer; per-customer scoping."""

from __future__ import annotations

import pytest

from tests.pigello.helpers import (
    C1,
    CB,
    CONNECTIONS,
    CUSTOMER_A,
    CUSTOMER_B,
    NORRSKEN,
    SODERPORT,
    T1,
    TB,
    TENANTS,
)

HEADERS = ("X-PIGELLO-APPLICATION-ID", "X-PIGELLO-CLIENT-CT", "X-PIGELLO-CLIENT-ENTITY",
           "X-PIGELLO-CLIENT-SECRET", "X-PIGELLO-CUSTOMER-ID", "X-PIGELLO-SERVICE-ID",
           "X-PIGELLO-SERVICE-VERSION-ID")


def test_credentials_list_every_client_ready_to_send(credentials):
    a = credentials("pigello", "client", name=NORRSKEN)
    b = credentials("pigello", "client", name=SODERPORT)
    assert a["customerId"] == CUSTOMER_A and b["customerId"] == CUSTOMER_B
    assert set(a["headers"]) == set(HEADERS)
    assert a["headers"]["X-PIGELLO-CUSTOMER-ID"] == CUSTOMER_A


@pytest.mark.parametrize("header", HEADERS)
def test_each_missing_header_is_401_naming_it(client, credentials, header):
    sent = dict(credentials("pigello", "client", name=NORRSKEN)["headers"])
    del sent[header]
    resp = client.get(TENANTS, headers=sent)
    assert resp.status_code == 401, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert header in resp.json()["detail"]
    assert set(resp.json()) == {"detail"}


def test_no_headers_at_all_names_all_seven(client):
    resp = client.post(CONNECTIONS, json={})
    assert resp.status_code == 401
    assert all(h in resp.json()["detail"] for h in HEADERS)


@pytest.mark.parametrize("header, value, status", [
    ("X-PIGELLO-CLIENT-SECRET", "wrong-secret", 401),
    ("X-PIGELLO-CLIENT-ENTITY", "497f6eca-6276-4993-bfeb-53cbbbba6f08", 401),
    ("X-PIGELLO-CLIENT-CT", "accounts.somethingelse", 401),
    ("X-PIGELLO-APPLICATION-ID", "497f6eca-6276-4993-bfeb-53cbbbba6f08", 401),
    ("X-PIGELLO-SERVICE-ID", "497f6eca-6276-4993-bfeb-53cbbbba6f08", 401),
    ("X-PIGELLO-SERVICE-VERSION-ID", "497f6eca-6276-4993-bfeb-53cbbbba6f08", 401),
    ("X-PIGELLO-CUSTOMER-ID", CUSTOMER_B, 403),
])
def test_wrong_header_values(pg, header, value, status):
    resp = pg("GET", TENANTS, headers={header: value})
    assert resp.status_code == status, resp.text
    assert list(resp.json()) == ["detail"]


def test_other_customers_data_is_invisible(pg, ids):
    assert TB not in ids(TENANTS) and T1 in ids(TENANTS)
    assert T1 not in ids(TENANTS, as_=SODERPORT) and TB in ids(TENANTS, as_=SODERPORT)
    for method in ("GET", "PATCH", "DELETE"):
        kw = {"json": {}} if method == "PATCH" else {}
        resp = pg(method, f"{CONNECTIONS}{CB}/", **kw)
        assert resp.status_code == 404, resp.text
        assert resp.json() == {"detail": "Not found."}
    assert pg("GET", f"{CONNECTIONS}{C1}/", as_=SODERPORT).status_code == 404
