"""Handlers are written once as plain functions ``fn(ctx, **params)``.

The resolver maps an operationId to its handler at start-up; the dispatcher
(dispatch.py) compiles each operation around it and calls it for both app
flavours, building the :class:`RequestContext` and holding the sandbox lock.

An operationId is a short camelCase name (``registerTenant``); the API's
``ApiDefinition.handlers`` module serves it with the function named as its
snake_case (``register_tenant``): :func:`handler_for`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from connexion.exceptions import ResolverError
from connexion.resolver import Resolver

from mock_server.apis.base import ApiDefinition, handler_name
from mock_server.runtime import Runtime

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def handler_for(api: ApiDefinition, operation_id: str) -> Callable:
    """The function of ``api.handlers`` that serves ``operation_id``, found once at
    start-up. An id without one raises :class:`ResolverError`, which stops start-up."""
    if not operation_id:
        raise ResolverError(f"{api.name} ({api.spec}): an operation has no operationId")
    if not api.handlers:
        raise ResolverError(f"{api.name}: ApiDefinition.handlers names no module")
    module = importlib.import_module(api.handlers)
    name = handler_name(operation_id)
    fn = getattr(module, name, None)
    if not callable(fn) or getattr(fn, "__module__", None) != module.__name__:
        hint = " (operationIds are short names such as listTenants)" if "." in operation_id \
            else ""
        raise ResolverError(f"{api.name} ({api.spec}): operationId {operation_id!r} has no "
                            f"handler: {api.handlers} defines no function {name}(){hint}")
    return fn


def handlers_of(api: ApiDefinition, spec: dict) -> dict[str, Callable]:
    """Every operationId of ``spec`` with the function that serves it. ``create_app``
    calls it before mounting the API, so that a missing handler stops start-up (Connexion
    itself resolves only when the first request or the lifespan builds its stack)."""
    return {op.get("operationId") or "": handler_for(api, op.get("operationId") or "")
            for item in (spec.get("paths") or {}).values() if isinstance(item, dict)
            for method, op in item.items() if method in HTTP_METHODS and isinstance(op, dict)}


class SandboxResolver(Resolver):
    """Resolves the operationIds of one API to its handlers; the dispatcher finds the
    runtime and the API here. The spec's operationId stays the operation's id (what
    routing, the journal, coverage and fault rules see)."""

    def __init__(self, runtime: Runtime, api: ApiDefinition) -> None:
        super().__init__()
        self.runtime = runtime
        self.api = api

    def resolve_operation_id(self, operation: Any) -> str:
        if operation.router_controller is not None:
            raise ResolverError(f"{self.api.name} ({self.api.spec}): operation "
                                f"{operation.operation_id!r} names a router controller; the "
                                f"API's handlers module is ApiDefinition.handlers")
        return operation.operation_id

    def resolve_function_from_operation_id(self, operation_id: str) -> Callable:
        return handler_for(self.api, operation_id)
