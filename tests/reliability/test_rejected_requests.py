"""A rejected request changes nothing: not the data, not the sandbox's randomness, not
an API's counters. The whole state document (records, random state, next ids, outbox)
is the same before and after, so the ids and keys handed out next are the same as if
the rejected request had never been sent."""

from __future__ import annotations

import pytest

from tests.pigello.helpers import CONNECTIONS, S2, SUBTENANTS, T3, UNKNOWN, seed_connection
from tests.roomle.helpers import BASE as ROOMLE
from tests.roomle.helpers import SUPER
from tests.roomle.helpers import headers as roomle_headers

WALLET_ADMIN = {"X-API-KEY": "wk_platform_admin_key"}


def state(client) -> dict:
    resp = client.get("/_sandbox/state")
    assert resp.status_code == 200
    return resp.json()


def pigello(credentials) -> dict:
    return credentials("pigello", "client")["headers"]


def rejected_requests(client, credentials):
    sup = roomle_headers(credentials, SUPER)
    pgl = pigello(credentials)
    yield "roomle duplicate name", client.post(ROOMLE, json={"name": "demo_shop"}, headers=sup), 409
    yield "pigello unknown reference", client.post(
        CONNECTIONS, json=seed_connection(tenant={"id": UNKNOWN}), headers=pgl), 400
    yield "pigello bulk with one bad item", client.post(
        f"{CONNECTIONS}list/", json=[seed_connection(sub_tenant={"id": S2}, tenant={"id": T3}),
                                     seed_connection(tenant={"id": UNKNOWN})],
        headers=pgl), 400
    yield "pigello subtenant without a name", client.post(SUBTENANTS, json={}, headers=pgl), 400
    yield "wallet unknown sort property", client.get(
        "/api/v1/tenants", params={"sort": "password,asc"}, headers=WALLET_ADMIN), 400
    yield "roomle failed sign-in", client.post(
        "/v2/auth/signin", json={"identification": "user@demo-shop.example",
                                 "password": "Not-The-Passw0rd"},
        headers=credentials("roomle", "anonymous", tenantId="2")["headers"]), 403


def test_no_rejected_request_leaves_a_trace_in_the_state(client, credentials):
    # Touch every API once so that lazily made state exists before the first snapshot.
    client.get(ROOMLE, headers=roomle_headers(credentials, SUPER))
    before = state(client)
    for name, resp, status in rejected_requests(client, credentials):
        assert resp.status_code == status, (name, resp.text)
        after = state(client)
        assert after == before, f"{name} changed the sandbox"


def test_ids_after_a_rejected_create_are_those_of_a_clean_sandbox(app, credentials):
    sup = roomle_headers(credentials, SUPER)

    def create_after(rejections: int, sandbox: str) -> dict:
        with app.test_client(headers={"X-Sandbox-Id": sandbox}) as c:
            for _ in range(rejections):
                assert c.post(ROOMLE, json={"name": "demo_shop"}, headers=sup).status_code == 409
            resp = c.post(ROOMLE, json={"name": "brand_new"}, headers=sup)
            assert resp.status_code == 201, resp.text
            return resp.json()["tenant"]

    clean, after = create_after(0, "rejected-clean"), create_after(3, "rejected-after")
    assert after["id"] == clean["id"]
    assert after.get("apiKey") == clean.get("apiKey")


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_rejected_writes_by_the_wrong_role_change_nothing(client, credentials, method):
    before = state(client)
    user = roomle_headers(credentials, "user")
    resp = client.request(method, f"{ROOMLE}/2", json={"label": "Changed by a user"},
                          headers=user)
    assert resp.status_code == 403
    assert state(client) == before
