"""Journal and faults over a real socket (uvicorn), where scopes travel differently."""

from __future__ import annotations

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving import BackgroundServer
from mock_server.testing import BizzlinkAuth

AUTH = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")


@pytest.fixture(scope="module", params=["async", "flask"])
def url(request):
    with BackgroundServer(create_app(flavor=request.param)) as srv:
        yield srv.url


def test_journal_names_the_operation(url):
    headers = {"X-Sandbox-Id": "journal-op"}
    assert httpx.get(f"{url}/bizzlink/tenants", auth=AUTH, headers=headers).status_code == 200
    entries = httpx.get(f"{url}/_sandbox/requests", headers=headers).json()["requests"]
    assert entries[-1]["operationId"] == "listChildTenants"


def test_dropped_connection_and_the_server_keeps_serving(url):
    headers = {"X-Sandbox-Id": "drop", "X-Sandbox-Fault": "drop"}
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/bizzlink/tenants", auth=AUTH, headers=headers, timeout=5)
    ok = httpx.get(f"{url}/bizzlink/tenants", auth=AUTH, headers={"X-Sandbox-Id": "drop"})
    assert ok.status_code == 200
    entries = httpx.get(f"{url}/_sandbox/requests", headers={"X-Sandbox-Id": "drop"}).json()
    assert entries["requests"][0]["dropped"] is True
    assert entries["requests"][0]["status"] is None
