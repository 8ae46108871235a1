"""One exception hierarchy for every API; each API renders it in its own format.

Handlers, rules, middlewares and the request validators raise these. The app's
error handler turns anything else (Connexion's problems, Starlette's routing
errors, unexpected exceptions) into one of them with :func:`to_api_error`, then
asks the API that owns the request path to render it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from connexion.exceptions import ProblemException
from starlette.exceptions import HTTPException

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    """One problem with one part of the request.

    ``pointer`` is a JSON pointer into the request body (``/data/attributes/name``);
    ``parameter`` names a query, path or header parameter instead.
    """

    detail: str
    pointer: str | None = None
    parameter: str | None = None
    location: str | None = None
    code: str = ""        # machine code: "required", "unknown_parameter", a JSON Schema
    limit: Any = None     # keyword ("type", "minimum" ...) with its value in ``limit``

    @property
    def field(self) -> str | None:
        """A dotted field name for formats that key errors by field."""
        if self.parameter:
            return self.parameter
        if self.pointer:
            return ".".join(p for p in self.pointer.strip("/").split("/") if p) or None
        return None


class ApiError(Exception):
    """A request that cannot be served; ``status`` is the HTTP status code."""

    status: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        status: int | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])
        if status is not None:
            self.status = status
            if type(self) is ApiError:
                self.code = _CODES.get(status, "error")
        if code is not None:
            self.code = code
        self.title = title or status_phrase(self.status)
        self.headers = dict(headers or {})
        # What a renderer may need beyond the text (e.g. ``media_type`` of a 415).
        self.info: dict[str, Any] = {}

    def field_errors(self) -> list[FieldError]:
        """The per-field errors, or one error without a field for a general problem."""
        return self.errors or [FieldError(self.detail)]


_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 406: "not_acceptable", 408: "request_timeout",
          409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
          422: "validation_error", 429: "too_many_requests",
          431: "request_header_fields_too_large", 500: "internal_error",
          503: "service_unavailable"}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class Unprocessable(ApiError):
    status = 422
    code = "validation_error"


class RequestValidationError(ApiError):
    """The request does not match the spec (body schema or parameters).

    Its status is not fixed here: each API decides (Bizzlink answers 422 for
    body errors, others 400), see ``ApiDefinition.body_validation_status``.
    """

    status = 400
    code = "validation_error"

    def __init__(self, errors: list[FieldError], *, in_body: bool) -> None:
        detail = "; ".join(_describe(e) for e in errors) or "Request validation failed"
        super().__init__(detail, errors=errors)
        self.in_body = in_body


def _describe(error: FieldError) -> str:
    where = error.pointer or (f"{error.location} parameter '{error.parameter}'"
                              if error.parameter else None)
    return f"{where}: {error.detail}" if where else error.detail


def to_api_error(exc: BaseException) -> ApiError:
    """Translate any exception raised while serving a request into an ApiError."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ProblemException):
        status = int(exc.status or 500)
        detail = str(exc.detail or exc.title or HTTPStatus(status).phrase)
        err = ApiError(detail, status=status, headers=dict(exc.headers or {}),
                       code=_PROBLEM_CODES.get(status))
        if status == 415:
            # The one place that reads Connexion's wording: the media type it refused.
            found = _REFUSED_MEDIA_TYPE.search(detail)
            err.info["media_type"] = found.group(1) if found else ""
        if status >= 500:
            logger.error("server error: %r", exc)
        return err
    if isinstance(exc, HTTPException):
        status = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
        code = None
        if status == 404:
            detail = "The requested resource does not exist"
            code = NO_ROUTE
        headers = dict(exc.headers or {})
        if status == 405:
            detail = "Method not allowed for this resource"
            from mock_server.routing import allow_header

            allowed = headers.pop("Allow", headers.pop("allow", ""))
            headers["Allow"] = allow_header(m.strip() for m in allowed.split(",") if m.strip())
        return ApiError(detail, status=status, headers=headers, code=code)
    logger.exception("unhandled error while serving a request", exc_info=exc)
    return ApiError("Internal server error", status=500)


NO_ROUTE = "no_route"  # code of a 404 for a path (and method) no operation has
# Connexion's own problems, by status: its security step's 401 (no credentials sent) and
# 403, and request validation's 415.
NO_CREDENTIALS = "no_credentials"  # code of a 401 for a request that sent no credentials
_PROBLEM_CODES = {401: NO_CREDENTIALS, 403: "not_permitted", 415: "unsupported_media_type"}
_REFUSED_MEDIA_TYPE = re.compile(r"Invalid Content-type \(([^)]*)\)")


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
