"""ASGI middleware shared by every API: sandbox selection and the body size limit."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.errors import (
    ApiError,
    BadRequest,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from mock_server.runtime import SCOPE_RUNTIME, Runtime

HEALTH_PATHS = ("/_sandbox/health", "/_sandbox/ready")


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
        if not self.runtime.ready:
            if scope["path"].rstrip("/") in HEALTH_PATHS or "/ui" in scope["path"]:
                await self.app(scope, receive, send)
                return
            raise ApiError("The sandbox is still loading its fixtures"
                           + (f" and failed: {self.runtime.load_error}"
                              if self.runtime.load_error else ""),
                           status=503, headers={"Retry-After": "1"})
        self.runtime.sandbox_for(scope)
        limit = self.runtime.config.max_body_bytes
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        has_body = (length not in (None, "0")) or "chunked" in headers.get("transfer-encoding", "")
        if has_body and not headers.get("content-type"):
            raise UnsupportedMediaType("A request body needs a Content-Type header")
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


class AdminTokenMiddleware:
    """With an admin token configured, /_sandbox (but health) needs ``Bearer <token>``."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.token = runtime.config.admin_token
        self.prefix = runtime.control.base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token and scope["type"] == "http" and \
                (scope["path"] + "/").startswith(self.prefix + "/") and \
                scope["path"].rstrip("/") not in HEALTH_PATHS:
            given = Headers(scope=scope).get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                raise Unauthorized("The control plane needs Authorization: Bearer <admin token>",
                                   headers={"WWW-Authenticate": 'Bearer realm="sandbox"'})
        await self.app(scope, receive, send)


class HeadMiddleware:
    """HEAD is served as GET without the body, the same way in both app flavours."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        scope["method"] = "GET"

        async def head_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, head_send)
