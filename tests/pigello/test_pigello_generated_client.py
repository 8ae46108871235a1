"""A client generated from openapi/pigello.yaml by openapi-python-client (pinned in the
dev extra; runs offline) builds, imports and round-trips against a real server."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_server.app import create_app
from mock_server.config import SPEC_DIR, Config
from mock_server.serving import BackgroundServer
from tests.pigello.helpers import ALLOW, BASE, NORRSKEN, S1, S2, T1, T3

pytest.importorskip("openapi_python_client")
PACKAGE = "pigello_sandbox_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("generated")
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate",
         "--path", str(SPEC_DIR / "pigello.yaml"), "--output-path", str(root / PACKAGE),
         "--meta", "none"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    # "Warning(s) encountered" would mean dropped operations or members.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def client(generated: Any) -> Iterator[Any]:
    with BackgroundServer(create_app(Config(validate_responses=True))) as server:
        headers = {"X-Sandbox-Id": "generated-client"}
        creds = requests.get(f"{server.url}/_sandbox/credentials", headers=headers,
                             timeout=10).json()["pigello"]
        headers.update(next(c for c in creds if c["name"] == NORRSKEN)["headers"])
        with generated.Client(base_url=server.url + BASE, headers=headers,
                              raise_on_unexpected_status=True) as c:
            yield c


def _api(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def _models() -> Any:
    return importlib.import_module(f"{PACKAGE}.models")


def test_every_operation_is_generated(generated: Any) -> None:
    for tag, ops in (("tenant", "tenants"), ("subtenant", "subtenants"),
                     ("subtenanttenantconnection", "subtenant_tenant_connections")):
        single = ops[:-1]
        names = {f"list_{ops}", f"create_{single}", f"get_{single}", f"update_{single}",
                 f"delete_{single}", f"bulk_write_{ops}"}
        for name in names:
            assert importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def test_tenant_round_trip(client: Any) -> None:
    m = _models()
    tenant = _api("tenant")
    created = tenant.create_tenant.sync(client=client, body=m.TenantCreate(
        first_name="Greta", last_name="Lind", ssn="198503121231", invoice_email="g@example.se"))
    assert isinstance(created, m.Tenant) and created.first_name == "Greta"
    got = tenant.get_tenant.sync(str(created.id), client=client)
    assert got.ssn == "198503121231" and got.is_company is False
    updated = tenant.update_tenant.sync(str(created.id), client=client,
                                        body=m.TenantWrite(popular_name="Gretsy"))
    assert updated.popular_name == "Gretsy" and updated.last_name == "Lind"
    page = tenant.list_tenants.sync(client=client, field_page=1, field_page_size=2,
                                    field_order_by="-created_at")
    assert page.meta.total_amount == 4 and page.data[0].id == created.id
    negated = tenant.list_tenants.sync(
        client=client, negated=m.ListTenantsNegated.from_dict({"id!": str(created.id)}))
    assert created.id not in [row.id for row in negated.data]
    assert len(negated.data) == 3
    slim = tenant.list_tenants.sync(client=client, field_slim=True, first_name="Greta")
    assert [row.to_dict() for row in slim.data] == [{
        "id": str(created.id), "first_name": "Greta", "last_name": "Lind",
        "corporate_name": None, "custom_id": None}]
    bulk = tenant.bulk_write_tenants.sync(client=client, body=[
        m.TenantBulkItem(corporate_name="Ny AB"),
        m.TenantBulkItem(id=created.id, custom_id="G-1")])
    assert [t.custom_id for t in bulk] == [None, "G-1"] and bulk[1].id == created.id
    error = tenant.create_tenant.sync(client=client, body=m.TenantCreate(ssn="198503121232"))
    assert error.to_dict() == {
        "ssn": ["Enter a valid number: the Luhn check digit does not match."]}


def test_connection_round_trip_with_null_choices(client: Any) -> None:
    m = _models()
    conn = _api("subtenanttenantconnection")
    created = conn.create_subtenant_tenant_connection.sync(
        client=client, body=m.SubtenanttenantconnectionCreate.from_dict(
            {"tenant": {"id": T3}, "sub_tenant": {"id": S2}, "stakeholder_type": 1,
             "category": None}))
    assert isinstance(created, m.Subtenanttenantconnection), created
    assert created.category is None and str(created.tenant.id) == T3
    listed = conn.list_subtenant_tenant_connections.sync(client=client, category_isnull=True)
    assert created.id in [row.id for row in listed.data]
    patched = conn.update_subtenant_tenant_connection.sync(
        str(created.id), client=client,
        body=m.SubtenanttenantconnectionWrite.from_dict({"category": 4}))
    assert patched.to_dict()["category"] == 4
    bulk = conn.bulk_write_subtenant_tenant_connections.sync(client=client, body=[
        m.SubtenanttenantconnectionBulkItem.from_dict(
            {"tenant": {"id": T1}, "sub_tenant": {"id": S1}, "stakeholder_type": 0})])
    assert len(bulk) == 1 and bulk[0].category is None


def test_subtenant_create_with_the_allow_booleans(client: Any) -> None:
    m = _models()
    sub = _api("subtenant")
    created = sub.create_subtenant.sync(client=client, body=m.SubtenantCreate(
        first_name="Ida", **dict.fromkeys(ALLOW, True)))
    assert isinstance(created, m.Subtenant) and created.allow_my_pages_access is True
    with pytest.raises(KeyError):   # the generated model knows they are required
        m.SubtenantCreate.from_dict({"first_name": "Ida", **dict.fromkeys(ALLOW[1:], True)})
    raw = client.get_httpx_client().post(
        "/subtenant/", json={"first_name": "Ida", **dict.fromkeys(ALLOW[1:], True)})
    assert raw.status_code == 400
    assert raw.json() == {ALLOW[0]: ["This field is required."]}
