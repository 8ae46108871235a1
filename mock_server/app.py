"""The app factory: one Connexion app serving every spec in openapi/."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from functools import partial
from typing import Literal

from connexion import AsyncApp, FlaskApp
from connexion.apps.abstract import AbstractApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.options import SwaggerUIOptions
from starlette.exceptions import HTTPException

from mock_server.apis import all_apis
from mock_server.apis.base import ApiDefinition
from mock_server.config import SPEC_DIR, Config
from mock_server.control.faults import FaultMiddleware
from mock_server.control.front_door import FrontDoorMiddleware
from mock_server.control.journal import JournalMiddleware
from mock_server.errors import ApiError, to_api_error
from mock_server.middleware import (
    AdminTokenMiddleware,
    ConnectionMiddleware,
    HeadMiddleware,
    SandboxMiddleware,
)
from mock_server.persistence import StateFile
from mock_server.resolver import SandboxResolver, handlers_of
from mock_server.routing import RoutingMiddleware, UnroutedMiddleware
from mock_server.runtime import Runtime
from mock_server.security import SECURITY_MAP
from mock_server.speedups import (
    OperationURIParser,
    fast_jsonifier,
    speed_up,
    trusted_specs,
)
from mock_server.swagger_ui import SandboxSwaggerUIMiddleware, swagger_ui_options
from mock_server.validation import validator_map
from mock_server.yaml_io import load_yaml

Flavor = Literal["async", "flask"]

# Connexion warns on every request to an operation that accepts two content types.
logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)


def load_spec(name: str) -> dict:
    """Parse a spec with libyaml when available (Connexion's pure-Python load is the
    slowest part of start-up)."""
    return load_yaml((SPEC_DIR / name).read_text(encoding="utf-8"))


def pipeline(runtime: Runtime, apis: list[ApiDefinition]) -> list:
    """Every middleware a request passes, outermost first.

    Connexion's own pieces (errors, Swagger UI, routing, security, validation,
    context) stand where Connexion puts them; the sandbox's stand between them. An
    API adds its own through ``ApiDefinition.middlewares``, each naming the
    Connexion piece it runs in front of (``BEFORE_ROUTING``, ``BEFORE_SECURITY``...).
    """
    def own(cls: type) -> partial:
        return partial(cls, runtime=runtime)

    def of_apis(position: str) -> list[partial]:
        return [own(cls) for api in apis for cls, where in api.middlewares if where == position]

    return [
        own(ConnectionMiddleware),         # the connection, for the drop fault
        ServerErrorMiddleware,
        own(JournalMiddleware),            # sees every call and its final answer
        *of_apis("BEFORE_EXCEPTION"),
        ExceptionMiddleware,               # renders errors raised below (app.render)
        *of_apis("BEFORE_SWAGGER"),
        SandboxSwaggerUIMiddleware,        # Swagger UI with the sandbox's panel
        *of_apis("BEFORE_ROUTING"),
        own(HeadMiddleware),               # HEAD served as GET without the body
        own(AdminTokenMiddleware),         # /_sandbox behind --admin-token
        own(FrontDoorMiddleware),          # GET / and /_sandbox/: what is here
        own(SandboxMiddleware),            # X-Sandbox-Id, body limits, media types
        RoutingMiddleware,                 # one route per path (routing.py)
        own(UnroutedMiddleware),           # no operation: 404 in the API's format
        own(FaultMiddleware),              # fault rules, after the operation is known
        *of_apis("BEFORE_SECURITY"),
        SecurityMiddleware,
        *of_apis("BEFORE_VALIDATION"),
        RequestValidationMiddleware,
        ResponseValidationMiddleware,
        LifespanMiddleware,
        *of_apis("BEFORE_CONTEXT"),
        ContextMiddleware,
    ]


def create_app(config: Config | None = None, *, flavor: Flavor = "async") -> AbstractApp:
    """Build the sandbox app.

    ``flavor="async"`` (default) gives a Connexion AsyncApp whose handlers run as
    coroutines on the event loop; ``flavor="flask"`` gives a FlaskApp (its
    ``.app`` is a WSGI Flask app) with the very same handlers. Both are ASGI
    callables. The live state is reachable as ``app.runtime``.
    """
    config = config or Config()
    apis = all_apis()
    runtime = Runtime(config, apis)
    state_file = None
    if config.state_file is not None:
        state_file = StateFile(runtime, config.state_file, config.state_save_interval,
                               fork=config.tune_process)

    restore = state_file.load if state_file is not None else None

    def load() -> None:
        try:
            runtime.load(restore)
        except Exception:  # noqa: BLE001 - kept in runtime.load_error; `serve` exits on it
            return
        if state_file is not None:
            state_file.start()

    if not config.load_in_background:
        runtime.load(restore)

    @contextlib.asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        if config.load_in_background:
            threading.Thread(target=load, daemon=True, name="sandbox-load").start()
        elif state_file is not None:
            state_file.start()
        try:
            yield
        finally:
            # Only a server that loaded the file may write it: a file that could not
            # be read stays exactly as it was.
            if state_file is not None and runtime.ready:
                state_file.stop()

    options = dict(
        lifespan=lifespan,
        specification_dir=SPEC_DIR,
        validator_map=validator_map(),
        security_map=SECURITY_MAP,
        strict_validation=True,
        validate_responses=config.validate_responses,
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True),
        middlewares=pipeline(runtime, apis),
        uri_parser_class=OperationURIParser,
    )
    if flavor == "async":
        app: AbstractApp = AsyncApp(__name__, jsonifier=fast_jsonifier(), **options)
        speed_up(app)
    elif flavor == "flask":
        app = FlaskApp(__name__, **options)
    else:
        raise ValueError(f"unknown app flavor {flavor!r}: use 'async' or 'flask'")

    for api in apis:
        per_api = {}
        if api.body_validators:
            per_api["validator_map"] = validator_map(api.body_validators)
        spec = load_spec(api.spec)
        handlers_of(api, spec)  # an operationId without a handler stops start-up here
        with trusted_specs():
            app.add_api(
                spec,
                base_path=api.base_path,
                name=api.name,
                resolver=SandboxResolver(runtime, api, asynchronous=flavor == "async"),
                swagger_ui_options=swagger_ui_options(api.name),
                **per_api,
            )

    async def render(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        api = runtime.api_for(request.scope["path"])
        resp = api.error_response(to_api_error(exc))
        return ConnexionResponse(status_code=resp.status, body=resp.encode(),
                                 content_type=resp.content_type, mimetype=resp.content_type,
                                 headers=resp.headers)

    for exc_type in (ApiError, ProblemException, HTTPException, Exception):
        app.add_error_handler(exc_type, render)
    app.runtime = runtime  # type: ignore[attr-defined]
    return app
