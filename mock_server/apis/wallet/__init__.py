"""The Wallet service Tenant API: envelope responses, API keys with roles and expiry."""

from mock_server.apis.base import ApiDefinition, package_yaml
from mock_server.apis.wallet.auth import authenticate
from mock_server.apis.wallet.errors import render_error
from mock_server.apis.wallet.models import build_state, credentials, dump_state, generate
from mock_server.apis.wallet.paging import SpringQueryMiddleware

API = ApiDefinition(
    name="wallet",
    title="Wallet service Tenant API",
    spec="wallet.yaml",
    base_path="/api/v1",
    render_error=render_error,
    handlers="mock_server.apis.wallet.handlers",
    authenticate=authenticate,
    body_validation_status=400,
    build_state=build_state,
    credentials=credentials,
    fixture_schema=package_yaml(__file__),
    dump_state=dump_state,
    generate=generate,
    generate_option="wallet-tenants",
    middlewares=((SpringQueryMiddleware, "BEFORE_SECURITY"),),
)
