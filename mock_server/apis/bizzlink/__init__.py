"""Bizzlink Partner API: tenants, legal entities, Peppol IDs; JSON:API documents,
HMAC-signed requests, partner/child rules."""

from mock_server.apis.base import ApiDefinition, package_yaml
from mock_server.apis.bizzlink.auth import authenticate
from mock_server.apis.bizzlink.errors import render_error
from mock_server.apis.bizzlink.jsonapi import NegotiationMiddleware, TrailingSlashMiddleware
from mock_server.apis.bizzlink.models import build_state, credentials, dump_state, generate

API = ApiDefinition(
    name="bizzlink",
    title="Bizzlink Partner API",
    spec="bizzlink.yaml",
    base_path="/bizzlink",
    render_error=render_error,
    handlers="mock_server.apis.bizzlink.handlers",
    body_validation_status=422,
    build_state=build_state,
    credentials=credentials,
    # The signature covers the raw body; JSON:API negotiation after it (the identity
    # step stands before every BEFORE_SECURITY piece), the slash rule before routing.
    authenticate=authenticate,
    authenticate_reads_body=True,
    middlewares=((NegotiationMiddleware, "BEFORE_SECURITY"),
                 (TrailingSlashMiddleware, "BEFORE_ROUTING")),
    fixture_schema=package_yaml(__file__),
    dump_state=dump_state,
    generate=generate,
    generate_option="bizzlink-tenants",
)
