"""README "Sandboxes" and "Control plane": reset, fault rules and the one-off fault
header, the clock, the outbox, sandbox names and isolation, every API's
``<base>/openapi.json``. In process (both flavours) unless a socket is the point."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from mock_server.app import create_app
from mock_server.config import SPEC_DIR
from mock_server.serving import BackgroundServer
from tests.wallet.test_wallet_api import PLATFORM, reg

WALLET_LIST = "/api/v1/tenants"
ROOMLE_PLAIN_TOKEN_FREE = {"apiKey": "rml_demo_shop_api_key"}
PIGELLO = "/accounts/users/customer/tenant/"


def _register(client, name: str) -> dict:
    slug = name.lower().replace(" ", "-")
    body = reg(tenant__name=name, tenant__email=f"{slug}@promise.example",
               tenantAdmin__email=f"admin-{slug}@promise.example")
    resp = client.post(f"{WALLET_LIST}/register", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def _wallet_names(client, **headers) -> list[str]:
    resp = client.get(WALLET_LIST, headers={**PLATFORM, **headers}, params={"size": 100})
    assert resp.status_code == 200, resp.text
    return [t["name"] for t in resp.json()["data"]["content"]]


# --- reset -----------------------------------------------------------------------------------

def test_reset_clears_data_outbox_journal_and_faults_and_keeps_the_clock(client):
    assert client.post("/_sandbox/clock", json={"now": "2031-05-05T10:00:00Z"}).status_code \
        == 200
    client.post("/_sandbox/clock", json={"advance": 30})
    _register(client, "Resettable")
    assert client.post("/_sandbox/faults", json={"api": "pigello", "status": 503}).status_code \
        == 201
    assert client.get("/_sandbox/outbox").json()["total"] > 0
    assert client.get("/_sandbox/requests").json()["total"] > 0

    assert client.post("/_sandbox/reset").status_code == 204

    assert "Resettable" not in _wallet_names(client)
    assert client.get("/_sandbox/outbox").json() == {"messages": [], "total": 0}
    journal = client.get("/_sandbox/requests").json()
    assert [r["path"] for r in journal["requests"]] == [WALLET_LIST]  # only the list just made
    assert client.get("/_sandbox/faults").json()["faults"] == []
    assert client.get(PIGELLO).status_code == 401  # no rule left: refused for no credentials
    assert client.get("/_sandbox/clock").json() == {"now": "2031-05-05T10:00:30.000Z",
                                                    "frozen": True}
    # the re-made world reads the kept clock
    assert _register(client, "After Reset")["createdAt"] == "2031-05-05T10:00:30.000Z"


def test_reset_keeps_an_advanced_real_time_clock(client):
    client.post("/_sandbox/clock", json={"advance": 86400})
    assert client.post("/_sandbox/reset").status_code == 204
    after = client.get("/_sandbox/clock").json()
    assert after["frozen"] is False
    ahead = datetime.fromisoformat(after["now"]) - datetime.now(UTC)
    assert 86000 < ahead.total_seconds() <= 86400  # still a day ahead of real time


def test_reset_touches_only_the_named_sandbox(client, app, sandbox_id):
    _register(client, "Stays Elsewhere")
    with app.test_client(headers={"X-Sandbox-Id": sandbox_id + "-other"}) as other:
        _register(other, "Goes Away")
        assert other.post("/_sandbox/reset").status_code == 204
        assert "Goes Away" not in _wallet_names(other)
    assert "Stays Elsewhere" in _wallet_names(client)


# --- the clock -------------------------------------------------------------------------------

def test_deleting_the_clock_returns_to_real_time(client):
    client.post("/_sandbox/clock", json={"now": "2001-01-01T00:00:00Z"})
    back = client.delete("/_sandbox/clock").json()
    assert back["frozen"] is False
    assert abs((datetime.fromisoformat(back["now"]) - datetime.now(UTC)).total_seconds()) < 60


def test_advancing_a_frozen_clock_moves_it_and_keeps_it_frozen(client):
    client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert client.post("/_sandbox/clock", json={"advance": 3600}).json() == {
        "now": "2030-01-01T01:00:00.000Z", "frozen": True}


# --- fault rules -----------------------------------------------------------------------------

def test_a_delay_rule_answers_normally_after_the_delay(client):
    rule = client.post("/_sandbox/faults", json={"api": "wallet", "delayMs": 120})
    assert rule.status_code == 201 and rule.json()["delayMs"] == 120
    started = time.monotonic()
    resp = client.get(WALLET_LIST, headers=PLATFORM)
    waited = time.monotonic() - started
    assert resp.status_code == 200 and resp.json()["data"]["totalElements"] == 2
    assert waited >= 0.12  # a lower bound only: the delay was applied
    assert client.get("/_sandbox/requests").json()["requests"][-1]["durationMs"] >= 120
    assert client.get("/_sandbox/faults").json()["faults"][0]["fired"] == 1


def test_a_status_rule_answers_in_the_apis_format_and_writes_nothing(client):
    client.post("/_sandbox/faults", json={"api": "wallet", "operationId": "registerTenant",
                                          "status": 500, "times": 1})
    body = reg(tenant__name="Never", tenant__email="never@promise.example",
               tenantAdmin__email="admin-never@promise.example")
    resp = client.post(f"{WALLET_LIST}/register", json=body)
    assert resp.status_code == 500
    assert resp.json()["statusCode"] == 500 and resp.json()["data"] is None
    assert "Never" not in _wallet_names(client)
    assert client.get("/_sandbox/outbox").json()["total"] == 0
    assert client.post(f"{WALLET_LIST}/register", json=body).status_code == 201  # times: 1


def test_probability_and_times_together_fire_exactly_times(client):
    client.post("/_sandbox/faults", json={"api": "wallet", "status": 503, "probability": 0.5,
                                          "times": 3})
    statuses = [client.get(WALLET_LIST, headers=PLATFORM).status_code for _ in range(40)]
    assert statuses.count(503) == 3 and statuses.count(200) == 37
    assert client.get("/_sandbox/faults").json()["faults"][0]["remaining"] == 0


def test_a_drop_rule_answers_nothing_in_process(client):
    assert client.post("/_sandbox/faults", json={"api": "wallet", "drop": True,
                                                 "times": 1}).status_code == 201
    with pytest.raises(AssertionError, match="did not receive any response"):
        client.get(WALLET_LIST, headers=PLATFORM)
    assert client.get(WALLET_LIST, headers=PLATFORM).status_code == 200
    dropped = client.get("/_sandbox/requests").json()["requests"][0]
    assert dropped["dropped"] is True and dropped["status"] is None


@pytest.fixture(scope="module")
def socket_url():
    with BackgroundServer(create_app()) as srv:
        yield srv.url


def test_a_drop_rule_closes_the_connection(socket_url):
    headers = {"X-Sandbox-Id": "drop-rule"}
    httpx.post(f"{socket_url}/_sandbox/faults", headers=headers,
               json={"api": "pigello", "drop": True, "times": 1})
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{socket_url}{PIGELLO}", headers=headers, timeout=10)
    again = httpx.get(f"{socket_url}{PIGELLO}", headers=headers, timeout=10)
    assert again.status_code == 401  # served again (no credentials sent)


def test_joined_delay_and_drop_header_drops_after_the_delay(socket_url):
    headers = {"X-Sandbox-Id": "joined-drop", "X-Sandbox-Fault": "delay=50;drop"}
    started = time.monotonic()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{socket_url}{WALLET_LIST}", headers={**PLATFORM, **headers}, timeout=10)
    assert time.monotonic() - started >= 0.05


# --- the one-off header, joined values, every API's format -----------------------------------

def test_joined_status_and_delay_header(client):
    started = time.monotonic()
    body = reg(tenant__name="Joined", tenant__email="joined@promise.example",
               tenantAdmin__email="admin-joined@promise.example")
    resp = client.post(f"{WALLET_LIST}/register", json=body,
                       headers={"X-Sandbox-Fault": "status=503;delay=80"})
    assert time.monotonic() - started >= 0.08
    assert resp.status_code == 503 and resp.json()["statusCode"] == 503
    assert "Joined" not in _wallet_names(client)


@pytest.mark.parametrize("method,path,headers,shape", [
    ("GET", "/bizzlink/tenants", {}, lambda b: b["errors"][0]["status"] == "429"),
    ("GET", WALLET_LIST, PLATFORM, lambda b: b["statusCode"] == 429 and b["data"] is None),
    ("GET", "/v2/tenants", ROOMLE_PLAIN_TOKEN_FREE, lambda b: b["error"]["status"] == 429),
    ("GET", PIGELLO, {}, lambda b: set(b) == {"detail"}),
], ids=["bizzlink", "wallet", "roomle", "pigello"])
def test_a_fault_status_is_in_each_apis_own_error_format(client, method, path, headers, shape):
    resp = client.request(method, path, headers={**headers, "X-Sandbox-Fault": "status=429"})
    assert resp.status_code == 429
    assert shape(resp.json()), resp.text


# --- sandbox names and isolation -------------------------------------------------------------

@pytest.mark.parametrize("name,status", [("a", 200), ("x" * 128, 200), ("A-z0.9_:b", 200),
                                         ("x" * 129, 400), ("has space", 400), ("slash/no", 400),
                                         ("é".encode(), 400)])
def test_sandbox_names(app, name, status):
    with app.test_client() as c:
        resp = c.get("/_sandbox/clock", headers={"X-Sandbox-Id": name})
    assert resp.status_code == status


def test_each_sandbox_is_its_own_world_and_no_header_is_default(app, sandbox_id):
    with app.test_client() as c:
        try:
            _register(_Named(c, sandbox_id + "-a"), "Only In A")
            assert "Only In A" in _wallet_names(_Named(c, sandbox_id + "-a"))
            assert "Only In A" not in _wallet_names(_Named(c, sandbox_id + "-b"))
            assert "Only In A" not in _wallet_names(c)
            _register(_Named(c, ""), "In Default")  # an empty header names default too
            assert "In Default" in _wallet_names(c)
            assert "In Default" in _wallet_names(_Named(c, "default"))
            assert "In Default" not in _wallet_names(_Named(c, sandbox_id + "-b"))
        finally:
            c.post("/_sandbox/reset")  # the session's default sandbox as other tests find it


class _Named:
    """A test client whose every request names one sandbox."""

    def __init__(self, client, name: str) -> None:
        self.client, self.name = client, name

    def _headers(self, kw: dict) -> dict:
        return {**kw.pop("headers", {}), "X-Sandbox-Id": self.name}

    def get(self, path: str, **kw):
        return self.client.get(path, headers=self._headers(kw), **kw)

    def post(self, path: str, **kw):
        return self.client.post(path, headers=self._headers(kw), **kw)


# --- health, ready, outbox -------------------------------------------------------------------

def test_ready_answers_head_and_get(client):
    assert client.get("/_sandbox/ready").status_code == 200
    head = client.head("/_sandbox/ready")
    assert head.status_code == 200 and head.content == b""


def test_outbox_filters_by_api_and_kind_and_clears(client):
    _register(client, "Outboxed")
    every = client.get("/_sandbox/outbox").json()
    assert every["total"] == len(every["messages"]) >= 2
    kinds = {m["kind"] for m in every["messages"]}
    assert "email" in kinds
    emails = client.get("/_sandbox/outbox", params={"kind": "email"}).json()
    assert emails["total"] >= 2 and {m["kind"] for m in emails["messages"]} == {"email"}
    assert client.get("/_sandbox/outbox", params={"api": "wallet"}).json()["total"] \
        == every["total"]
    assert client.get("/_sandbox/outbox", params={"api": "bizzlink"}).json()["total"] == 0
    assert client.delete("/_sandbox/outbox").status_code == 204
    assert client.get("/_sandbox/outbox").json()["total"] == 0


# --- <base>/openapi.json and <base>/ui/ for every API -----------------------------------------

SPECS = {"/bizzlink": "bizzlink.yaml", "/v2": "roomle.yaml", "/api/v1": "wallet.yaml",
         "/accounts/users/customer": "pigello.yaml", "/_sandbox": "sandbox.yaml"}


@pytest.mark.parametrize("base", list(SPECS))
def test_every_api_serves_its_spec_and_its_ui(client, base):
    spec = yaml.safe_load(Path(SPEC_DIR, SPECS[base]).read_text(encoding="utf-8"))
    served = client.get(f"{base}/openapi.json")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/json")
    document = served.json()
    assert document["info"]["title"] == spec["info"]["title"]
    assert set(document["paths"]) == set(spec["paths"])
    ui = client.get(f"{base}/ui/")
    assert ui.status_code == 200 and "text/html" in ui.headers["content-type"]
