"""Roomle errors: ``{"error": {"status", "code", "message", "errors": [...]}}``."""

from __future__ import annotations

from mock_server.apis.base import ErrorResponse
from mock_server.errors import NO_CREDENTIALS, ApiError, FieldError


def render_error(error: ApiError) -> ErrorResponse:
    """One JSON shape for every failure; each field at fault listed with its own message."""
    errors = error.errors
    message = error.detail
    if error.code == NO_CREDENTIALS:
        message = "Missing credentials: send the apiKey and token headers"
        errors = [FieldError("is required", parameter=h, location="header", code="required")
                  for h in ("apiKey", "token")]
    items = []
    for fe in errors:
        item = {"field": fe.field or "", "message": fe.detail}
        if fe.parameter:
            item["location"] = fe.location or "query"
        elif fe.pointer is not None:
            item["location"] = "body"
        items.append(item)
    body = {"error": {"status": error.status, "code": error.code, "message": message,
                      "errors": items}}
    return ErrorResponse(error.status, body, "application/json", error.headers)
