"""The app factory: one Connexion app serving every spec in openapi/."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Literal

from connexion import AsyncApp, FlaskApp
from connexion.apps.abstract import AbstractApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from starlette.exceptions import HTTPException

from mock_server.apis import all_apis
from mock_server.config import SPEC_DIR, Config
from mock_server.control.faults import FaultMiddleware
from mock_server.control.journal import JournalMiddleware
from mock_server.errors import ApiError, to_api_error
from mock_server.middleware import AdminTokenMiddleware, HeadMiddleware, SandboxMiddleware
from mock_server.persistence import StateFile
from mock_server.resolver import SandboxResolver
from mock_server.runtime import Runtime
from mock_server.security import SECURITY_MAP
from mock_server.speedups import (
    OperationURIParser,
    fast_jsonifier,
    middlewares,
    speed_up,
    trusted_specs,
)
from mock_server.validation import validator_map
from mock_server.yaml_io import load_yaml

Flavor = Literal["async", "flask"]

# Connexion warns on every request to an operation that accepts two content types.
logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)


def load_spec(name: str) -> dict:
    """Parse a spec with libyaml when available (Connexion's pure-Python load is the
    slowest part of start-up)."""
    return load_yaml((SPEC_DIR / name).read_text(encoding="utf-8"))


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
        state_file = StateFile(runtime, config.state_file, config.state_save_interval)

    def load() -> None:
        runtime.load()
        if state_file is not None:
            state_file.load()
            state_file.start()

    if not config.load_in_background:
        runtime.load()
        if state_file is not None:
            state_file.load()

    @contextlib.asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        if config.load_in_background:
            threading.Thread(target=load, daemon=True, name="sandbox-load").start()
        elif state_file is not None:
            state_file.start()
        try:
            yield
        finally:
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
        middlewares=middlewares(),
        uri_parser_class=OperationURIParser,
    )
    if flavor == "async":
        app: AbstractApp = AsyncApp(__name__, jsonifier=fast_jsonifier(), **options)
        speed_up(app)
    elif flavor == "flask":
        app = FlaskApp(__name__, **options)
    else:
        raise ValueError(f"unknown app flavor {flavor!r}: use 'async' or 'flask'")

    app.add_middleware(JournalMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       runtime=runtime)
    app.add_middleware(FaultMiddleware, position=MiddlewarePosition.BEFORE_SECURITY,
                       runtime=runtime)
    for api in apis:
        per_api = {}
        if api.body_validators:
            per_api["validator_map"] = validator_map(api.body_validators)
        with trusted_specs():
            app.add_api(
                load_spec(api.spec),
                base_path=api.base_path,
                name=api.name,
                resolver=SandboxResolver(runtime, api, asynchronous=flavor == "async"),
                **per_api,
            )
        for middleware, position in api.middlewares:
            app.add_middleware(middleware, position=MiddlewarePosition[position],
                               runtime=runtime)
    app.add_middleware(HeadMiddleware, position=MiddlewarePosition.BEFORE_ROUTING,
                       runtime=runtime)
    app.add_middleware(AdminTokenMiddleware, position=MiddlewarePosition.BEFORE_ROUTING,
                       runtime=runtime)
    app.add_middleware(SandboxMiddleware, position=MiddlewarePosition.BEFORE_ROUTING,
                       runtime=runtime)

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
