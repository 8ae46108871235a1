"""Wallet callers: an X-API-KEY names a principal (platform admin, tenant admin, user).

:func:`authenticate` is this API's ``ApiDefinition.authenticate``, asked once per
request by the shared identity step (mock_server/identity.py); handlers read the
:class:`~mock_server.apis.wallet.models.Principal` as ``ctx.principal`` and check
X-Tenant-ID against it (``handlers._caller``).
"""

from __future__ import annotations

from starlette.types import Scope

from mock_server.apis.wallet.models import API, Principal
from mock_server.context import request_headers
from mock_server.errors import NO_CREDENTIALS, Unauthorized
from mock_server.runtime import SCOPE_RUNTIME


def authenticate(scope: Scope, body: bytes | None, required: bool) -> Principal | None:
    """The owner of a known, unexpired key of a live tenant, else 401. Without an
    X-API-KEY: None where the operation lets anyone call (register), else 401."""
    key = request_headers(scope).get("x-api-key")
    if key is None:
        if not required:
            return None
        raise Unauthorized("Unauthorized", code=NO_CREDENTIALS)
    principal = scope[SCOPE_RUNTIME].sandbox_for(scope).state(API).principal_for(key)
    if principal is None:
        raise Unauthorized("Unauthorized")
    return principal
