"""Shared test fixtures: one app per flavour per session, a fresh sandbox per test.

- ``app``: the sandbox app, built once per session for each flavour
  (``async`` and ``flask``) with response validation on; tests that use it run
  once per flavour.
- ``client``: an httpx-style test client whose every request carries a unique
  ``X-Sandbox-Id``, so each test starts from the default fixtures and never sees
  another test's writes.
- ``credentials``: ``credentials(api, role, **match)`` -> the first principal of
  that API and role from ``GET /_sandbox/credentials`` (of this test's sandbox).
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

from mock_server.app import create_app  # noqa: E402
from mock_server.config import Config  # noqa: E402

pytest_plugins = ["pytester"]

_counter = itertools.count()


@pytest.fixture(scope="session", params=["async", "flask"])
def app(request: pytest.FixtureRequest) -> Any:
    return create_app(Config(validate_responses=True), flavor=request.param)


@pytest.fixture
def sandbox_id(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9._:-]", "-", f"t{next(_counter)}-{request.node.name[:60]}")


@pytest.fixture
def client(app: Any, sandbox_id: str) -> Any:
    with app.test_client(headers={"X-Sandbox-Id": sandbox_id}) as c:
        yield c


@pytest.fixture
def credentials(client: Any) -> Callable[..., dict]:
    cache: dict[str, Any] = {}

    def find(api: str, role: str, **match: Any) -> dict:
        if "all" not in cache:
            resp = client.get("/_sandbox/credentials")
            assert resp.status_code == 200, resp.text
            cache["all"] = resp.json()
        for principal in cache["all"].get(api, []):
            if principal["role"] == role and all(principal.get(k) == v for k, v in match.items()):
                return principal
        raise LookupError(f"no {api} principal with role {role} and {match}")

    return find
