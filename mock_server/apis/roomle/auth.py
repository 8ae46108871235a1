"""Roomle callers: the ``apiKey`` header names a tenant, the ``token`` header a user.

Both are checked by Connexion's security step (each 401 names its header); the
handlers then look the caller up again from the headers (see ``handlers._caller``).
"""

from __future__ import annotations

from typing import Any

from mock_server.apis.roomle.models import API, RoomleState
from mock_server.errors import FieldError, Unauthorized
from mock_server.runtime import SCOPE_RUNTIME


def _state(request: Any) -> RoomleState:
    scope = request.scope
    return scope[SCOPE_RUNTIME].sandbox_for(scope).state(API)


def _unauthorized(header: str, detail: str) -> Unauthorized:
    return Unauthorized(f"{header} header {detail}",
                        errors=[FieldError(detail, parameter=header, location="header")])


def api_key_info(api_key: str, required_scopes: Any = None, request: Any = None) -> dict:
    """The tenant whose apiKey was sent, else 401."""
    tenant = _state(request).tenant_for_api_key(api_key)
    if tenant is None:
        raise _unauthorized("apiKey", "is not the apiKey of any tenant")
    return {"sub": tenant["id"]}


def token_info(token: str, required_scopes: Any = None, request: Any = None) -> dict:
    """The user whose token was sent, else 401."""
    user = _state(request).user_for_token(token)
    if user is None:
        raise _unauthorized("token", "is not a valid user token")
    return {"sub": user.id}
