"""Pigello errors in Django REST framework's shape.

Field errors are keyed by field: ``{"custom_id": ["..."]}``; nested members and
bulk items use a path (``tenant.id``, ``[2].tenant.id``); object-level problems go
under ``non_field_errors``. Anything without a field is ``{"detail": "..."}``.
"""

from __future__ import annotations

from mock_server.apis.base import ErrorResponse
from mock_server.apis.pigello.models import READ_ONLY
from mock_server.errors import ApiError, FieldError


def field_key(fe: FieldError) -> str | None:
    """The DRF-style key of one field error, or None for a general one."""
    if fe.parameter:
        return None if fe.location == "header" else fe.parameter
    if not fe.pointer:
        return None
    key = ""
    for part in fe.pointer.strip("/").split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        key += f"[{part}]" if part.isdigit() else (f".{part}" if key else part)
    return key or None


def message(fe: FieldError, key: str) -> str:
    """DRF's wording for the common cases, else the validator's message as a sentence."""
    detail = fe.detail
    last = key.rsplit(".", 1)[-1]
    if detail == "is required":
        return "This field is required."
    if detail == "is read-only" or (detail == "is not an allowed member" and last in READ_ONLY):
        return "This field is read-only and cannot be written."
    if detail == "is not an allowed member":
        return "Unknown field."
    if detail == "is not a known parameter":
        return "Unknown query parameter."
    text = detail[:1].upper() + detail[1:]
    return text if text.endswith(".") else text + "."


def render_error(error: ApiError) -> ErrorResponse:
    """``{"field": ["message", ...], ...}`` or ``{"detail": "..."}``."""
    body: dict[str, list[str]] = {}
    general: list[str] = []
    for fe in error.errors:
        key = field_key(fe)
        if key is None:
            general.append(fe.detail)
        else:
            body.setdefault(key, []).append(message(fe, key))
    if body:
        if general:
            body.setdefault("non_field_errors", []).extend(general)
        return ErrorResponse(error.status, body, "application/json", error.headers)
    detail = error.detail
    if error.status == 404:
        detail = "Not found."
    elif error.status == 401 and detail == "No authorization token provided":
        detail = "Authentication credentials were not provided."
    return ErrorResponse(error.status, {"detail": detail}, "application/json", error.headers)
