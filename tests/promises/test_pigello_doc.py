"""docs/pigello.md "Reading a request body": a date-time is answered in UTC; one that UTC
cannot hold is DRF's 400, not a 500 (found by tests/contract)."""

from __future__ import annotations

import pytest

TENANTS = "/accounts/users/customer/tenant/"


@pytest.fixture
def headers(credentials):
    return credentials("pigello", "client")["headers"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:05+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_time_beyond_utc_is_drfs_400_and_writes_nothing(client, headers, moment):
    before = client.get(TENANTS, headers=headers).json()["meta"]["total_amount"]
    resp = client.post(TENANTS, headers=headers, json={"first_name": "Ada", "active_to": moment})
    assert resp.status_code == 400
    assert resp.json() == {"active_to": ["Datetime value out of range."]}
    bulk = client.post(f"{TENANTS}list/", headers=headers,
                       json=[{"first_name": "Ada", "active_to": moment}])
    assert bulk.status_code == 400
    assert bulk.json() == [{"active_to": ["Datetime value out of range."]}]
    assert client.get(TENANTS, headers=headers).json()["meta"]["total_amount"] == before


def test_a_date_time_at_the_edge_is_answered_in_utc(client, headers):
    resp = client.post(TENANTS, headers=headers,
                       json={"first_name": "Ada", "active_to": "0001-01-01T01:00:00+01:00"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["active_to"] == "0001-01-01T00:00:00Z"
