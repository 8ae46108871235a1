"""Wallet errors: the same envelope as every other response."""

from __future__ import annotations

from mock_server.apis.base import ErrorResponse
from mock_server.errors import NO_ROUTE, ApiError, RequestValidationError

MESSAGES = {403: "Forbidden", 404: "Not found", 405: "Method not allowed",
            413: "Payload too large", 415: "Unsupported media type"}
# The provider prints three bodies verbatim: {"statusCode": 401, "message": "Unauthorized",
# "data": null}, 404 "Tenant not found" and 409 "Duplicate tenant email", data null.

def render_error(error: ApiError) -> ErrorResponse:
    """``{"statusCode", "message", "data"}``: ``data`` null for 401/403/404/409 (the
    seed's bodies), field errors listed in ``data.errors`` for 400 and 422."""
    if error.status == 401:
        return ErrorResponse(401, {"statusCode": 401, "message": "Unauthorized", "data": None},
                             "application/json", error.headers)
    fields = [e for e in error.errors if e.field]
    if isinstance(error, RequestValidationError) or (fields and error.status in (400, 422)):
        message = "Validation failed: " + "; ".join(
            f"{e.field} {e.detail}" if e.field else e.detail for e in error.errors)
    elif error.code == NO_ROUTE:
        message = "Not found"
    elif error.status in MESSAGES and error.detail in ("", None):
        message = MESSAGES[error.status]
    else:
        message = error.detail
    data = {"errors": [{"field": e.field, "message": e.detail} for e in error.errors]} \
        if error.errors and error.status in (400, 413, 415, 422) else None
    return ErrorResponse(error.status, {"statusCode": error.status, "message": message,
                                        "data": data}, "application/json", error.headers)
