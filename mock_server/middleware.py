"""ASGI middleware shared by every API: sandbox selection and the body size limit."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.errors import BadRequest, PayloadTooLarge
from mock_server.runtime import SCOPE_RUNTIME, Runtime


class SandboxMiddleware:
    """Attaches the runtime and the caller's sandbox to the scope; refuses oversized bodies.

    Runs after Connexion's exception middleware, so what it raises is rendered in
    the format of the API the path belongs to.
    """

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_RUNTIME] = self.runtime
        self.runtime.sandbox_for(scope)
        limit = self.runtime.config.max_body_bytes
        length = Headers(scope=scope).get("content-length")
        if length is not None:
            if not length.isdigit():
                raise BadRequest("Content-Length is not a number")
            if int(length) > limit:
                raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
        await self.app(scope, _limited(receive, limit), send)


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
        return message

    return limited
