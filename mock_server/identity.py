"""Who calls: one authentication step, shared by every API.

Each API says how its callers prove who they are in ``ApiDefinition.authenticate``:
``authenticate(scope, body, required) -> principal`` returns the caller (an account, a
client, a user...) or raises the API's 401 / 403, naming what is wrong; with
``required`` false (the operation's security offers the empty alternative ``{}``) a
request that carries no credentials at all gets ``None``. ``body`` is the raw request
body for an API whose credentials cover it (``authenticate_reads_body``: Bizzlink's
HMAC signature), else ``None``.

:class:`IdentityMiddleware` stands after routing and the fault rules and before
Connexion's security step. For each operation that declares security it asks the API
once and leaves the answer in the scope (:data:`PRINCIPAL`); operations without
security pass untouched. Connexion's security step then only confirms: every
``x-apikeyInfoFunc`` / ``x-bearerInfoFunc`` of every spec is :func:`confirm`, which
finds the principal in the scope. Handlers read it as ``ctx.principal``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connexion.middleware.abstract import RoutedAPI, RoutedMiddleware
from connexion.operations import AbstractOperation
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.middleware import read_body

if TYPE_CHECKING:
    from mock_server.apis.base import ApiDefinition

PRINCIPAL = "sandbox.principal"
"""Scope key of the caller the API's ``authenticate`` named (absent: not asked)."""


def principal_of(scope: Scope) -> Any:
    """The caller of a request, as the identity step found it (None: anonymous or an
    operation without security)."""
    return scope.get(PRINCIPAL)


def confirm(credential: str, required_scopes: Any = None, request: Any = None) -> dict | None:
    """Connexion's security function for every scheme of every spec: the caller the
    identity step found, else None (Connexion then refuses, or takes the empty
    alternative where the operation offers one)."""
    principal = principal_of(request.scope) if request is not None else None
    if principal is None:
        return None
    return {"sub": getattr(principal, "id", principal), "principal": principal}


class _Identify:
    """One secured operation: ask its API who calls, then hand the request on."""

    __slots__ = ("authenticate", "next_app", "reads_body", "required")

    def __init__(self, api: ApiDefinition, required: bool, next_app: ASGIApp) -> None:
        assert api.authenticate is not None
        self.authenticate = api.authenticate
        self.reads_body = api.authenticate_reads_body
        self.required = required
        self.next_app = next_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = None
        if self.reads_body:
            body, receive = await read_body(receive)
        scope[PRINCIPAL] = self.authenticate(scope, body, self.required)
        await self.next_app(scope, receive, send)


def _declares_security(operation: AbstractOperation) -> tuple[bool, bool]:
    """(secured, required): whether the operation names any security scheme, and
    whether it offers no empty alternative (``{}``) beside them."""
    security = operation.security or []
    secured = any(requirement for requirement in security)
    return secured, secured and all(requirement for requirement in security)


class _IdentityApi(RoutedAPI[Any]):
    def __init__(self, specification: Any, *, next_app: ASGIApp, **kwargs: Any) -> None:
        super().__init__(specification, next_app=next_app, **kwargs)
        self.add_paths()

    def make_operation(self, operation: AbstractOperation) -> Any:
        api: ApiDefinition = self.resolver.api  # type: ignore[attr-defined]
        secured, required = _declares_security(operation)
        if not secured or api.authenticate is None:
            return self.next_app
        return _Identify(api, required, self.next_app)


class IdentityMiddleware(RoutedMiddleware[_IdentityApi]):
    """The one authentication step (see the module docstring)."""

    api_cls = _IdentityApi

    def __init__(self, app: ASGIApp, runtime: Any = None) -> None:
        super().__init__(app)
