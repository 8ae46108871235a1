"""The dispatcher: the innermost app, where a routed, checked request meets its handler.

Connexion's pieces in front of it (routing, security, request validation) have
already found the operation, identified the caller (identity.py) and checked every parameter and
the body; what is left is built once at start-up from the specs, per operation:

- the handler ``fn(ctx, **params)`` and the parameters it takes;
- for each path and query parameter it takes, the cast its schema asks for, and
  the query defaults;
- whether it reads a body, and the body's default.

Per request the dispatcher reads the operation Connexion's routing put in the scope
(one dictionary lookup, no second routing pass), takes the body that request
validation already parsed (no second parse; ``remember_body``), calls the handler
under the sandbox lock (a rejected write rolls the sandbox back, an accepted one
moves its version) and encodes the answer with orjson. Both app flavours run this
same code: the async app calls :meth:`Dispatcher.__call__`, the Flask app calls
:meth:`Operation.respond` from its one view.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import Callable
from copy import copy, deepcopy
from typing import Any
from urllib.parse import parse_qsl

import orjson
from connexion.decorators.parameter import sanitized  # Connexion's own argument names
from connexion.jsonifier import JSONEncoder
from connexion.middleware.abstract import ROUTING_CONTEXT, RoutedAPI, RoutedMiddleware
from connexion.operations import AbstractOperation
from connexion.utils import deep_merge, is_json_mimetype, is_null, is_nullable, make_type
from starlette.types import Receive, Scope, Send

from mock_server.context import RequestContext
from mock_server.errors import NO_ROUTE, ApiError, BadRequest, NotFound
from mock_server.identity import PRINCIPAL
from mock_server.middleware import receive_body

PARSED_BODY = "sandbox.parsed_body"
"""Scope key under which request validation leaves the body it parsed."""

Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, Headers, bytes]

_ENCODE_DEFAULT = JSONEncoder().default
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


PARSED_QUERY = "sandbox.parsed_query"
"""Scope key under which parameter validation leaves the query it parsed and coerced."""


def remember_query(scope: Scope, query: dict[str, Any]) -> None:
    """Called by the parameter validator with the query it checked (parsed and coerced
    by the operation's URI parser), so that the dispatcher need not parse it again."""
    scope[PARSED_QUERY] = query


def remember_body(scope: Scope, body: Any) -> None:
    """Called by a body validator with the body it parsed (and checked), so that the
    handler gets that very object instead of a second parse of the bytes."""
    scope[PARSED_BODY] = body


def encode_json(data: Any) -> bytes:
    """JSON as the sandbox answers it: orjson, Connexion's encoder for the types orjson
    does not know, ``json`` for what orjson refuses (integers beyond 64 bits a client
    stored, say), and a final newline as Connexion's Jsonifier writes."""
    try:
        return orjson.dumps(data, default=_ENCODE_DEFAULT, option=_ORJSON_OPTIONS) + b"\n"
    except TypeError:
        return (json.dumps(data, cls=JSONEncoder) + "\n").encode()


def _cast(value: Any, definition: dict) -> Any:
    schema = definition.get("schema", definition)
    if is_nullable(schema) and is_null(value):
        return None
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        if "type" not in items:
            return value
        return [make_type(part, items["type"], items.get("format")) for part in value]
    if kind is None:
        return value
    return make_type(value, kind, schema.get("format"))


def _query_defaults(definitions: dict[str, dict]) -> dict[str, Any]:
    """The defaults Connexion fills in for query parameters a request leaves out."""
    defaults: dict[str, Any] = {}
    for name, definition in definitions.items():
        schema = definition.get("schema", {})
        if "default" in definition:
            defaults[name] = definition["default"]
        elif schema.get("type") == "object":
            defaults[name] = deepcopy(schema["default"]) if "default" in schema \
                else _object_defaults(schema.get("properties", {}), {})
        elif "default" in schema:
            defaults[name] = schema["default"]
    return defaults


def _object_defaults(properties: dict, found: dict) -> dict:
    for name, prop in properties.items():
        if "default" in prop and name not in found:
            found[name] = copy(prop["default"])
        elif prop.get("type") == "object" and "properties" in prop:
            found[name] = _object_defaults(prop["properties"], found.setdefault(name, {}))
    return found


def _accepted(fn: Callable) -> tuple[frozenset[str], bool]:
    """The keyword arguments a handler takes after ``ctx``, and whether it takes **kwargs."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return frozenset(names), any(p.kind is p.VAR_KEYWORD for p in params)


class Operation:
    """One operation, compiled: its handler and everything needed to call it."""

    def __init__(self, operation: AbstractOperation, runtime: Any, api: Any) -> None:
        self.runtime = runtime
        self.api = api
        self.operation_id = operation.operation_id
        self.handler: Callable[..., Any] = operation.function
        names, self.takes_all = _accepted(self.handler)
        self.takes = names
        parameters = operation.parameters
        self.parser = operation.uri_parser_class(parameters, operation.body_definition())
        self.path_params = {p["name"]: p for p in parameters if p["in"] == "path"}
        query = {p["name"]: p for p in parameters if p["in"] == "query"}
        self.query_params = {name: (sanitized(name), p) for name, p in query.items()
                             if self.takes_all or sanitized(name) in names}
        self.query_defaults = {name: value for name, value in _query_defaults(query).items()
                               if name in self.query_params}
        # Only defaults a handler could change need a fresh copy per request.
        self.copy_defaults = any(isinstance(v, (dict, list)) for v in self.query_defaults.values())
        self.body_arg: str | None = None
        if operation.is_request_body_defined:
            body_name = sanitized(operation.body_name(""))
            if self.takes_all or body_name in names:
                self.body_arg = body_name
        schema = operation.body_schema() if self.body_arg else {}
        self.body_nullable = is_nullable(schema)
        self.body_default = schema.get("default", {})
        self.writes = operation.method.upper() not in ("GET", "HEAD")

    # What the handler is called with ------------------------------------------------

    def arguments(self, scope: Scope, body: Any) -> dict[str, Any]:
        args: dict[str, Any] = {}
        raw_path = scope.get("path_params")
        if raw_path:
            for name, value in self.parser.resolve_path(raw_path).items():
                definition = self.path_params.get(name)
                args[sanitized(name)] = _cast(value, definition) if definition else value
        if self.query_params:
            query = scope.get(PARSED_QUERY)
            if query is None:
                sent: dict[str, list[str]] = {}
                for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                            keep_blank_values=True):
                    sent.setdefault(key, []).append(value)
                query = self.parser.resolve_query(sent) if sent else {}
            if self.query_defaults:
                base = deepcopy(self.query_defaults) if self.copy_defaults \
                    else dict(self.query_defaults)
                query = deep_merge(base, query)
            for key, value in query.items():
                known = self.query_params.get(key)
                if known is not None:
                    args[known[0]] = _cast(value, known[1])
        if self.body_arg is not None:
            if self.body_nullable and is_null(body):
                args[self.body_arg] = None
            else:
                args[self.body_arg] = deepcopy(self.body_default) if body is None else body
        return args

    def body_from(self, scope: Scope, raw: bytes | None) -> Any:
        """The request body for the handler: what validation parsed, else the bytes
        (JSON bodies parsed, an empty body is None)."""
        if PARSED_BODY in scope:
            return scope[PARSED_BODY]
        if not raw:
            return None
        content_type = _header(scope, b"content-type") or "application/octet-stream"
        if is_json_mimetype(content_type):
            from mock_server.validation import parse_json_body  # (validation imports us)
            try:
                text = raw.decode()
            except UnicodeDecodeError:
                raise BadRequest("Request body is not valid UTF-8 text") from None
            return parse_json_body(text)  # a body no validator read: refused alike
        return raw

    # The call ------------------------------------------------------------------------

    def respond(self, scope: Scope, body: Any) -> Answer:
        """Call the handler under the sandbox lock and encode its answer."""
        runtime, api = self.runtime, self.api
        try:
            args = self.arguments(scope, body)
            sandbox = runtime.sandbox_for(scope) if runtime.ready else None
            ctx = RequestContext(runtime, api, sandbox, scope, scope.get(PRINCIPAL))
            if sandbox is None or not self.writes:
                with sandbox.lock if sandbox is not None else contextlib.nullcontext():
                    result = self.handler(ctx, **args)
            else:
                with sandbox.lock:
                    point = sandbox.savepoint()
                    try:
                        result = self.handler(ctx, **args)
                    except ApiError:
                        sandbox.rollback(point)
                        raise
                    sandbox.version += 1
                    runtime.changed()
        except ApiError as err:
            rendered = api.error_response(err)
            result = (rendered.body, rendered.status,
                      {"Content-Type": rendered.content_type, **rendered.headers})
        return encode(result)


def encode(result: Any) -> Answer:
    """A handler's ``(body, status[, headers])`` (or a bare body) as status, raw headers
    and bytes, the way Starlette's Response writes them: JSON unless the handler names
    another type, no Content-Length on a 204 or 304."""
    if isinstance(result, tuple):
        body, status, headers = (*result, {})[:3]
    else:
        body, status, headers = result, 200, {}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if body is None:
        content = b""
    elif isinstance(body, bytes):
        content = body
    elif content_type is None or is_json_mimetype(content_type):
        content = encode_json(body)
    else:
        content = body.encode() if isinstance(body, str) else bytes(body)
    status = int(status or (200 if body is not None else 204))
    raw = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    if content_type is None and body is not None:
        raw.append((b"content-type", b"application/json"))
    if status >= 200 and status not in (204, 304):
        raw.append((b"content-length", str(len(content)).encode()))
    return status, raw, content


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class _Api(RoutedAPI[Operation]):
    """One spec's operations, compiled at start-up."""

    def __init__(self, specification: Any, *, next_app: Any, **kwargs: Any) -> None:
        super().__init__(specification, next_app=next_app, **kwargs)
        self.add_paths()

    def make_operation(self, operation: AbstractOperation) -> Operation:
        resolver = self.resolver
        return Operation(operation, resolver.runtime, resolver.api)  # type: ignore[attr-defined]


async def _unrouted(scope: Scope, receive: Receive, send: Send) -> None:
    raise NotFound("The requested resource does not exist", code=NO_ROUTE)


class Dispatcher(RoutedMiddleware[_Api]):
    """The innermost ASGI app: finds the compiled operation by what routing put in the
    scope and runs it (see the module docstring)."""

    api_cls = _Api

    def __init__(self) -> None:
        super().__init__(_unrouted)
        self.table: dict[tuple[str, str], Operation] = {}

    def add_api(self, specification: Any, **kwargs: Any) -> _Api:
        api = super().add_api(specification, **kwargs)
        for operation_id, operation in api.operations.items():
            if operation_id is not None:
                self.table[api.base_path, operation_id] = operation
        return api

    def find(self, scope: Scope) -> Operation:
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        operation = self.table.get((routing.get("api_base_path"), routing.get("operation_id")))
        if operation is None:
            raise NotFound("The requested resource does not exist", code=NO_ROUTE)
        return operation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        operation = self.find(scope)
        raw = None
        if operation.body_arg is not None and PARSED_BODY not in scope:
            raw = await receive_body(receive)
        status, headers, content = operation.respond(scope, operation.body_from(scope, raw))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
