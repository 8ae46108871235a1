"""Wallet callers: an X-API-KEY names a principal (platform admin, tenant admin, user)."""

from __future__ import annotations

from typing import Any

from mock_server.errors import Unauthorized
from mock_server.runtime import SCOPE_RUNTIME


def api_key_info(api_key: str, required_scopes: Any = None, request: Any = None) -> dict:
    """Connexion's X-API-KEY check: a known, unexpired key of a live tenant, else 401."""
    scope = request.scope
    sandbox = scope[SCOPE_RUNTIME].sandbox_for(scope)
    principal = sandbox.state("wallet").principal_for(api_key)
    if principal is None:
        raise Unauthorized("Unauthorized")
    return {"sub": principal.user_id, "principal": principal}
