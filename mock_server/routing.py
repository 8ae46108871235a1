"""Routing: Connexion's routing middleware with one route per path.

Connexion registers one Starlette route per operation (path + method) and types
path parameters in the route itself (``{tenantId:int}``). Two things follow that a
client of a real API never sees:

- a method the path does not serve gets a 405 whose ``Allow`` lists only the
  first operation's methods (``HEAD, GET`` for a path that also takes POST);
- a path parameter that breaks its schema (``/v2/tenants/abc``) matches no route
  and is a 404, while every spec promises a 400 naming the parameter.

Here every path is one route that dispatches on the method (so ``Allow`` lists
them all), and path parameters match any segment, so that request validation
checks them against their schemas like every other parameter. Paths with literal
segments are tried before paths with a parameter in the same place
(``/tenants/search`` before ``/tenants/{id}``).

Written against Connexion 3.3 (``RoutingMiddleware``/``RoutingAPI``: the class
names, ``_framework_path_and_name`` and ``_add_operation_internal``);
tests/test_http_edges.py fails when either hook stops being called.
"""

from __future__ import annotations

import typing as t

from connexion.middleware import routing as connexion_routing
from starlette.routing import Mount, Route, Router
from starlette.types import Receive, Scope, Send

from mock_server.errors import NO_ROUTE, NotFound

METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def _method_rank(method: str) -> int:
    return METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER)


def allow_header(methods: t.Iterable[str]) -> str:
    """The methods of a path in a fixed, readable order (``GET, HEAD, POST``)."""
    return ", ".join(sorted(set(methods), key=lambda m: (_method_rank(m), m)))


class MethodDispatch:
    """The ASGI app of one path: the operation of the request's method."""

    def __init__(self) -> None:
        self.operations: dict[str, t.Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Starlette's Route only lets the methods in ``operations`` through (HEAD has
        # become GET before routing: HeadMiddleware).
        await self.operations[scope["method"]](scope, receive, send)


def _specificity(route: t.Any) -> tuple[int, ...]:
    """Literal segments sort before parameters, position by position."""
    return tuple(1 if "{" in part else 0 for part in getattr(route, "path", "").split("/"))


class _RoutingAPI(connexion_routing.RoutingAPI):
    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        self._paths: dict[str, MethodDispatch] = {}
        super().__init__(*args, **kwargs)
        self.router.redirect_slashes = False  # see RoutingMiddleware

    @staticmethod
    def _framework_path_and_name(operation: t.Any, path: str) -> tuple[str, str]:
        # Untyped: ``{tenantId}`` matches any one segment; the schema is checked by
        # request validation, which answers 400 in the API's format.
        starlette_path = connexion_routing.starlette_utils.starlettify_path(path, {})
        return starlette_path, starlette_path

    def _add_operation_internal(self, method: str, path: str, operation: t.Any,
                                name: str | None = None) -> None:
        dispatch = self._paths.get(path)
        if dispatch is None:
            dispatch = self._paths[path] = MethodDispatch()
        dispatch.operations[method.upper()] = operation
        routes = [r for r in self.router.routes if getattr(r, "path", None) != path]
        routes.append(Route(path, dispatch, methods=list(dispatch.operations)))
        routes.sort(key=_specificity)
        self.router.routes[:] = routes


class RoutingMiddleware(connexion_routing.RoutingMiddleware):
    """Connexion's routing middleware building :class:`_RoutingAPI` for every spec.

    Starlette's routers answer a path that misses only by a trailing slash with a bare
    307 to the other form; no provider does that (each API's own slash rules are its
    middlewares' and its spec's), so here such a path matches no operation and is a 404
    in the API's format like any other unknown path.
    """

    def __init__(self, app: t.Any) -> None:
        super().__init__(app)
        self.router.redirect_slashes = False

    def add_api(self, specification: t.Any, base_path: str | None = None,
                arguments: dict | None = None, **kwargs: t.Any) -> None:
        api = _RoutingAPI(specification, base_path=base_path, arguments=arguments,
                          next_app=self.app, **kwargs)
        # As Connexion does: an API mounted on a base path already taken becomes the
        # fallback of the one there.
        for route in self.router.routes:
            if isinstance(route, Mount) and route.path == api.base_path \
                    and isinstance(route.app, Router):
                route.app.default = api.router
        self.router.mount(api.base_path, app=api.router)


class UnroutedMiddleware:
    """Right after routing: a request that matched no operation is a 404 in the format
    of the API that owns the path, in both app flavours (a Flask app would otherwise
    route it again by its own rules and could pick an operation routing rejected)."""

    def __init__(self, app: t.Any, runtime: t.Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("extensions", {}) \
                .get("connexion_routing", {}).get("operation_id"):
            raise NotFound("The requested resource does not exist", code=NO_ROUTE)
        await self.app(scope, receive, send)
