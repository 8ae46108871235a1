"""A time the clock cannot hold (before year 1 or after 9999 once in UTC) is a 400 naming
the field, never a 500, and changes nothing: POST /_sandbox/clock, PUT /_sandbox/state
and POST /_sandbox/fixtures."""

from __future__ import annotations

import pytest

FROZEN = "2030-01-01T00:00:00.000Z"


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_freezing_the_clock_out_of_its_range_is_400(client, now):
    assert client.post("/_sandbox/clock", json={"now": FROZEN}).status_code == 200
    resp = client.post("/_sandbox/clock", json={"now": now})
    assert resp.status_code == 400, resp.text
    assert resp.json()["errors"][0]["field"] == "now"
    assert client.get("/_sandbox/clock").json() == {"now": FROZEN, "frozen": True}


@pytest.mark.parametrize("clock,field", [
    ({"frozenAt": None, "offsetSeconds": 1e12}, "clock.offsetSeconds"),
    ({"frozenAt": None, "offsetSeconds": -1e12}, "clock.offsetSeconds"),
    ({"frozenAt": "0001-01-01T00:00:00+01:00", "offsetSeconds": 0}, "clock.frozenAt"),
])
def test_a_state_or_fixture_document_with_a_clock_out_of_range_is_400(client, clock, field):
    state = client.get("/_sandbox/state").json()
    resp = client.put("/_sandbox/state", json={**state, "clock": clock})
    assert resp.status_code == 400, resp.text
    assert field in [e["field"] for e in resp.json()["errors"]]
    resp = client.post("/_sandbox/fixtures", json={"version": 1, "clock": clock})
    assert resp.status_code == 400, resp.text
    assert field in [e["field"] for e in resp.json()["errors"]]
    assert client.get("/_sandbox/state").json() == state
