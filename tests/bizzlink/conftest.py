"""Bizzlink test helpers: signed requests as any seeded principal."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from mock_server.testing import BizzlinkAuth
from tests.bizzlink.helpers import NOT_PARTNER, SEATS


@pytest.fixture
def principal(credentials: Callable[..., dict]) -> Callable[[str], dict]:
    def find(name: str) -> dict:
        creds = credentials("bizzlink", "partner", name=name) if name != NOT_PARTNER \
            else credentials("bizzlink", "tenant", name=name)
        return creds

    return find


@pytest.fixture
def bz(client: Any, principal: Callable[[str], dict]) -> Callable[..., Any]:
    """``bz(method, path, as_=SEATS, json=None, **kw)``: a correctly signed request."""

    def call(method: str, path: str, as_: str = SEATS, json_body: Any = None,
             clock: Callable[[], float] = time.time, **kw: Any) -> Any:
        p = principal(as_)
        token = p["headers"]["Authorization"].removeprefix("Bearer ")
        if json_body is not None:
            kw["content"] = json.dumps(json_body).encode()
            kw.setdefault("headers", {})["Content-Type"] = "application/vnd.api+json"
        return client.request(method, path, auth=BizzlinkAuth(token, p["hmacSecret"], clock), **kw)

    return call
