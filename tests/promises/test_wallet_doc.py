"""docs/wallet.md "Lists" and "Paging as Spring does it": every sort key, both ways, gives
the same order page by page as in one page, alone and under a filter (the filters alone
and with paging, and each role on each filter, are in tests/wallet/test_wallet_rules.py)."""

from __future__ import annotations

import pytest
import yaml

from mock_server.config import SPEC_DIR
from tests.wallet.test_wallet_api import reg
from tests.wallet.test_wallet_rules import _sortable_world, names, page

SORT_KEYS = ["tenantId", "name", "email", "phoneNumber", "address", "country", "country.code",
             "country.name", "allowNotification", "webhookUrl", "createdAt", "updatedAt"]


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_every_sort_key_pages_like_one_page(client, key, direction):
    _sortable_world(client)
    sort = f"{key},{direction}"
    whole = names(page(client, sort=sort, size=50))
    assert len(whole) == 5
    paged = []
    for number in range(3):
        data = page(client, sort=sort, size=2, page=number)
        assert (data["totalElements"], data["totalPages"], data["size"], data["number"]) == (
            5, 3, 2, number)
        paged += names(data)
    assert paged == whole
    past = page(client, sort=sort, size=2, page=3)
    assert past["content"] == [] and past["totalElements"] == 5


@pytest.mark.parametrize("key", SORT_KEYS)
def test_every_sort_key_under_a_filter_with_paging(client, key):
    _sortable_world(client)
    sort = f"{key},desc"
    notified = set(names(page(client, allowNotification="true", size=50)))
    assert len(notified) == 3
    expected = [n for n in names(page(client, sort=sort, size=50)) if n in notified]
    paged = []
    for number in range(3):
        data = page(client, sort=sort, allowNotification="true", size=1, page=number)
        assert (data["totalElements"], data["totalPages"]) == (3, 3)
        paged += names(data)
    assert paged == expected


def test_the_three_extensions_are_marked_and_tagged_in_the_spec():
    spec = yaml.safe_load((SPEC_DIR / "wallet.yaml").read_text(encoding="utf-8"))
    marked = sorted(path for path, item in spec["paths"].items() for op in item.values()
                    if isinstance(op, dict) and op.get("x-sandbox-extension") is True
                    and "sandbox-extension" in op.get("tags", []))
    assert marked == ["/tenants/delete", "/tenants/history", "/tenants/restore"]


def test_register_ignores_the_tenant_header(client):
    body = reg(tenant__email="hdr@promise.example", tenantAdmin__email="hdr-a@promise.example")
    resp = client.post("/api/v1/tenants/register", json=body,
                       headers={"X-Tenant-ID": "00000000-0000-4000-8000-000000000000"})
    assert resp.status_code == 201, resp.text
