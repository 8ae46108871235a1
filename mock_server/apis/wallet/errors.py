"""Wallet errors: the same envelope as every other response."""

from __future__ import annotations

from mock_server.apis.base import ErrorResponse
from mock_server.errors import ApiError, RequestValidationError

MESSAGES = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
            413: "Payload too large", 415: "Unsupported media type"}


def render_error(error: ApiError) -> ErrorResponse:
    """``{"statusCode", "message", "data"}``; field errors listed in ``data.errors``."""
    fields = [e for e in error.errors if e.field]
    if isinstance(error, RequestValidationError) or (fields and error.status in (400, 422)):
        message = "Validation failed: " + "; ".join(
            f"{e.field} {e.detail}" if e.field else e.detail for e in error.errors)
    elif error.status == 401 and error.detail == "No authorization token provided":
        message = "Unauthorized: the X-API-KEY header is missing"
    elif error.status == 404 and error.detail == "The requested resource does not exist":
        message = "Not found"
    elif error.status in MESSAGES and error.detail in ("", None):
        message = MESSAGES[error.status]
    else:
        message = error.detail
    data = {"errors": [{"field": e.field, "message": e.detail} for e in error.errors]} \
        if error.errors else None
    return ErrorResponse(error.status, {"statusCode": error.status, "message": message,
                                        "data": data}, "application/json", error.headers)
