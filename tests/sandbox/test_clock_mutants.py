"""A running (not frozen) clock moved by an offset, and the range an offset may reach,
found unpinned by the mutation run of mock_server/clock.py (docs/development.md,
"Mutation testing")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

DAY = 86400.0
END = datetime.max.replace(tzinfo=UTC)  # 9999-12-31T23:59:59.999999Z


def _now(body: dict) -> datetime:
    return datetime.fromisoformat(body["now"].replace("Z", "+00:00"))


def _with_offset(client: Any, seconds: float) -> Any:
    state = client.get("/_sandbox/state").json()
    return client.put("/_sandbox/state", json={
        **state, "clock": {"frozenAt": None, "offsetSeconds": seconds}})


def test_advancing_a_running_clock_moves_it_from_real_time(client):
    for advance, total in ((DAY, DAY), (-3 * DAY, -2 * DAY)):
        before = datetime.now(UTC)
        resp = client.post("/_sandbox/clock", json={"advance": advance})
        after = datetime.now(UTC)
        assert resp.status_code == 200, resp.text
        assert resp.json()["frozen"] is False
        shift = timedelta(seconds=total)
        slack = timedelta(milliseconds=1)  # the body shows milliseconds
        assert before + shift - slack <= _now(resp.json()) <= after + shift
        got = client.get("/_sandbox/clock").json()
        assert before + shift - slack <= _now(got) <= datetime.now(UTC) + shift
    assert client.get("/_sandbox/state").json()["clock"] == {"frozenAt": None,
                                                              "offsetSeconds": -2 * DAY}


def test_a_running_clock_may_run_thousands_of_years_ahead(client):
    seven_thousand_years = 7000 * 365.25 * DAY
    resp = _with_offset(client, seven_thousand_years)
    assert resp.status_code == 200, resp.text
    now = _now(client.get("/_sandbox/clock").json())
    expected = datetime.now(UTC) + timedelta(seconds=seven_thousand_years)
    assert abs(now - expected) < timedelta(seconds=60) and now.year > 9000


def test_a_running_clock_is_refused_an_offset_that_would_run_out_of_range_within_a_year(client):
    to_the_end = (END - datetime.now(UTC)).total_seconds()
    for seconds in (to_the_end - 3600, to_the_end - 100 * DAY):
        resp = _with_offset(client, seconds)
        assert resp.status_code == 400, resp.text
        assert "clock.offsetSeconds" in [e["field"] for e in resp.json()["errors"]]
    assert client.get("/_sandbox/clock").json()["frozen"] is False
    assert abs(_now(client.get("/_sandbox/clock").json()) - datetime.now(UTC)) < timedelta(
        seconds=60)
    assert _with_offset(client, to_the_end - 400 * DAY).status_code == 200


def test_times_show_their_milliseconds_cut_not_rounded(client):
    for sent, shown in (("2030-01-01T00:00:00.500Z", "2030-01-01T00:00:00.500Z"),
                        ("2030-01-01T00:00:00.999999Z", "2030-01-01T00:00:00.999Z"),
                        ("2030-01-01T00:00:00.001+00:00", "2030-01-01T00:00:00.001Z")):
        resp = client.post("/_sandbox/clock", json={"now": sent})
        assert resp.status_code == 200, resp.text
        assert resp.json()["now"] == shown


def test_times_before_the_year_1000_keep_four_year_digits(client):
    resp = client.post("/_sandbox/clock", json={"now": "0500-06-01T12:30:00.250Z"})
    assert resp.status_code == 200, resp.text
    assert client.get("/_sandbox/clock").json()["now"] == "0500-06-01T12:30:00.250Z"
    created = client.post("/api/v1/tenants/register", json={
        "tenant": {"name": "Early GmbH", "email": "ops@early.example",
                   "phoneNumber": "030 901820", "country": {"code": "DE"}},
        "tenantAdmin": {"fullName": "Ea Rly", "email": "admin@early.example",
                        "password": "early-password", "keyDuration": 1, "duration": "DAYS"}})
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["createdAt"] == "0500-06-01T12:30:00.250Z"
    assert data["tenantAdmin"]["apiKeyExpiresAt"] == "0500-06-02T12:30:00.250Z"
