"""Shared helpers for the Roomle tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BASE = "/v2/tenants"
SUPER, MANAGER, USER = "super_admin", "tenant_manager", "user"
DEMO, PRIVATE, PLATFORM, DORMANT = 2, 3, 1, 4


def headers(credentials: Callable[..., dict], role: str, **match: Any) -> dict[str, str]:
    """Ready-to-send headers of a seeded principal."""
    return credentials("roomle", role, **match)["headers"]


def manager(credentials: Callable[..., dict], tenant: int = DEMO) -> dict[str, str]:
    return headers(credentials, MANAGER, tenantId=str(tenant))


def error_fields(resp: Any) -> list[str]:
    """The fields named by a Roomle error document (and check its shape)."""
    body = resp.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == resp.status_code
    assert isinstance(body["error"]["message"], str) and body["error"]["code"]
    return [e["field"] for e in body["error"]["errors"]]
