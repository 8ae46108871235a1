"""Connexion's side of the control plane's ``adminToken`` bearer scheme.

``AdminTokenMiddleware`` (mock_server/middleware.py) is what enforces the admin
token, before routing; the scheme is in the spec so that clients and Swagger UI
know to send it. Its ``security`` offers an empty alternative, so Connexion itself
never refuses a control-plane call: without ``--admin-token`` every caller is
accepted with or without ``Authorization``, exactly as before the scheme existed.
"""

from __future__ import annotations

import hmac
from typing import Any

from mock_server.runtime import SCOPE_RUNTIME


def admin_token_info(token: str, request: Any = None) -> dict | None:
    """``{"sub": "admin"}`` for the configured admin token, else None (the empty
    alternative then accepts the call; the middleware has already refused it when a
    token is configured)."""
    runtime = request.scope.get(SCOPE_RUNTIME) if request is not None else None
    expected = runtime.config.admin_token if runtime is not None else None
    if expected and hmac.compare_digest(token.encode(), expected.encode()):
        return {"sub": "admin"}
    return None
