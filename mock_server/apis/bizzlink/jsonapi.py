"""JSON:API 1.1 content negotiation and the gateway's path rules, as ASGI middlewares.

- :class:`NegotiationMiddleware` (after authentication, before Connexion's own
  checks): a ``Content-Type: application/vnd.api+json`` with a media-type
  parameter other than ``ext``/``profile``, or with ``ext`` (no extension is
  supported), is a 415; an ``Accept`` whose JSON:API media types all carry such
  parameters is a 406. Plain ``application/json`` is accepted as a JSON:API
  document (the provider's own curl samples send it): it is handed on as
  ``application/vnd.api+json``, the one media type the spec declares.
- :class:`TrailingSlashMiddleware` (before routing): ``/bizzlink/tenants/`` is a
  JSON:API 404, never the router's redirect, which a signed request could not
  follow (the signature covers the path as sent).
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send
from werkzeug.http import parse_list_header, parse_options_header

from mock_server.context import request_headers
from mock_server.errors import ApiError, FieldError, NotFound, UnsupportedMediaType
from mock_server.runtime import Runtime

JSONAPI = "application/vnd.api+json"
ALLOWED_PARAMS = ("ext", "profile")
BASE_PATH = "/bizzlink"
ROUTE = re.compile(r"/bizzlink/tenants(/[^/]+(/legal-entities(/[^/]+(/peppol-ids"
                   r"(/[^/]+(/deregister)?)?)?)?)?)?")


def _routed(scope: Scope) -> bool:
    return scope["type"] == "http" and \
        bool(scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")) \
        and (scope["path"] + "/").startswith(BASE_PATH + "/")


def _problem(params: dict[str, str]) -> str | None:
    """Why a JSON:API media type with these parameters cannot be served, or None."""
    for name in params:
        if name.lower() not in ALLOWED_PARAMS:
            return f"media type parameter '{name}' is not allowed (only ext and profile)"
    ext = next((v for k, v in params.items() if k.lower() == "ext"), "")
    if ext.strip():
        return f"extension {ext.strip()!r} is not supported (the sandbox supports none)"
    return None


def _accept_problem(accept: str) -> str | None:
    """406 reason: JSON:API instances present in Accept and none of them servable."""
    problems = []
    for item in parse_list_header(accept):
        media_type, params = parse_options_header(item)
        if media_type.lower() != JSONAPI:
            continue
        own: dict[str, str] = {}
        for name, value in params.items():
            if name.lower() == "q":  # what follows q are accept extensions
                break
            own[name] = value
        problem = _problem(own)
        if problem is None:
            return None
        problems.append(problem)
    return problems[0] if problems else None


class NegotiationMiddleware:
    """JSON:API 1.1 Content-Type (415) and Accept (406) rules for routed Bizzlink requests."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _routed(scope):
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        accept = headers.get("accept")
        content_type = headers.get("content-type")
        if content_type is not None:
            media_type, params = parse_options_header(content_type)
            media_type = media_type.lower()
            if media_type == JSONAPI:
                problem = _problem(params)
                if problem:
                    raise UnsupportedMediaType(
                        f"Content-Type {content_type!r}: {problem}",
                        errors=[FieldError(problem, parameter="Content-Type",
                                           location="header")])
            if media_type in (JSONAPI, "application/json"):
                scope = {**scope, "headers": [
                    (k, JSONAPI.encode() if k == b"content-type" else v)
                    for k, v in scope["headers"]]}
        if accept:
            problem = _accept_problem(accept)
            if problem:
                raise ApiError(f"Accept {accept!r}: {problem}", status=406, errors=[
                    FieldError(f"has no servable JSON:API media type: {problem}",
                               parameter="Accept", location="header")])
        await self.app(scope, receive, send)


class TrailingSlashMiddleware:
    """A Bizzlink path with a trailing slash is a 404 (before auth, like any unknown path)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.endswith("/") and ROUTE.fullmatch(path.rstrip("/")):
            raise NotFound(f"No resource at {path}: Bizzlink paths have no trailing slash "
                           f"(did you mean {path.rstrip('/')}?)")
        await self.app(scope, receive, send)
