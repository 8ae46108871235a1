"""Pigello Accounts: tenants, sub-tenants and their connections, Django REST style."""

from mock_server.apis.base import ApiDefinition, package_yaml
from mock_server.apis.pigello.auth import SlashRedirectMiddleware, authenticate
from mock_server.apis.pigello.drf import DRFBodyValidator
from mock_server.apis.pigello.errors import render_error
from mock_server.apis.pigello.models import build_state, credentials, dump_state, generate

API = ApiDefinition(
    name="pigello",
    title="Pigello Accounts",
    spec="pigello.yaml",
    base_path="/accounts/users/customer",
    render_error=render_error,
    handlers="mock_server.apis.pigello.handlers",
    body_validation_status=400,
    build_state=build_state,
    credentials=credentials,
    authenticate=authenticate,
    middlewares=((SlashRedirectMiddleware, "BEFORE_ROUTING"),),
    fixture_schema=package_yaml(__file__),
    dump_state=dump_state,
    generate=generate,
    generate_option="pigello-connections",
    body_validators={"*/*json": DRFBodyValidator},
)
