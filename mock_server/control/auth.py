"""Who calls the control plane: the ``adminToken`` bearer scheme.

``AdminTokenMiddleware`` (mock_server/middleware.py) enforces the admin token before
routing, for every /_sandbox path (unrouted ones too); the scheme is in the spec so
that clients and Swagger UI know to send it. Its ``security`` offers an empty
alternative, so the identity step never refuses a control-plane call: without
``--admin-token`` every caller is accepted with or without ``Authorization``.
"""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import Scope

ADMIN = "admin"


def authenticate(scope: Scope, body: bytes | None, required: bool) -> str | None:
    """``"admin"`` for the configured admin token, else None (the middleware has
    already refused a wrong one when a token is configured)."""
    from mock_server.runtime import SCOPE_RUNTIME  # (runtime imports the control plane)

    expected = scope[SCOPE_RUNTIME].config.admin_token
    scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
    if expected and scheme.lower() == "bearer" and \
            hmac.compare_digest(token.encode(), expected.encode()):
        return ADMIN
    return None
