"""Pigello errors in Django REST framework's shape.

Field errors nest as DRF's serializers nest them: ``{"custom_id": ["..."]}``,
``{"tenant": {"id": ["..."]}}``, a list with ``{}`` per valid item for bulk writes,
``non_field_errors`` for object-level problems; query parameters by name. Anything
without a field is ``{"detail": "..."}`` with DRF's default message where DRF has one.
"""

from __future__ import annotations

from mock_server.apis.base import ErrorResponse
from mock_server.apis.pigello.auth import METHOD
from mock_server.apis.pigello.drf import DRFValidationError, nest
from mock_server.errors import NO_CREDENTIALS, ApiError, FieldError


def message(fe: FieldError) -> str:
    """DRF's wording for what the shared validators report about query parameters."""
    detail = fe.detail
    if fe.code == "required":
        return "This field is required."
    if fe.code == "unknown_parameter":
        return "Unknown query parameter."
    if fe.code == "type" and fe.limit == "integer":
        return "A valid integer is required."
    if fe.code == "type" and fe.limit == "boolean":
        return "Must be a valid boolean."
    if fe.code == "format" and fe.limit == "uuid":
        return "Must be a valid UUID."
    if fe.code in ("minimum", "maximum"):
        word = "greater" if fe.code == "minimum" else "less"
        return f"Ensure this value is {word} than or equal to {fe.limit}."
    if detail[:1].isupper():
        return detail
    text = detail[:1].upper() + detail[1:]
    return text if text.endswith(".") else text + "."


def _detail(error: ApiError) -> str:
    detail = error.detail
    if error.status == 404:
        return "Not found."
    if error.code == NO_CREDENTIALS:
        return "Authentication credentials were not provided."
    if error.status == 415:
        # No Content-Type at all: DRF negotiates with "" and names it.
        media = error.info.get("media_type", "")
        return f'Unsupported media type "{media}" in request.'
    if error.status == 405:
        return f'Method "{METHOD.get()}" not allowed.'
    if error.code == "not_permitted":
        return "You do not have permission to perform this action."
    if error.status == 429:
        return "Request was throttled."
    return detail


def render_error(error: ApiError) -> ErrorResponse:
    """DRF's body for ``error``: nested field errors, or ``{"detail": "..."}``."""
    if isinstance(error, DRFValidationError):
        return ErrorResponse(error.status, error.body, "application/json", error.headers)
    fields = [FieldError(message(fe), pointer=fe.pointer, parameter=fe.parameter,
                         location=fe.location)
              for fe in error.errors if (fe.pointer or fe.parameter) and fe.location != "header"]
    if fields:
        body = nest(fields)
        general = [fe.detail for fe in error.errors if fe not in fields and
                   not (fe.pointer or fe.parameter)]
        if general and isinstance(body, dict):
            body.setdefault("non_field_errors", []).extend(general)
        return ErrorResponse(error.status, body, "application/json", error.headers)
    return ErrorResponse(error.status, {"detail": _detail(error)}, "application/json",
                         error.headers)
