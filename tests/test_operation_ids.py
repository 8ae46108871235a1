"""Operation ids read like the provider's (``listChildTenants``, ``registerTenant``):
the journal, coverage and fault rules name operations by them; each resolves to its
handler once, at start-up, and an id without one stops start-up."""

from __future__ import annotations

import dataclasses
import sys
import types

import pytest
from connexion.exceptions import ResolverError

import mock_server.app as app_module
from mock_server.apis import all_apis
from mock_server.testing import BizzlinkAuth

WALLET = {"X-API-KEY": "wk_platform_admin_key"}
BIZZLINK = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")


def _journal(client, **params) -> list[dict]:
    resp = client.get("/_sandbox/requests", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["requests"]


def test_the_journal_names_each_call_by_its_short_operation_id(client, credentials):
    pigello = credentials("pigello", "client", name="Norrsken Integration")["headers"]
    assert client.get("/api/v1/tenants", headers=WALLET).status_code == 200
    assert client.get("/api/v1/tenants/", headers=WALLET).status_code == 200
    assert client.get("/bizzlink/tenants", auth=BIZZLINK).status_code == 200
    assert client.get("/accounts/users/customer/subtenanttenantconnection/",
                      headers=pigello).status_code == 200
    assert client.get("/api/v1/tenants/nothing-here", headers=WALLET).status_code == 404
    assert [(e["api"], e["operationId"]) for e in _journal(client)] == [
        ("wallet", "listTenants"), ("wallet", "listTenantsSlash"),
        ("bizzlink", "listChildTenants"), ("pigello", "listSubtenantTenantConnections"),
        ("wallet", None)]


@pytest.mark.parametrize("named", ["listTenants", "list_tenants",
                                   "mock_server.apis.wallet.handlers.list_tenants"])
def test_a_fault_rule_names_one_operation_by_its_id_or_its_handler(client, named):
    rule = client.post("/_sandbox/faults", json={"api": "wallet", "operationId": named,
                                                 "status": 503})
    assert rule.status_code == 201, rule.text
    assert client.get("/api/v1/tenants/", headers=WALLET).status_code == 200  # listTenantsSlash
    assert client.get("/api/v1/tenants", headers=WALLET).status_code == 503
    assert len(_journal(client, operationId=named)) == 1
    assert len(_journal(client, operationId="listTenantsSlash")) == 1


def test_a_rule_naming_no_operation_of_the_api_never_fires(client):
    for named in ("getChildTenant", "listtenants", "ListTenants", "handlers.listTenants"):
        assert client.post("/_sandbox/faults", json={"operationId": named, "status": 500}
                           ).status_code == 201
    assert client.get("/api/v1/tenants", headers=WALLET).status_code == 200
    assert _journal(client, operationId="listtenants") == []


def test_coverage_lists_operations_by_their_ids(client):
    assert client.get("/bizzlink/tenants", auth=BIZZLINK).status_code == 200
    report = client.get("/_sandbox/coverage").json()
    bizzlink = next(a for a in report["apis"] if a["api"] == "bizzlink")
    ops = {o["operationId"]: o for o in bizzlink["operations"]}
    assert all(o["name"] == op_id for op_id, o in ops.items())
    assert ops["listChildTenants"]["calls"] == 1 and ops["deregisterFromSmp"]["calls"] == 0


def _with_handlers(monkeypatch, api: str, handlers: str) -> None:
    apis = [dataclasses.replace(a, handlers=handlers) if a.name == api else a
            for a in all_apis()]
    monkeypatch.setattr(app_module, "all_apis", lambda: apis)


def test_an_operation_id_without_a_handler_stops_start_up(monkeypatch):
    _with_handlers(monkeypatch, "wallet", "mock_server.apis.roomle.handlers")
    with pytest.raises(ResolverError, match=r"wallet \(wallet.yaml\): operationId "
                                            r"'registerTenant' has no handler: "
                                            r"mock_server.apis.roomle.handlers defines no "
                                            r"function register_tenant\(\)"):
        app_module.create_app()


def test_an_api_without_a_handlers_module_stops_start_up(monkeypatch):
    _with_handlers(monkeypatch, "pigello", "")
    with pytest.raises(ResolverError, match="pigello: ApiDefinition.handlers names no module"):
        app_module.create_app(flavor="flask")


def test_a_function_imported_into_the_handlers_module_is_not_its_handler(monkeypatch):
    """Only a function the module defines serves an id: one it merely imports (a model
    function of the same name, say) would take other arguments."""
    from mock_server.apis.wallet import handlers

    borrowed = types.ModuleType("borrowed_handlers")
    vars(borrowed).update({k: v for k, v in vars(handlers).items() if not k.startswith("__")})
    monkeypatch.setitem(sys.modules, "borrowed_handlers", borrowed)
    _with_handlers(monkeypatch, "wallet", "borrowed_handlers")
    with pytest.raises(ResolverError, match="defines no function register_tenant"):
        app_module.create_app()
