"""Bizzlink authentication: Bearer token plus the HMAC request signature.

:func:`authenticate` is this API's ``ApiDefinition.authenticate``: the shared identity
step (mock_server/identity.py) calls it with the raw body, which the signature covers,
before Connexion's security and body validation. Each failure gets its own 401
message; handlers get the calling account as ``ctx.principal``.
"""

from __future__ import annotations

from starlette.types import Scope

from mock_server.apis.bizzlink.models import Account, BizzlinkState
from mock_server.apis.bizzlink.signing import SIGNATURE_HEADER, parse_signature, verify
from mock_server.context import request_headers
from mock_server.errors import FieldError, Unauthorized
from mock_server.runtime import SCOPE_RUNTIME, Runtime


def _state(scope: Scope) -> BizzlinkState:
    runtime: Runtime = scope[SCOPE_RUNTIME]
    return runtime.sandbox_for(scope).state("bizzlink")


def _header_error(detail: str, header: str) -> Unauthorized:
    return Unauthorized(detail, errors=[FieldError(detail, parameter=header, location="header")],
                        headers={"WWW-Authenticate": 'Bearer realm="bizzlink"'})


def authenticate(scope: Scope, body: bytes | None, required: bool) -> Account:
    """The calling account, or Unauthorized naming what is wrong (every Bizzlink
    operation requires both credentials)."""
    headers = request_headers(scope)
    auth = headers.get("authorization")
    if not auth:
        raise _header_error("is missing", "Authorization")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _header_error("must be 'Bearer <api-token>'", "Authorization")
    account = _state(scope).account_for_token(token.strip())
    if account is None:
        raise _header_error("carries an unknown API token", "Authorization")
    value = headers.get(SIGNATURE_HEADER.lower())
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
    if not verify(account.hmac_secret, value, scope["method"], path_and_query, body or b""):
        raise _header_error("does not match the request", SIGNATURE_HEADER)
    return account
