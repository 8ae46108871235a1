"""The app factory: one Connexion app serving every spec in openapi/."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from functools import partial
from typing import Any, Literal

import flask
from a2wsgi import WSGIMiddleware
from connexion.apps.abstract import AbstractApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.abstract import SpecMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.options import SwaggerUIOptions
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from mock_server.apis import all_apis
from mock_server.apis.base import ApiDefinition
from mock_server.config import SPEC_DIR, Config
from mock_server.control.faults import FaultMiddleware
from mock_server.control.front_door import FrontDoorMiddleware
from mock_server.control.journal import JournalMiddleware
from mock_server.dispatch import PARSED_BODY, Dispatcher
from mock_server.errors import ApiError, to_api_error
from mock_server.identity import IdentityMiddleware
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
from mock_server.speedups import OperationURIParser, trusted_specs
from mock_server.swagger_ui import SandboxSwaggerUIMiddleware, swagger_ui_options
from mock_server.validation import CompiledRequestValidationMiddleware, validator_map
from mock_server.yaml_io import spec_document

Flavor = Literal["async", "flask"]

# Connexion warns on every request to an operation that accepts two content types.
logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)


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
        own(IdentityMiddleware),           # who calls: ApiDefinition.authenticate, once
        *of_apis("BEFORE_SECURITY"),
        SecurityMiddleware,                # confirms the caller found (identity.confirm)
        *of_apis("BEFORE_VALIDATION"),
        CompiledRequestValidationMiddleware,  # Connexion's, built once per operation
        ResponseValidationMiddleware,
        LifespanMiddleware,
        # innermost: the dispatcher (dispatch.py), the app the middlewares wrap
    ]


class SandboxApp(AbstractApp):
    """The async flavour: Connexion's middlewares around the sandbox's dispatcher,
    which calls the handlers as coroutine-free functions on the event loop."""

    def __init__(self, import_name: str, **options: Any) -> None:
        self._middleware_app: SpecMiddleware = self.inner_app(import_name)
        super().__init__(import_name, **options)

    def inner_app(self, import_name: str) -> SpecMiddleware:
        """The app the middlewares wrap."""
        return Dispatcher()

    def add_url_rule(self, rule: Any, endpoint: str | None = None,
                     view_func: Any = None, **options: Any) -> None:
        raise NotImplementedError("the sandbox serves the operations of its specs only")

    def add_error_handler(self, code_or_exception: Any, function: Any) -> None:
        self.middleware.add_error_handler(code_or_exception, function)


class _Response(flask.Response):
    default_mimetype = None  # the dispatcher names the type; none for an empty answer


class _DispatchingFlask(flask.Flask):
    """A Flask app whose one view is the dispatcher: no URL map of its own (Connexion's
    routing has already chosen the operation)."""

    response_class = _Response

    def __init__(self, import_name: str, dispatcher: Dispatcher) -> None:
        super().__init__(import_name)
        self.dispatcher = dispatcher
        self.config["PROPAGATE_EXCEPTIONS"] = True  # rendered by ExceptionMiddleware

    def dispatch_request(self) -> flask.Response:  # type: ignore[override]
        scope = flask.request.environ["asgi.scope"]
        operation = self.dispatcher.find(scope)
        raw = flask.request.get_data() \
            if operation.body_arg is not None and PARSED_BODY not in scope else None
        status, headers, content = operation.respond(scope, operation.body_from(scope, raw))
        response = _Response(content, status=status,
                             headers=[(k.decode("latin-1"), v.decode("latin-1"))
                                      for k, v in headers])
        if status in (204, 304):
            response.headers.pop("Content-Length", None)
        return response


class _FlaskDispatch(SpecMiddleware):
    """The Flask flavour's inner app: the same dispatcher, behind a Flask view."""

    def __init__(self, import_name: str) -> None:
        self.dispatcher = Dispatcher()
        self.app = _DispatchingFlask(import_name, self.dispatcher)
        wsgi: Any = self.app.wsgi_app  # a2wsgi's own WSGI/ASGI typing is stricter than Flask's
        self.asgi_app: Any = WSGIMiddleware(wsgi)

    def add_api(self, specification: Any, **kwargs: Any) -> Any:
        return self.dispatcher.add_api(specification, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.asgi_app(scope, receive, send)


class SandboxFlaskApp(SandboxApp):
    """The Flask flavour: the same middlewares and dispatcher; ``.app`` is the Flask
    (WSGI) app the dispatcher runs in."""

    def inner_app(self, import_name: str) -> SpecMiddleware:
        inner = _FlaskDispatch(import_name)
        self.app = inner.app
        return inner


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
        app: AbstractApp = SandboxApp(__name__, **options)
    elif flavor == "flask":
        app = SandboxFlaskApp(__name__, **options)
    else:
        raise ValueError(f"unknown app flavor {flavor!r}: use 'async' or 'flask'")

    for api in apis:
        per_api = {}
        if api.body_validators:
            per_api["validator_map"] = validator_map(api.body_validators)
        spec = spec_document(api.spec)
        handlers_of(api, spec)  # an operationId without a handler stops start-up here
        with trusted_specs():
            app.add_api(
                spec,
                base_path=api.base_path,
                name=api.name,
                resolver=SandboxResolver(runtime, api),
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
