"""Pigello test fixtures: requests sent with a seeded client's seven headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.pigello.helpers import NORRSKEN


@pytest.fixture
def pg(client: Any, credentials: Callable[..., dict]) -> Callable[..., Any]:
    """``pg(method, path, as_=NORRSKEN, json=None, headers=None, **kw)``."""

    def call(method: str, path: str, as_: str = NORRSKEN, headers: dict | None = None,
             **kw: Any) -> Any:
        sent = {**credentials("pigello", "client", name=as_)["headers"], **(headers or {})}
        return client.request(method, path, headers=sent, **kw)

    return call


@pytest.fixture
def ids(pg: Callable[..., Any]) -> Callable[..., list[str]]:
    """``ids(path_with_query)``: the ids a list answers, in order (asserting 200)."""

    def call(path: str, as_: str = NORRSKEN) -> list[str]:
        resp = pg("GET", path, as_=as_)
        assert resp.status_code == 200, resp.text
        return [r["id"] for r in resp.json()["data"]]

    return call
