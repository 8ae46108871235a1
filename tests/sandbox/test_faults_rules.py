"""Fault injection as README and openapi/sandbox.yaml promise it: the one-off
``X-Sandbox-Fault`` header (its ranges, ``drop``, joined values) and the matching,
counting and effects of fault rules, through HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from mock_server.testing import BizzlinkAuth

AUTH = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")
WALLET = {"X-API-KEY": "wk_platform_admin_key"}
TENANTS = "/bizzlink/tenants"
CREATE_TENANT = "createChildTenant"


def _create(client: Any, name: str, **headers: str) -> Any:
    body = json.dumps({"data": {"attributes": {"billingModel": "SEATS", "companyName": name}}})
    return client.post(TENANTS, content=body, auth=AUTH,
                       headers={"Content-Type": "application/json", **headers})


def _names(client: Any) -> str:
    resp = client.get(TENANTS, auth=AUTH, params={"page[size]": 100})
    assert resp.status_code == 200
    return resp.text


def _last_entry(client: Any) -> dict:
    return client.get("/_sandbox/requests").json()["requests"][-1]


def _rule(client: Any, **rule: Any) -> dict:
    resp = client.post("/_sandbox/faults", json=rule)
    assert resp.status_code == 201, resp.text
    return resp.json()


def _no_answer(call: Any) -> None:
    """A dropped connection: Connexion's test client receives no response at all."""
    with pytest.raises(AssertionError, match="did not receive any response"):
        call()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the sandbox waits for (seconds), without waiting for them."""
    waited: list[float] = []
    real = asyncio.sleep

    async def fake(seconds: float, *args: Any, **kwargs: Any) -> Any:
        if seconds:
            waited.append(seconds)
        return await real(0, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", fake)
    return waited


@pytest.mark.parametrize("status", [400, 599])
def test_header_status_takes_the_whole_range(client, status):
    resp = client.get(TENANTS, auth=AUTH, headers={"X-Sandbox-Fault": f"status={status}"})
    assert resp.status_code == status
    err = resp.json()["errors"][0]
    assert err["status"] == str(status) and err["code"] == "injected_fault"


@pytest.mark.parametrize("value,bad", [
    ("status=399", "status=399"), ("status=600", "status=600"), ("delay=60001", "delay=60001"),
    ("drop=1", "drop=1"), ("drop=yes", "drop=yes"), ("status=503;explode", "explode")])
def test_header_outside_its_ranges_is_400_naming_the_part_and_changes_nothing(client, value, bad):
    resp = _create(client, "Out Of Range SA", **{"X-Sandbox-Fault": value})
    assert resp.status_code == 400
    err = resp.json()["errors"][0]
    assert err["source"] == {"header": "X-Sandbox-Fault"}
    assert err["detail"].endswith(f"cannot use '{bad}'")
    assert "Out Of Range SA" not in _names(client)


def test_header_delay_zero_is_a_normal_answer(client, sleeps):
    resp = _create(client, "No Delay SA", **{"X-Sandbox-Fault": "delay=0"})
    assert resp.status_code == 201
    assert sleeps == []
    assert "No Delay SA" in _names(client)


def test_header_delay_waits_that_many_milliseconds(client, sleeps):
    resp = _create(client, "Late SA", **{"X-Sandbox-Fault": "delay=60000"})
    assert resp.status_code == 201
    assert sleeps == [60.0]
    assert "Late SA" in _names(client)


def test_joined_header_values_all_apply(client, sleeps):
    resp = _create(client, "Joined SA", **{"X-Sandbox-Fault": "delay=250; status=503"})
    assert resp.status_code == 503
    assert sleeps == [0.25]
    assert "Joined SA" not in _names(client)


def test_header_drop_answers_nothing_writes_nothing_and_is_journaled(client):
    _no_answer(lambda: _create(client, "Dropped SA", **{"X-Sandbox-Fault": "drop"}))
    entry = _last_entry(client)
    assert entry["dropped"] is True and entry["status"] is None
    assert entry["operationId"] == CREATE_TENANT
    assert "Dropped SA" not in _names(client)


def test_a_faulted_request_is_journaled_with_its_operation_and_status(client):
    resp = _create(client, "Faulted SA", **{"X-Sandbox-Fault": "status=502"})
    assert resp.status_code == 502
    entry = _last_entry(client)
    assert (entry["operationId"], entry["status"], entry["dropped"]) == (CREATE_TENANT, 502,
                                                                        False)


def test_rule_drop_and_delay(client, sleeps):
    _rule(client, method="POST", drop=True, times=1)
    _no_answer(lambda: _create(client, "Rule Dropped SA"))
    assert _last_entry(client)["dropped"] is True
    _rule(client, method="POST", delayMs=1500, times=1)
    assert _create(client, "Rule Delayed SA").status_code == 201
    assert sleeps == [1.5]
    text = _names(client)
    assert "Rule Dropped SA" not in text and "Rule Delayed SA" in text


def test_rule_for_one_api_leaves_the_others_alone(client):
    _rule(client, api="wallet", status=503)
    assert client.get(TENANTS, auth=AUTH).status_code == 200
    resp = client.get("/api/v1/tenants", headers=WALLET)
    assert resp.status_code == 503
    assert resp.json()["statusCode"] == 503


def test_rule_for_one_method_leaves_the_others_alone(client):
    _rule(client, method="POST", status=500)
    assert client.get(TENANTS, auth=AUTH).status_code == 200
    assert _create(client, "Refused SA").status_code == 500
    assert "Refused SA" not in _names(client)


def test_rule_matches_the_full_operation_id_and_nothing_else(client):
    _rule(client, operationId=CREATE_TENANT, status=409)
    assert client.get(TENANTS, auth=AUTH).status_code == 200
    assert _create(client, "Full Id SA").status_code == 409


def test_rule_path_glob_must_match_the_whole_path(client):
    _rule(client, path="/bizzlink/tenant", status=500)
    assert client.get(TENANTS, auth=AUTH).status_code == 200
    _rule(client, path="/bizzlink/*", status=500)
    assert client.get(TENANTS, auth=AUTH).status_code == 500


def test_an_exhausted_rule_lets_the_next_one_fire(client):
    _rule(client, status=500, times=1)
    _rule(client, status=503)
    codes = [client.get(TENANTS, auth=AUTH).status_code for _ in range(3)]
    assert codes == [500, 503, 503]
    first, second = client.get("/_sandbox/faults").json()["faults"]
    assert (first["fired"], first["remaining"]) == (1, 0)
    assert (second["fired"], second["remaining"]) == (2, None)


def test_probability_zero_never_fires_and_counts_nothing(client):
    _rule(client, status=503, probability=0)
    assert [client.get(TENANTS, auth=AUTH).status_code for _ in range(5)] == [200] * 5
    assert client.get("/_sandbox/faults").json()["faults"][0]["fired"] == 0


def test_a_rule_that_does_not_match_counts_nothing(client):
    _rule(client, api="roomle", status=503, times=1)
    assert client.get(TENANTS, auth=AUTH).status_code == 200
    rule = client.get("/_sandbox/faults").json()["faults"][0]
    assert (rule["fired"], rule["remaining"]) == (0, 1)


def test_a_rule_status_without_a_standard_name_is_answered_in_the_apis_format(client):
    _rule(client, api="wallet", status=499)
    resp = client.get("/api/v1/tenants", headers=WALLET)
    assert resp.status_code == 499
    assert resp.json()["statusCode"] == 499


def test_a_delay_in_the_status_range_is_still_a_delay(client, sleeps):
    resp = client.get(TENANTS, auth=AUTH, headers={"X-Sandbox-Fault": "delay=500"})
    assert resp.status_code == 200
    assert sleeps == [0.5]
