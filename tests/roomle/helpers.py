"""Shared helpers for the Roomle tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from mock_server.apis.roomle.tokens import make_token

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


def sandbox_now(client: Any) -> datetime:
    """The sandbox clock (request tokens follow it)."""
    return datetime.fromisoformat(client.get("/_sandbox/clock").json()["now"].replace("Z",
                                                                                       "+00:00"))


def token_headers(principal: dict, *, at: datetime | None = None, algorithm: str = "02",
                  session: str | None = None, secret: str | None = None,
                  api_key: str | None = None) -> dict[str, str]:
    """The principal's headers with a request token made by the sandbox's own code."""
    key = api_key or principal["apiKey"]
    token = make_token(secret or principal["secret"],
                       session if session is not None else principal["sessionToken"], key,
                       at or datetime.now(UTC), algorithm)
    return {**principal["headers"], "apiKey": principal["apiKey"], "token": token}
