"""Bizzlink authentication: Bearer token plus the HMAC request signature.

The whole check runs in :class:`SignatureMiddleware`, placed after routing and
before Connexion's security and body validation, because the signature covers
the raw body (security handlers never see it). Each failure gets its own 401
message. The security functions named in the spec then only look the
(already verified) token up, so handlers receive the caller as ``token_info``.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.apis.bizzlink.models import Account, BizzlinkState
from mock_server.apis.bizzlink.signing import SIGNATURE_HEADER, parse_signature, verify
from mock_server.errors import FieldError, Unauthorized
from mock_server.middleware import read_body
from mock_server.runtime import SCOPE_RUNTIME, Runtime

BASE_PATH = "/bizzlink"
SCOPE_ACCOUNT = "mock_server.bizzlink.account"


def _state(scope: Scope) -> BizzlinkState:
    runtime: Runtime = scope[SCOPE_RUNTIME]
    return runtime.sandbox_for(scope).state("bizzlink")


def _header_error(detail: str, header: str) -> Unauthorized:
    return Unauthorized(detail, errors=[FieldError(detail, parameter=header, location="header")],
                        headers={"WWW-Authenticate": 'Bearer realm="bizzlink"'})


def authenticate(scope: Scope, body: bytes) -> Account:
    """The calling account, or Unauthorized naming what is wrong."""
    headers = Headers(scope=scope)
    auth = headers.get("authorization")
    if not auth:
        raise _header_error("is missing", "Authorization")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _header_error("must be 'Bearer <api-token>'", "Authorization")
    account = _state(scope).account_for_token(token.strip())
    if account is None:
        raise _header_error("carries an unknown API token", "Authorization")
    value = headers.get(SIGNATURE_HEADER)
    if not value:
        raise _header_error("is missing", SIGNATURE_HEADER)
    parsed = parse_signature(value)
    if parsed is None:
        raise _header_error("is malformed: expected t=<unix-seconds>,v1=<64 hex digits>",
                            SIGNATURE_HEADER)
    runtime: Runtime = scope[SCOPE_RUNTIME]
    now = runtime.sandbox_for(scope).clock.timestamp()
    tolerance = runtime.config.signature_tolerance
    if abs(now - parsed[0]) > tolerance:
        raise _header_error(f"timestamp is outside the allowed window of {tolerance} seconds",
                            SIGNATURE_HEADER)
    raw_path = scope.get("raw_path") or scope["path"].encode()
    path_and_query = raw_path.decode("latin-1")
    if scope.get("query_string"):
        path_and_query += "?" + scope["query_string"].decode("latin-1")
    if not verify(account.hmac_secret, value, scope["method"], path_and_query, body):
        raise _header_error("does not match the request", SIGNATURE_HEADER)
    return account


class SignatureMiddleware:
    """Verifies token and signature of every routed Bizzlink request, then replays the body."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        if scope["type"] != "http" or not routed or \
                not (scope["path"] + "/").startswith(BASE_PATH + "/"):
            await self.app(scope, receive, send)
            return
        body, replay = await read_body(receive)
        scope[SCOPE_ACCOUNT] = authenticate(scope, body)
        await self.app(scope, replay, send)


def bearer_info(token: str, request: Any = None) -> dict | None:
    """Connexion's bearer check: the account the middleware already verified."""
    account = request.scope.get(SCOPE_ACCOUNT) if request is not None else None
    if account is None or account.token != token:
        return None
    return {"sub": account.id, "account": account}


def signature_info(api_key: str, required_scopes: Any = None, request: Any = None) -> dict:
    """The signature itself was verified against the raw request by the middleware."""
    return {"verified": True}
