"""Connexion's pieces without work they repeat on every request: the URI parser's
lookups built once per operation, Swagger UI consulted only for its own paths, and
the sandbox's own specs added without a second meta-schema check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.spec import Specification
from connexion.uri_parsing import OpenAPIURIParser
from starlette.types import Receive, Scope, Send

from mock_server.per_object import PerObject


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
