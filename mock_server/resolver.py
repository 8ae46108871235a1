"""Handlers are written once as plain functions ``fn(ctx, **params)``.

The resolver wraps each one for the app flavour in use: a coroutine for AsyncApp
(so it runs on the event loop, no thread hop), a plain function for FlaskApp.
The wrapper builds the :class:`RequestContext`, holds the sandbox lock for the
whole call (see store.py) and renders a raised :class:`ApiError` in the API's
own format as a normal response, so that error bodies pass response validation
like any other.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import inflection
from connexion.context import _scope
from connexion.exceptions import ResolverError
from connexion.resolver import Resolver

from mock_server.apis.base import ApiDefinition
from mock_server.context import RequestContext
from mock_server.errors import ApiError
from mock_server.runtime import Runtime

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _accepted(fn: Callable) -> tuple[set[str], bool]:
    params = list(inspect.signature(fn).parameters.values())[1:]
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind is p.VAR_KEYWORD for p in params)


def make_endpoint(fn: Callable, runtime: Runtime, api: ApiDefinition,
                  asynchronous: bool) -> Callable:
    """Wrap ``fn(ctx, **params)`` as a Connexion endpoint taking ``**kwargs``."""
    names, takes_all = _accepted(fn)

    def call(kwargs: dict[str, Any]) -> Any:
        scope = _scope.get()
        try:
            sandbox = runtime.sandbox_for(scope) if runtime.ready else None
            ctx = RequestContext(runtime, api, sandbox, scope, kwargs.get("token_info"))
            args = kwargs if takes_all else {k: v for k, v in kwargs.items() if k in names}
            if sandbox is None or scope["method"] in ("GET", "HEAD"):
                with sandbox.lock if sandbox is not None else contextlib.nullcontext():
                    return _with_content_type(fn(ctx, **args))
            with sandbox.lock:
                point = sandbox.savepoint()
                try:
                    result = _with_content_type(fn(ctx, **args))
                except ApiError:
                    sandbox.rollback(point)
                    raise
                sandbox.version += 1
                runtime.changed()
                return result
        except ApiError as err:
            resp = api.error_response(err)
            return resp.body, resp.status, {"Content-Type": resp.content_type, **resp.headers}

    async def async_endpoint(**kwargs: Any) -> Any:
        return call(kwargs)

    def sync_endpoint(**kwargs: Any) -> Any:
        return call(kwargs)

    endpoint: Callable[..., Any] = async_endpoint if asynchronous else sync_endpoint
    endpoint.__name__ = getattr(fn, "__name__", "endpoint")
    endpoint.__qualname__ = endpoint.__name__
    endpoint.__signature__ = _signature(fn)  # type: ignore[attr-defined]
    return endpoint


def _signature(fn: Callable) -> inspect.Signature:
    """The handler's parameters after ``ctx``, plus ``token_info``: what Connexion then
    passes. A handler without a ``body`` parameter spares Connexion reading the body."""
    params = [p.replace(kind=p.KEYWORD_ONLY) if p.kind is not p.VAR_KEYWORD else p
              for p in list(inspect.signature(fn).parameters.values())[1:]
              if p.kind is not p.VAR_POSITIONAL]
    if not any(p.name == "token_info" or p.kind is p.VAR_KEYWORD for p in params):
        params.append(inspect.Parameter("token_info", inspect.Parameter.KEYWORD_ONLY,
                                        default=None))
    params.sort(key=lambda p: p.kind is p.VAR_KEYWORD)
    return inspect.Signature(params)


def _with_content_type(result: Any) -> Any:
    """Handlers return ``(body, status[, headers])``; JSON unless they say otherwise."""
    body, status, headers = (*result, {})[:3] if isinstance(result, tuple) else (result, 200, {})
    if body is None:
        return None, status, headers
    if not any(k.lower() == "content-type" for k in headers):
        headers = {**headers, "Content-Type": "application/json"}
    return body, status, headers


@lru_cache(maxsize=1024)
def handler_name(operation_id: str) -> str:
    """The function that serves an operationId: its snake_case (``listPeppolIds`` ->
    ``list_peppol_ids``)."""
    return inflection.underscore(operation_id)


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
    """Resolves the operationIds of one API's spec to its wrapped handlers.

    The spec's operationId stays the operation's id (what routing, the journal,
    coverage and fault rules see); its function comes from :func:`handler_for`.
    """

    def __init__(self, runtime: Runtime, api: ApiDefinition, asynchronous: bool) -> None:
        super().__init__()
        self.runtime = runtime
        self.api = api
        self.asynchronous = asynchronous

    def resolve_operation_id(self, operation: Any) -> str:
        if operation.router_controller is not None:
            raise ResolverError(f"{self.api.name} ({self.api.spec}): operation "
                                f"{operation.operation_id!r} names a router controller; the "
                                f"API's handlers module is ApiDefinition.handlers")
        return operation.operation_id

    def resolve_function_from_operation_id(self, operation_id: str) -> Callable:
        return make_endpoint(handler_for(self.api, operation_id), self.runtime, self.api,
                             self.asynchronous)
