"""What an emulated API tells the shared machinery about itself."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import inflection
from starlette.types import Scope

from mock_server.errors import ApiError, RequestValidationError, status_phrase
from mock_server.yaml_io import load_data_file

if TYPE_CHECKING:
    from mock_server.config import Config
    from mock_server.sandbox import Sandbox


def package_yaml(module_file: str, name: str = "fixture_schema.yaml") -> Any:
    """A YAML file kept beside an API package's code (e.g. its fixture schema)."""
    return load_data_file(Path(module_file).parent / name)


@lru_cache(maxsize=1024)
def handler_name(operation_id: str) -> str:
    """The function of ``ApiDefinition.handlers`` that serves an operationId: its
    snake_case (``listPeppolIds`` -> ``list_peppol_ids``)."""
    return inflection.underscore(operation_id)


@dataclass(frozen=True)
class ErrorResponse:
    status: int
    body: Any
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode()


ErrorRenderer = Callable[[ApiError], ErrorResponse]
StateBuilder = Callable[["Sandbox", dict, "Config"], Any]
StateDumper = Callable[[Any], dict]
Generator = Callable[["Sandbox", dict, "Config", int, Callable[[int], None]], dict]
CredentialLister = Callable[["Sandbox"], list[dict]]
ReplayAuth = Callable[[str, str, bytes, dict], dict[str, str]]
Authenticator = Callable[[Scope, "bytes | None", bool], Any]


@dataclass(frozen=True)
class ApiDefinition:
    """One emulated API (or the control plane): its spec, mount point and dialect.

    - ``handlers``: the module that serves the spec's operations, one function per
      operationId, named as its snake_case (``registerTenant`` -> ``register_tenant``;
      see :func:`handler_name` and :func:`mock_server.resolver.handler_for`).

    - ``render_error`` turns any :class:`ApiError` into this API's error document.
    - ``body_validation_status``: the status for a body that breaks the schema
      (Bizzlink 422, most others 400).
    - ``build_state`` seeds this API's part of a sandbox from its fixture section.
    - ``credentials`` lists the sandbox's principals for ``/_sandbox/credentials``.
    - ``middlewares``: ASGI middlewares as (class, Connexion MiddlewarePosition name).
    - ``fixture_schema``: JSON Schema (draft 7) of this API's fixture section.
    - ``dump_state(state) -> section``: a fixture section that ``build_state``
      turns back into exactly this state (for state export and persistence).
    - ``generate(sandbox, section, config, count, progress) -> section``: the
      section plus ``count`` Faker-made records (``mock-server generate``), whose
      CLI option is ``--<generate_option>``.
    - ``secrets(sandbox) -> values``: every secret value the API holds in a sandbox
      (keys, tokens, passwords), masked wherever they appear in the journal and the
      logs; without it they are read from ``credentials``.
    - ``body_validators``: request-body validator classes by media type that replace
      the shared ones for this API only (e.g. a validator that coerces as the
      provider's framework does).
    - ``authenticate(scope, body, required) -> principal``: who calls, asked once per
      request of an operation that declares security, by the shared identity step
      (mock_server/identity.py); raises the API's 401 / 403 naming what is wrong, or
      returns None for a request without credentials when ``required`` is false.
      Handlers read the answer as ``ctx.principal``. ``body`` is the raw request body
      when ``authenticate_reads_body`` (credentials that sign it), else None.
    - ``replay_auth(method, path_and_query, body, credentials) -> headers``: how
      ``mock-server drift`` authenticates a call it replays against another server,
      given this API's section of the user's credentials file (default: see
      ``mock_server.drift.BUILTIN_AUTH``, else the section's ``headers``).
    """

    name: str
    spec: str
    base_path: str
    render_error: ErrorRenderer
    handlers: str = ""
    body_validation_status: int = 400
    build_state: StateBuilder | None = None
    credentials: CredentialLister | None = None
    middlewares: tuple[tuple[type, str], ...] = ()
    title: str = ""
    fixture_schema: dict | None = None
    dump_state: StateDumper | None = None
    generate: Generator | None = None
    generate_option: str = ""
    secrets: Callable[[Sandbox], Iterable[str]] | None = None
    body_validators: dict[str, type] = field(default_factory=dict)
    replay_auth: ReplayAuth | None = None
    authenticate: Authenticator | None = None
    authenticate_reads_body: bool = False

    def owns(self, path: str) -> bool:
        return path == self.base_path or path.startswith(self.base_path + "/")

    def error_response(self, error: ApiError) -> ErrorResponse:
        if isinstance(error, RequestValidationError) and error.in_body:
            error.status = self.body_validation_status
            error.title = status_phrase(error.status)
        return self.render_error(error)
