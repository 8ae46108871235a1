"""Bizzlink errors: JSON:API error documents (``application/vnd.api+json``)."""

from __future__ import annotations

from mock_server.apis.base import ErrorResponse
from mock_server.errors import ApiError

CONTENT_TYPE = "application/vnd.api+json"


def render_error(error: ApiError) -> ErrorResponse:
    """``{"errors": [{"status", "code", "title", "detail", "source"}]}``, one per field error."""
    items = []
    for fe in error.field_errors():
        item: dict = {"status": str(error.status), "code": error.code, "title": error.title,
                      "detail": fe.detail if fe.pointer or fe.parameter else error.detail}
        if fe.pointer:
            item["detail"] = f"{fe.pointer.rsplit('/', 1)[-1] or 'document'} {fe.detail}"
            item["source"] = {"pointer": fe.pointer}
        elif fe.parameter:
            key = "header" if fe.location == "header" else "parameter"
            item["detail"] = f"{fe.parameter} {fe.detail}"
            item["source"] = {key: fe.parameter}
        elif error.status == 415:
            # Every 415 is about the Content-Type header (docs/bizzlink.md, Validation),
            # also when Connexion or the body-limit middleware refused it without a field.
            item["source"] = {"header": "Content-Type"}
        items.append(item)
    return ErrorResponse(error.status, {"errors": items}, CONTENT_TYPE, error.headers)
