"""Handlers are written once as plain functions ``fn(ctx, **params)``.

The resolver maps an operationId to its handler at start-up; the dispatcher
(dispatch.py) compiles each operation around it and calls it for both app
flavours, building the :class:`RequestContext` and holding the sandbox lock.
"""

from __future__ import annotations

from collections.abc import Callable

from connexion.resolver import Resolver

from mock_server.apis.base import ApiDefinition
from mock_server.runtime import Runtime


class SandboxResolver(Resolver):
    """Resolves the operationIds of one API to its handlers; the dispatcher finds the
    runtime and the API here."""

    def __init__(self, runtime: Runtime, api: ApiDefinition) -> None:
        super().__init__()
        self.runtime = runtime
        self.api = api

    def resolve_function_from_operation_id(self, operation_id: str) -> Callable:
        return super().resolve_function_from_operation_id(operation_id)
