"""What a handler gets besides its parameters: who calls, in which sandbox, how."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers
from starlette.types import Scope

if TYPE_CHECKING:
    from mock_server.apis.base import ApiDefinition
    from mock_server.runtime import Runtime
    from mock_server.sandbox import Sandbox


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
