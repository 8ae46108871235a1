"""Bizzlink Partner Tenants: JSON:API documents, HMAC-signed requests, partner/child rules."""

from mock_server.apis.base import ApiDefinition, package_yaml
from mock_server.apis.bizzlink.auth import SignatureMiddleware
from mock_server.apis.bizzlink.errors import render_error
from mock_server.apis.bizzlink.models import build_state, credentials, dump_state, generate

API = ApiDefinition(
    name="bizzlink",
    title="Bizzlink Partner Tenants",
    spec="bizzlink.yaml",
    base_path="/bizzlink",
    render_error=render_error,
    body_validation_status=422,
    build_state=build_state,
    credentials=credentials,
    middlewares=((SignatureMiddleware, "BEFORE_SECURITY"),),
    fixture_schema=package_yaml(__file__),
    dump_state=dump_state,
    generate=generate,
    generate_option="bizzlink-tenants",
)
