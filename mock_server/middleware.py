"""ASGI middleware shared by every API: sandbox selection and the body size limit."""

from __future__ import annotations

import hmac
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.context import request_headers
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
        headers = request_headers(scope)
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        has_body = (length not in (None, "0")) or chunked
        content_type = headers.get("content-type")
        if has_body and not content_type:
            raise UnsupportedMediaType("A request body needs a Content-Type header")
        if length is not None:
            if not length.isdigit():
                raise BadRequest("Content-Length is not a number")
            if int(length) > limit:
                raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
        receive = _limited(receive, limit)
        if content_type or (chunked and length is None):
            scope = dict(scope)
            if content_type:
                _normalise_media_type(scope, content_type)
            if chunked and length is None:
                receive = await _read_whole_body(scope, receive)
        await self.app(scope, receive, send)


def _normalise_media_type(scope: Scope, content_type: str) -> None:
    """Media types are case-insensitive (RFC 9110 8.3.1): ``APPLICATION/JSON`` is
    ``application/json`` to every later step (parameters are kept as sent)."""
    media_type, sep, params = content_type.partition(";")
    normal = media_type.strip().lower()
    if normal == media_type:
        return
    value = (normal + sep + params).encode("latin-1")
    scope["headers"] = [(k, value if k == b"content-type" else v) for k, v in scope["headers"]]


async def receive_body(receive: Receive) -> bytes:
    """The whole request body, read from ``receive`` to its last message."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it on again as one message
    (for a middleware that must see the body before the app does)."""
    body = await receive_body(receive)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _read_whole_body(scope: Scope, receive: Receive) -> Receive:
    """A chunked body, read up to the body limit, then handed on as one message with
    its Content-Length, like any other body (Connexion looks for that header)."""
    body, replay = await read_body(receive)
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"transfer-encoding"] \
        + [(b"content-length", str(len(body)).encode())]
    return replay


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
            given = request_headers(scope).get("authorization", "")
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
        # A copy: the server's own scope keeps HEAD, so it sends no body and keeps the
        # connection open (changing its method made uvicorn expect the GET's body).
        scope = {**scope, "method": "GET"}

        async def head_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, head_send)


SCOPE_TRANSPORT = "mock_server.transport"


class ConnectionMiddleware:
    """Outermost: notes the request's connection, so that a ``drop`` fault can close it
    without a response (see :func:`drop_connection`), and counts the requests in
    progress (``Runtime.idle_for``: the GC rescan waits for a quiet moment).

    ASGI has no way to close a connection unanswered; uvicorn's request cycle (the
    object ``receive`` is bound to) holds the transport. Written against uvicorn 0.3x
    (``RequestResponseCycle.transport`` in both its HTTP implementations);
    tests/test_http_edges.py fails when that changes. Elsewhere (Connexion's test
    client) there is no transport and a drop answers nothing but also closes nothing.
    """

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_TRANSPORT] = getattr(getattr(receive, "__self__", None),
                                         "transport", None)
        runtime = self.runtime
        runtime.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            runtime.in_flight -= 1
            runtime.last_activity = time.monotonic()


async def drop_connection(scope: Scope, receive: Receive) -> None:
    """Close the request's connection at once, with no response at all, and return
    once the server has seen the disconnect (it then sends and logs nothing)."""
    transport = scope.get(SCOPE_TRANSPORT)
    if transport is None:
        return
    transport.abort()
    for _ in range(1000):
        message = await receive()
        if message["type"] == "http.disconnect":
            return
