"""Request validation that reports every error with a pointer, in our own exceptions.

Connexion's default validators stop at the first error, describe it with a dump
of the schema, build a new jsonschema validator per request and leave ``email``,
``uuid``, ``date`` and ``uri`` unchecked. These subclasses fix all four; the
app passes them to Connexion through ``validator_map``.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import fastjsonschema
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ExtraParameterProblem, UnsupportedMediaTypeProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.utils import is_null, is_nullable, split_content_type
from connexion.validators import (
    VALIDATOR_MAP,
    JSONRequestBodyValidator,
    ParameterValidator,
)
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from jsonschema import Draft4Validator, FormatChecker, ValidationError

from mock_server.collection import clone
from mock_server.dispatch import remember_body, remember_query
from mock_server.errors import BadRequest, FieldError, RequestValidationError
from mock_server.per_object import PerObject

FORMAT_CHECKER = FormatChecker()
for _name, _checker in Draft4Validator.FORMAT_CHECKER.checkers.items():
    FORMAT_CHECKER.checkers[_name] = _checker


# A local part email-validator accepts whatever the domain (ASCII letters, digits and
# _+- in dot-separated atoms), and the domains it has accepted after one: an address of
# that local part on a known domain, well within the length limits, is valid without
# asking again (a check is ~8 us; a create sends two addresses). Anything else is
# email-validator's to decide (tests/test_email_format.py compares the two).
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*")
_KNOWN_DOMAINS: dict[str, None] = {}
_KNOWN_DOMAINS_MAX = 1024


@FORMAT_CHECKER.checks("email", raises=EmailNotValidError)
def _is_email(value: object) -> bool:
    """Syntax, as ``format: email`` means: addresses on special-use and reserved names
    (``x@a.test``, ``x@shop.example``, ``x@localhost``, RFC 2606/6761), which fixtures
    use, pass like any other; email-validator refuses them as undeliverable."""
    if not isinstance(value, str):
        return True
    local, _, domain = value.rpartition("@")
    label = domain.rstrip(".").rsplit(".", 1)[-1].lower()
    if label in SPECIAL_USE_DOMAIN_NAMES or label == "example":
        value += ".example"   # checked as a name under a non-reserved label
        domain += ".example"
    plain = len(local) <= 64 and len(value) <= 200 and _PLAIN_LOCAL.fullmatch(local)
    if plain and domain in _KNOWN_DOMAINS:
        return True
    validate_email(value, check_deliverability=False)
    if plain:
        if len(_KNOWN_DOMAINS) >= _KNOWN_DOMAINS_MAX:
            _KNOWN_DOMAINS.clear()
        _KNOWN_DOMAINS[domain] = None
    return True


@FORMAT_CHECKER.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return str(uuid.UUID(value)) == value.lower()


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    date.fromisoformat(value)
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc) and " " not in value


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _message(error: ValidationError) -> str:
    """A short, schema-free message for one jsonschema error."""
    # An error from a validator always carries the keyword's value (the stubs' Unset is
    # for hand-made errors only).
    v = error.validator
    value: Any = error.validator_value
    if v == "type":
        return f"must be of type {value}" if isinstance(value, str) else \
            f"must be one of types {', '.join(value)}"
    if v == "enum":
        return "must be one of: " + ", ".join(str(x) for x in value)
    if v == "format":
        return f"is not a valid {value}"
    if v == "maxLength":
        return f"must be at most {value} characters long"
    if v == "minLength":
        return "must not be empty" if value == 1 else f"must be at least {value} characters long"
    if v == "pattern":
        return f"does not match the pattern {value}"
    if v == "maximum":
        return f"must be at most {value}"
    if v == "minimum":
        return f"must be at least {value}"
    if v == "maxItems":
        return f"must have at most {value} items"
    if v == "minItems":
        return f"must have at least {value} items"
    if v == "minProperties":
        return f"must have at least {value} members"
    if v == "uniqueItems":
        return "must not contain duplicates"
    return error.message


def collect_errors(validator: Any, instance: Any, base: str = "") -> list[FieldError]:
    """Every schema error in ``instance`` as FieldErrors pointing at the offending member.

    A missing required member is reported at its own pointer; when that member is
    itself an object with required members, those are reported too, so that a
    client learns the whole shape at once (``{"data": {}}`` names what ``data``
    must hold).
    """
    errors: list[FieldError] = []
    seen: set[tuple[str, str]] = set()

    def add(pointer: str, detail: str, code: str, limit: Any = None) -> None:
        if (pointer, detail) not in seen:
            seen.add((pointer, detail))
            errors.append(FieldError(detail, pointer=base + pointer or "/", code=code,
                                     limit=limit))

    def missing(schema: dict, pointer: str) -> None:
        for name in schema.get("required", []):
            add(f"{pointer}/{name}", "is required", "required")
            sub = schema.get("properties", {}).get(name, {})
            if isinstance(sub, dict) and sub.get("type") == "object":
                missing(sub, f"{pointer}/{name}")

    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        pointer = _pointer(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            props = error.schema.get("properties", {})
            for name in error.validator_value:
                if name not in error.instance:
                    add(f"{pointer}/{name}", "is required", "required")
                    sub = props.get(name, {})
                    if isinstance(sub, dict) and sub.get("type") == "object":
                        missing(sub, f"{pointer}/{name}")
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for name in error.instance:
                if name not in allowed:
                    read_only = name in {"id", "createdAt", "updatedAt", "created_at"}
                    add(f"{pointer}/{name}",
                        "is read-only" if read_only else "is not an allowed member",
                        "read_only" if read_only else "unknown_member")
        else:
            add(pointer, _message(error), str(error.validator), error.validator_value)
    return errors


DRAFT4 = "http://json-schema.org/draft-04/schema#"


def _fast_checker(schema: dict,
                  format_checker: FormatChecker = FORMAT_CHECKER) -> Callable[[Any], Any] | None:
    """``schema`` compiled to Python code by fastjsonschema (draft 4, our format checks):
    valid bodies pass ~10x faster than through jsonschema. None if it cannot compile."""
    # Connexion hangs the spec's components on a body schema for jsonschema's $ref
    # lookups; its references are already resolved inline (and components refer back
    # to the body schema: a cycle fastjsonschema cannot compile).
    schema = {k: v for k, v in schema.items() if k != "components"}
    formats: dict[str, Callable[[Any], bool]] = {
        name: functools.partial(format_checker.conforms, format=name)
        for name in format_checker.checkers}
    for name in _formats_in(schema):
        formats.setdefault(name, lambda value: True)   # unknown formats: not checked
    try:
        return fastjsonschema.compile({**schema, "$schema": DRAFT4}, formats=formats)
    except Exception:  # noqa: BLE001 - a schema it cannot compile just has no fast path
        return None


def _formats_in(schema: Any) -> set[str]:
    """Every ``format`` named in a schema (resolved schemas can be cyclic)."""
    found: set[str] = set()
    seen: set[int] = set()
    todo = [schema]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                found.add(node["format"])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


# Compiled per schema object (specs live as long as the app).
_body_validators = PerObject(lambda s: Draft4RequestValidator(s, format_checker=FORMAT_CHECKER))
_fast_body_checks = PerObject(_fast_checker)
_param_validators = PerObject(lambda s: Draft4Validator(s, format_checker=FORMAT_CHECKER))
_fast_param_checks = PerObject(_fast_checker)  # the same fast path as bodies


def body_errors(schema: dict, body: Any) -> list[FieldError]:
    """Every schema error in a request body (none: valid).

    A fastjsonschema check answers first; only a body it rejects (or cannot decide)
    goes through jsonschema, which finds every error and is the authority. The fast
    check is never more lenient than jsonschema (tests/test_validation_fast_path.py):
    it is stricter only about ``nullable``, which it does not know, and such bodies
    just take the slow path.
    """
    fast = _fast_body_checks.get(schema)
    if fast is not None:
        try:
            fast(body)
            return []
        except Exception:  # noqa: BLE001 - rejected or undecided: ask jsonschema
            pass
    return collect_errors(_body_validators.get(schema), body)


def _not_json(literal: str) -> Any:
    raise ValueError(f"{literal} is not a JSON value")


def parse_json_body(text: str) -> Any:
    """A request body as strict JSON (RFC 8259): ``NaN``, ``Infinity`` and numbers
    Python will not read (integers of more than 4300 digits) are a 400, never a 500."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"Request body is not valid JSON: {exc.msg} "
                         f"(line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise BadRequest("Request body is nested too deeply") from None
    except ValueError as exc:
        reason = "a number has too many digits" if "digits" in str(exc) else str(exc)
        raise BadRequest(f"Request body is not valid JSON: {reason}") from None


class BodyValidator(JSONRequestBodyValidator):
    """JSON body validation: every error, with JSON pointers, as RequestValidationError."""

    async def _parse(self, stream: Any, scope: Any) -> Any:
        raw = b"".join([message async for message in stream])
        if not raw.strip():
            return None
        try:
            text = raw.decode(self._encoding or "utf-8")
        except (UnicodeDecodeError, LookupError):
            raise BadRequest("Request body is not valid UTF-8 text") from None
        body = parse_json_body(text)
        if body is None and not self._nullable:
            # A JSON null is a value, not an empty body: it breaks the schema as [] does.
            raise RequestValidationError(body_errors(self._schema, None), in_body=True)
        remember_body(scope, body)
        return body

    def _validate(self, body: Any) -> dict | None:
        if body is None:
            if self._nullable:
                return None
            raise BadRequest("Request body must not be empty")
        try:
            errors = body_errors(self._schema, body)
        except RecursionError:
            raise BadRequest("Request body is nested too deeply") from None
        if errors:
            raise RequestValidationError(errors, in_body=True)
        return None


def _param_plan(parameters: Any) -> tuple[dict[str, dict[str, dict]], dict[str, list[dict]],
                                            dict[str, list[dict]], frozenset[str]]:
    """An operation's parameters by location and name, the required ones by location,
    all of them grouped by location, and the query names that the properties of
    form-exploded object parameters stand for (each is sent as its own parameter)."""
    by_name: dict[str, dict[str, dict]] = {}
    required: dict[str, list[dict]] = {}
    exploded: set[str] = set()
    for p in parameters:
        by_name.setdefault(p["in"], {})[p["name"]] = p
        if p.get("required"):
            required.setdefault(p["in"], []).append(p)
        schema = p.get("schema", {})
        if (p["in"] == "query" and schema.get("type") == "object"
                and p.get("style", "form") == "form" and p.get("explode", True)):
            exploded.update(schema.get("properties", {}))
    grouped = {kind: list(named.values()) for kind, named in by_name.items()}
    return by_name, required, grouped, frozenset(exploded)


_param_plans = PerObject(_param_plan)


class ParamValidator(ParameterValidator):
    """Parameter validation: every error, naming the parameter.

    Connexion builds a validator per request and checks every declared parameter;
    an operation with many optional filters (Pigello declares over a hundred) then
    pays for all of them. Here the grouping is computed once per operation and only
    the parameters a request sends, plus the required ones, are checked.
    """

    def __init__(self, parameters: Any, uri_parser: Any, strict_validation: bool = False,
                 security_query_params: Any = None) -> None:
        self.uri_parser = uri_parser
        self.strict_validation = strict_validation
        self.security_query_params = set(security_query_params or [])
        self._by_name, self._required, self.parameters, self._exploded = \
            _param_plans.get(parameters)
        self._known: dict[bytes, dict[str, Any]] = {}

    def _check(self, kind: str, value: Any, param: dict) -> FieldError | None:
        name = param["name"]
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            if param.get("required"):
                return FieldError("is required", parameter=name, location=kind, code="required")
            return None
        schema = param.get("schema", param)
        fast = _fast_param_checks.get(schema)
        if fast is not None:
            try:
                fast(value)
                return None
            except Exception:  # noqa: BLE001 - rejected or undecided: ask jsonschema
                pass
        try:
            error = next(iter(_param_validators.get(schema).iter_errors(value)), None)
        except RecursionError:
            error = None
        if error is None:
            return None
        return FieldError(_message(error), parameter=name, location=kind,
                          code=str(error.validator), limit=error.validator_value)

    KNOWN_QUERIES = 256  # valid query strings remembered per operation

    def validate(self, scope: Any) -> None:
        """Check the parameters; a valid query is left in the scope, parsed and coerced,
        for the dispatcher (``dispatch.remember_query``).

        What a query string parses to, and whether it is valid, depends on nothing but
        the string and the operation, and clients repeat theirs (a page, a filter):
        a query string found valid before is not parsed or checked again (the other
        parameters are), and the dispatcher gets a copy of what it parsed to."""
        request = ConnexionRequest(scope, uri_parser=self.uri_parser)
        raw = scope.get("query_string") or b""
        known = self._known.get(raw) if raw else None
        if known is not None:
            self._validate(request, known, query=False)
            remember_query(scope, clone(known))
            return
        # Parsed once (the property parses on every read); an empty query string parses
        # to nothing, without Starlette's and Connexion's passes over it.
        sent = request.query_params if raw else {}
        self._validate(request, sent)
        if raw:
            if len(self._known) >= self.KNOWN_QUERIES:
                self._known.clear()
            self._known[raw] = clone(sent)
        remember_query(scope, sent)

    def validate_request(self, request: Any) -> None:
        self._validate(request, request.query_params)

    def _validate(self, request: Any, sent: dict[str, Any], query: bool = True) -> None:
        """Every parameter error at once; ``query=False``: the query is known valid."""
        checks: list[tuple[str, Any, dict]] = []
        if query:
            checks = self._query_checks(sent)
        sources = {
            "path": lambda p: request.path_params.get(p["name"].replace("-", "_")),
            "header": lambda p: request.headers.get(p["name"]),
            "cookie": lambda p: request.cookies.get(p["name"]),
        }
        for kind, get in sources.items():
            checks += [(kind, get(p), p) for p in self._by_name.get(kind, {}).values()]
        errors = [e for e in (self._check(kind, value, p) for kind, value, p in checks) if e]
        if errors:
            raise RequestValidationError(errors, in_body=False)

    def _query_checks(self, sent: dict[str, Any]) -> list[tuple[str, Any, dict]]:
        query = self._by_name.get("query", {})
        if self.strict_validation:
            extra = [n for n in sent if n not in query and n not in self.security_query_params
                     and n not in self._exploded]
            if extra:
                raise RequestValidationError(
                    [FieldError("is not a known parameter", parameter=n, location="query",
                                code="unknown_parameter") for n in sorted(extra)],
                    in_body=False)
        checks: list[tuple[str, Any, dict]] = []
        for name, param in query.items():
            if name in sent:
                checks.append(("query", sent.get(name), param))
        checks += [("query", None, p) for p in self._required.get("query", [])
                   if p["name"] not in sent]
        return checks


class CompiledValidationOperation(RequestValidationOperation):
    """Connexion's request validation of one operation, with what depends only on the
    operation built once at start-up instead of on every request: the parameter
    validator and its URI parser, the accepted media types, and a body validator per
    (media type, charset) a request sends (Connexion rebuilt the parsers, the media-type
    table and the validators, and read the body definition four times, per request).
    The checks and their order are Connexion's: parameters, media type, body."""

    CACHE_LIMIT = 16  # body validators remembered per operation (media types are sent by clients)

    def __init__(self, next_app: Any, *, operation: Any, strict_validation: bool = False,
                 validator_map: dict | None = None) -> None:
        super().__init__(next_app, operation=operation, strict_validation=strict_validation,
                         validator_map=validator_map)
        self.operation = operation
        self.validators = {**VALIDATOR_MAP, **(validator_map or {})}
        self._uri_parser = operation.uri_parser_class(operation.parameters,
                                                      operation.body_definition())
        self._parameters = self.validators["parameter"](
            operation.parameters, uri_parser=self._uri_parser,
            strict_validation=strict_validation,
            security_query_params=self.security_query_params)
        self._consumes = MediaTypeDict([(c.lower(), None) for c in operation.consumes]) \
            if operation.consumes else None
        self._bodies: dict[tuple[str, str], Any] = {}

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        """Connexion's reading of Content-Type (media type, charset; the operation's first
        type and UTF-8 where the request names none), without its per-call typing work."""
        content_type = None
        for key, value in headers:
            if key.lower() == b"content-type":
                content_type = value.decode("latin-1")
                break
        mime_type, encoding = split_content_type(content_type)
        if mime_type is None:
            consumes = self.operation.consumes
            mime_type = consumes[0] if consumes else "application/octet-stream"
        return mime_type, encoding or "utf-8"

    def validate_mime_type(self, mime_type: str) -> None:
        if self._consumes is not None and mime_type.lower() not in self._consumes:
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), "
                f"expected {self.operation.consumes}")

    def _body_validator(self, mime_type: str, encoding: str) -> Any:
        key = (mime_type, encoding)
        if key in self._bodies:
            return self._bodies[key]
        validator = None
        operation = self.operation
        schema = operation.body_schema(mime_type)
        if schema:
            try:
                cls = self.validators["body"][mime_type]
            except KeyError:
                cls = None  # no validator for this type: not validated (as Connexion)
            if cls is not None:
                validator = cls(schema=schema,
                                required=operation.request_body.get("required", False),
                                nullable=is_nullable(operation.body_definition(mime_type)),
                                encoding=encoding, strict_validation=self.strict_validation,
                                uri_parser=self._uri_parser)
        if len(self._bodies) < self.CACHE_LIMIT:
            self._bodies[key] = validator
        return validator

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self._parameters.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        validator = self._body_validator(mime_type, encoding)
        if validator is not None:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class _CompiledValidationApi(RequestValidationAPI):
    def make_operation(self, operation: Any) -> CompiledValidationOperation:
        return CompiledValidationOperation(self.next_app, operation=operation,
                                           strict_validation=self.strict_validation,
                                           validator_map=self.validator_map)


class CompiledRequestValidationMiddleware(RequestValidationMiddleware):
    """Connexion's request validation middleware with :class:`CompiledValidationOperation`."""

    api_cls = _CompiledValidationApi


def validator_map(body_validators: dict[str, type] | None = None) -> dict:
    """The complete validator map for Connexion (it merges shallowly: keep every entry);
    ``body_validators`` replaces body validators by media type (one API's own)."""
    body = MediaTypeDict(dict(VALIDATOR_MAP["body"]))
    body["*/*json"] = BodyValidator
    body.update(body_validators or {})
    return {"parameter": ParamValidator, "body": body, "response": VALIDATOR_MAP["response"]}


__all__ = ["BodyValidator", "ParamValidator", "validator_map", "FORMAT_CHECKER",
           "ExtraParameterProblem"]
