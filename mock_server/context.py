"""What a handler gets besides its parameters: who calls, in which sandbox, how."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers
from starlette.types import Scope

if TYPE_CHECKING:
    from mock_server.apis.base import ApiDefinition
    from mock_server.runtime import Runtime
    from mock_server.sandbox import Sandbox


_HEADERS = "mock_server.headers"


def request_headers(scope: Scope) -> Mapping[str, str]:
    """The request's headers by lower-case name, the first of a repeated one (what
    Starlette's ``Headers(scope=scope).get`` answers), made once per request: the
    middlewares and an API's authenticate ask a dozen times, and each ``Headers`` lookup
    scans and decodes the raw list again. Made again when a middleware has replaced
    ``scope["headers"]`` (they replace the list, never change it in place). Read only."""
    raw = scope["headers"]
    made = scope.get(_HEADERS)
    if made is not None and made[0] is raw:
        return made[1]
    found: dict[str, str] = {}
    for name, value in raw:
        found.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    scope[_HEADERS] = (raw, found)
    return found


@dataclass
class RequestContext:
    runtime: Runtime
    api: ApiDefinition
    loaded_sandbox: Sandbox | None  # None only for health/ready while the world is loading
    scope: Scope
    principal: Any = None  # the caller the API's authenticate named (identity.py)

    @property
    def sandbox(self) -> Sandbox:
        """The caller's sandbox (every operation but health/ready runs with one)."""
        if self.loaded_sandbox is None:
            raise RuntimeError("no sandbox: the world is still loading")
        return self.loaded_sandbox

    @cached_property
    def headers(self) -> Headers:
        return Headers(scope=self.scope)

    @property
    def path(self) -> str:
        return self.scope["path"]

    @property
    def method(self) -> str:
        return self.scope["method"]

    @property
    def query_string(self) -> str:
        return self.scope.get("query_string", b"").decode("latin-1")

    @cached_property
    def base_url(self) -> str:
        """Scheme and authority the client used (from the Host header)."""
        scheme = self.scope.get("scheme", "http")
        host = self.headers.get("host")
        if not host:
            server = self.scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{scheme}://{host}"
