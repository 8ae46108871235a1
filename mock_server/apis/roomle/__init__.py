"""The Roomle Tenant API: wrapped tenant documents, sign-in and AES-encrypted request
tokens as Roomle publishes them, role rules."""

from mock_server.apis.base import ApiDefinition, package_yaml
from mock_server.apis.roomle.auth import authenticate
from mock_server.apis.roomle.errors import render_error
from mock_server.apis.roomle.models import build_state, credentials, dump_state, generate, secrets

API = ApiDefinition(
    name="roomle",
    title="Roomle Tenant API",
    spec="roomle.yaml",
    base_path="/v2",
    render_error=render_error,
    handlers="mock_server.apis.roomle.handlers",
    authenticate=authenticate,
    body_validation_status=400,
    build_state=build_state,
    credentials=credentials,
    secrets=secrets,
    fixture_schema=package_yaml(__file__),
    dump_state=dump_state,
    generate=generate,
    generate_option="roomle-tenants",
)
