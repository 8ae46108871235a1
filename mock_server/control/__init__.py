"""The sandbox's own API under /_sandbox: health, reset, credentials."""

from mock_server.apis.base import ApiDefinition, ErrorResponse
from mock_server.errors import ApiError

PROBLEM = "application/problem+json"


def render_error(error: ApiError) -> ErrorResponse:
    """Control-plane errors (and requests to paths no API owns) as problem+json."""
    body: dict = {"type": "about:blank", "title": error.title, "status": error.status,
                  "detail": error.detail}
    if error.errors:
        body["errors"] = [{"field": e.field, "detail": e.detail} for e in error.errors]
    return ErrorResponse(error.status, body, PROBLEM, error.headers)


CONTROL_API = ApiDefinition(
    name="sandbox",
    title="Sandbox control plane",
    spec="sandbox.yaml",
    base_path="/_sandbox",
    render_error=render_error,
    handlers="mock_server.control.handlers",
    body_validation_status=400,
    # No authenticate: AdminTokenMiddleware (middleware.py) enforces --admin-token on
    # every /_sandbox path before routing, and the spec's adminToken scheme offers the
    # empty alternative, so Connexion's security accepts every control-plane call.
)
