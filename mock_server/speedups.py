"""Connexion's AsyncApp, without work it repeats on every request.

Connexion 3 rebuilds an operation's whole decorator chain (parameter and
response decorators, signature inspection, the URI parser with its body
definition) on every request. All of it depends only on the operation, so
here it is built once per operation and reused. Behaviour is unchanged; the
test suite runs against this app.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from copy import deepcopy
from typing import Any

import orjson
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import operation, receive, scope
from connexion.decorators import parameter as _parameter
from connexion.decorators.main import StarletteDecorator
from connexion.jsonifier import JSONEncoder, Jsonifier
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.spec import Specification
from connexion.uri_parsing import OpenAPIURIParser
from starlette.types import Receive, Scope, Send

from mock_server.per_object import PerObject


class _OnceStarletteDecorator(StarletteDecorator):
    """Decorates the handler once; builds the URI parser once per operation."""

    def __call__(self, function: Callable) -> Callable:
        decorated = self.decorate(function)
        parsers: dict[int, Any] = {}

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            op = operation._get_current_object()
            parser = parsers.get(id(op))
            if parser is None:
                parser = parsers[id(op)] = self.uri_parser
            request = self.framework.get_request(uri_parser=parser, scope=scope,
                                                 receive=receive)
            return await decorated(request)

        return wrapper


class _OnceAsyncOperation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> Callable:
        return _OnceStarletteDecorator(pythonic_params=self.pythonic_params,
                                       jsonifier=self.jsonifier)(self._fn)


class OnceAsyncApi(AsyncApi):
    def make_operation(self, op: Any) -> AsyncOperation:
        return _OnceAsyncOperation.from_operation(op, pythonic_params=self.pythonic_params,
                                                  jsonifier=self.jsonifier)


_original_query_defaults = _parameter._get_query_defaults


def _query_plan(params: list) -> tuple[dict[str, dict], dict[str, Any]]:
    definitions = {p["name"]: p for p in params if p["in"] == "query"}
    return definitions, _original_query_defaults(definitions)


_query_plans = PerObject(_query_plan)


def _get_query_arguments(query_params: dict, *, operation: Any, arguments: list[str],
                         has_kwargs: bool, sanitize: Callable) -> dict:
    """Connexion's ``_get_query_arguments`` with the operation's query definitions and
    their defaults computed once per operation instead of on every request (they
    depend only on the operation; an operation with a hundred optional filters
    otherwise pays for all of them each time)."""
    definitions, defaults = _query_plans.get(operation.parameters)
    query_arguments = _parameter.deep_merge(deepcopy(defaults), query_params)
    return _parameter._query_args_helper(definitions, query_arguments, arguments, has_kwargs,
                                         sanitize)


def _uri_plan(param_defns: list) -> tuple[dict[str, dict], dict[str, dict]]:
    by_name = {p["name"]: p for p in param_defns
               if p["in"] in OpenAPIURIParser.parsable_parameters}
    return by_name, {k: v.get("schema", {}) for k, v in by_name.items()}


_uri_plans = PerObject(_uri_plan)


class OperationURIParser(OpenAPIURIParser):
    """Connexion's OpenAPI URI parser with its lookups by parameter name built once per
    operation.

    Connexion makes two parsers per request and rebuilds the name -> schema map on
    every access (eight per request); an operation with a hundred filters (Pigello's
    lists) paid ~150 us per request for it. The maps depend only on the operation's
    parameter list, which Connexion keeps for the operation's lifetime.
    """

    def __init__(self, param_defns: list, body_defn: dict) -> None:
        self._param_defns, self._param_schemas = _uri_plans.get(param_defns)
        self._body_schema = body_defn.get("schema", {})
        self._body_encoding = body_defn.get("encoding", {})

    @property
    def param_schemas(self) -> dict[str, dict]:
        return self._param_schemas


def speed_up(app: Any) -> None:
    """Make this AsyncApp build its operations with the once-only decorator chain (the
    process-wide part, query arguments, is in patches.py and applied by serve only)."""
    app._middleware_app.api_cls = OnceAsyncApi


class DirectSwaggerUIMiddleware(SwaggerUIMiddleware):
    """Connexion's Swagger UI middleware, consulted only for Swagger UI's own paths.

    The original runs every request through a router of all APIs' mounts before
    passing it on; here a request whose path cannot be a Swagger UI or spec path
    (``.../ui``, ``.../ui/...``, ``.../openapi.json``, ``.../swagger.json``) goes
    straight to the next app.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.endswith(("/openapi.json", "/swagger.json", "/ui")) or "/ui/" in path:
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)


@contextlib.contextmanager
def trusted_specs() -> Iterator[None]:
    """Within: Connexion adds specs without checking them against the OpenAPI
    meta-schema again.

    That check is the largest part of start-up (~0.25 s for our five specs). The
    sandbox's own specs are checked by the test suite instead, with this same
    Connexion check and with openapi-spec-validator (tests/test_specs.py).
    """
    original = Specification.__dict__["_validate_spec"]
    Specification._validate_spec = classmethod(lambda cls, spec: None)  # type: ignore[assignment]
    try:
        yield
    finally:
        Specification._validate_spec = original  # type: ignore[method-assign]


_CONNEXION_DEFAULT = JSONEncoder().default
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class _OrjsonModule:
    """The two functions of the ``json`` module that Connexion's Jsonifier uses, with
    orjson serialising responses (about 8x faster than ``json``: a page of 20 Roomle
    tenants took ~220 us to encode, now ~25). Types orjson does not know go through
    Connexion's own encoder hook (same output as before); what orjson refuses
    (integers beyond 64 bits a client stored, say) is encoded by ``json`` as before.
    Output differs from ``json`` only in bytes, not in meaning: no spaces after
    separators, non-ASCII characters as UTF-8 instead of escapes."""

    @staticmethod
    def dumps(data: Any, **kwargs: Any) -> str:
        try:
            return orjson.dumps(data, default=_CONNEXION_DEFAULT, option=_ORJSON_OPTIONS).decode()
        except TypeError:
            return json.dumps(data, **{"cls": JSONEncoder, **kwargs})

    loads = staticmethod(json.loads)


def fast_jsonifier() -> Jsonifier:
    """Connexion's Jsonifier (responses of the AsyncApp) backed by orjson."""
    return Jsonifier(_OrjsonModule)
