"""Roomle callers, authenticated as Roomle publishes it.

Every call sends ``apiKey`` (a tenant's API key) and ``token``
(``<algorithm>-<base64 of AES(secret, "<timestamp>;<sessionToken>;<apiKey>")>``, see
``tokens.py``), plus ``currentTenant`` and ``language``. :func:`authenticate` is this
API's ``ApiDefinition.authenticate``: the shared identity step (mock_server/identity.py)
calls it once per request, before Connexion's security and validation (each 401 names
its header), and the handlers read the :class:`Caller` as ``ctx.principal``.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Scope

from mock_server.apis.roomle import tokens
from mock_server.apis.roomle.models import API, RoomleState, User
from mock_server.collection import Record
from mock_server.context import request_headers
from mock_server.errors import NO_CREDENTIALS, FieldError, Forbidden, Unauthorized
from mock_server.runtime import SCOPE_RUNTIME


@dataclass(frozen=True)
class Caller:
    """Who calls: the apiKey's tenant, and the signed-in user (None: anonymous)."""

    tenant: Record
    user: User | None
    session: str


def _no_credentials() -> Unauthorized:
    return Unauthorized("No credentials were sent", code=NO_CREDENTIALS)


def _unauthorized(header: str, detail: str) -> Unauthorized:
    return Unauthorized(f"{header} header {detail}",
                        errors=[FieldError(detail, parameter=header, location="header")])


def _session_of(state: RoomleState, tenant: Record, header: str) -> str:
    """The session token inside a request token, checked against the apiKey and the
    sandbox clock; in plain-token mode (the sandbox's own, off by default) the header
    may also carry the session token itself."""
    if state.plain_tokens and (header == tokens.ANONYMOUS or header in state.sessions):
        return header
    try:
        token = tokens.read_token(tenant["secret"], header)
    except tokens.TokenError as exc:
        raise _unauthorized("token", str(exc)) from None
    if token.api_key != tenant["apiKey"]:
        raise _unauthorized("token", "was made for another apiKey")
    age = (state.sandbox.now() - token.timestamp).total_seconds()
    if age > state.max_age:
        raise _unauthorized("token", f"has expired: its timestamp is more than "
                                     f"{state.max_age} s before the server time")
    if age < -state.max_age:
        raise _unauthorized("token", f"has a timestamp more than {state.max_age} s "
                                     f"after the server time")
    return token.session_token


def authenticate(scope: Scope, body: bytes | None, required: bool) -> Caller:
    """The caller of a request, else 401 (credentials) or 403 (tenant mismatch). A
    request without one of the two headers has sent no credentials (one 401 naming
    both), unless the apiKey it did send is already wrong."""
    state: RoomleState = scope[SCOPE_RUNTIME].sandbox_for(scope).state(API)
    headers = request_headers(scope)
    api_key = headers.get("apikey")
    if api_key is None:
        raise _no_credentials()
    tenant = state.tenant_for_api_key(api_key) if api_key else None
    if tenant is None:
        raise _unauthorized("apiKey", "is not the apiKey of any tenant")
    header = headers.get("token")
    if header is None:
        raise _no_credentials()
    if not header:
        raise _unauthorized("token", "is required")
    session = _session_of(state, tenant, header)
    user = None
    if session != tokens.ANONYMOUS:
        user = state.user_for_session(session)
        if user is None:
            raise _unauthorized("token", "names no signed-in session (sign in again)")
        if user.role != "super_admin" and user.tenant_id != tenant["id"]:
            raise Forbidden("The user does not belong to the tenant of the apiKey", errors=[
                FieldError("belongs to another tenant than the user", parameter="apiKey",
                           location="header")])
    current = headers.get("currenttenant")
    if current is not None and current.strip() != str(tenant["id"]):
        raise Forbidden("currentTenant is not the tenant of the apiKey", errors=[
            FieldError(f"must be {tenant['id']}, the tenant of the apiKey",
                       parameter="currentTenant", location="header")])
    return Caller(tenant, user, session)
