"""Pigello authentication: seven X-PIGELLO-* headers.

:func:`authenticate` is this API's ``ApiDefinition.authenticate``: the shared identity
step (mock_server/identity.py) calls it after routing and before Connexion's security,
so that each failure gets its own message: 401 naming every missing header, 401 for an
unknown client or a wrong secret / application / service, 403 when the client does not
belong to the customer in X-PIGELLO-CUSTOMER-ID. Handlers get the client as
``ctx.principal``. :class:`SlashRedirectMiddleware` answers paths that miss their
trailing slash with Django's 301 redirect.
"""

from __future__ import annotations

import hmac
import re
from contextvars import ContextVar
from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.apis.pigello.models import API, Client, PigelloState
from mock_server.context import request_headers
from mock_server.errors import Forbidden, Unauthorized
from mock_server.runtime import SCOPE_RUNTIME, Runtime

BASE_PATH = "/accounts/users/customer"
HEADERS = ("X-PIGELLO-APPLICATION-ID", "X-PIGELLO-CLIENT-CT", "X-PIGELLO-CLIENT-ENTITY",
           "X-PIGELLO-CLIENT-SECRET", "X-PIGELLO-CUSTOMER-ID", "X-PIGELLO-SERVICE-ID",
           "X-PIGELLO-SERVICE-VERSION-ID")
# The request's method, for DRF's 405 message (the routing error does not carry it).
METHOD: ContextVar[str] = ContextVar("pigello_method", default="")
ROUTE = re.compile(rf"{BASE_PATH}/(tenant|subtenant|subtenanttenantconnection)(/list|/[^/]+)?")


def authenticate(scope: Scope, body: bytes | None, required: bool) -> Client:
    """The calling client, or Unauthorized / Forbidden saying what is wrong (every
    Pigello operation requires the seven headers)."""
    state: PigelloState = scope[SCOPE_RUNTIME].sandbox_for(scope).state(API)
    sent = request_headers(scope)
    headers = {h: sent.get(h.lower(), "") for h in HEADERS}
    missing = [h for h in HEADERS if not headers[h].strip()]
    if missing:
        raise Unauthorized("Authentication credentials were not provided: missing header(s) "
                           + ", ".join(missing) + ".")
    client = state.clients.get(headers["X-PIGELLO-CLIENT-ENTITY"].strip().lower())
    if client is None or client.client_ct != headers["X-PIGELLO-CLIENT-CT"].strip():
        raise Unauthorized("Invalid client: X-PIGELLO-CLIENT-ENTITY and X-PIGELLO-CLIENT-CT "
                           "do not name a known client.")
    if not hmac.compare_digest(client.secret.encode(),
                               headers["X-PIGELLO-CLIENT-SECRET"].encode()):
        raise Unauthorized("Invalid X-PIGELLO-CLIENT-SECRET for this client.")
    for header, expected in (("X-PIGELLO-APPLICATION-ID", client.application_id),
                             ("X-PIGELLO-SERVICE-ID", client.service_id),
                             ("X-PIGELLO-SERVICE-VERSION-ID", client.service_version_id)):
        if headers[header].strip().lower() != expected.lower():
            raise Unauthorized(f"Invalid {header} for this client.")
    if headers["X-PIGELLO-CUSTOMER-ID"].strip().lower() != client.customer_id.lower():
        raise Forbidden("This client does not belong to the customer named in "
                        "X-PIGELLO-CUSTOMER-ID.")
    return client


class SlashRedirectMiddleware:
    """``/tenant`` -> 301 to ``/tenant/``, as Django's APPEND_SLASH answers (any method)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http":
            METHOD.set(scope.get("method", ""))
        if scope["type"] != "http" or path.endswith("/") or not ROUTE.fullmatch(path):
            await self.app(scope, receive, send)
            return
        # The path as the client sent it (percent-encoded), never the decoded one: a
        # decoded LF or a non-Latin-1 character cannot stand in a header.
        location = (scope.get("raw_path") or quote(path).encode()).split(b"?", 1)[0] + b"/"
        if scope.get("query_string"):
            location += b"?" + scope["query_string"]
        await send({"type": "http.response.start", "status": 301,
                    "headers": [(b"location", location),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
