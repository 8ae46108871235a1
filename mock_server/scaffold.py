"""``mock-server scaffold NAME``: a new API package that works from the first run.

Writes, as moto's scaffold does for a service, everything one emulated API needs:
``mock_server/apis/<name>/`` (definition, handlers, state and rules, auth, errors,
fixture schema), ``openapi/<name>.yaml``, a section in a fixture file of its own,
``tests/<name>/`` with HTTP tests, and ``docs/<name>.md``. The API serves a small
``things`` resource (list, create, get) behind an ``X-API-KEY`` header, in its own
error format: rename and reshape from there. tests/test_scaffold.py scaffolds an API
into a copy of the project and runs the tests it wrote.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

NAME = re.compile(r"[a-z][a-z0-9_]{1,30}")

INIT = '''"""{title}: scaffolded by mock-server scaffold; describe the provider here."""

from mock_server.apis.base import ApiDefinition, package_yaml
from mock_server.apis.{name}.auth import authenticate
from mock_server.apis.{name}.errors import render_error
from mock_server.apis.{name}.models import build_state, credentials, dump_state

API = ApiDefinition(
    name="{name}",
    title="{title}",
    spec="{name}.yaml",
    base_path="{base_path}",
    render_error=render_error,
    handlers="mock_server.apis.{name}.handlers",
    authenticate=authenticate,
    body_validation_status=400,
    build_state=build_state,
    credentials=credentials,
    fixture_schema=package_yaml(__file__),
    dump_state=dump_state,
)
'''

MODELS = '''"""{title} state and rules: things, unique by name, and the API keys that may call."""

from __future__ import annotations

from typing import Any

from mock_server.clock import isoformat
from mock_server.collection import Collection, UniqueViolation
from mock_server.config import Config
from mock_server.errors import Conflict, NotFound
from mock_server.fixtures import FixtureError
from mock_server.sandbox import Sandbox

API = "{name}"


class {cls}State:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.keys: list[str] = []
        self.things = Collection("{name}.things", unique={{"name": lambda r: r["name"].casefold()}})


def build_state(sandbox: Sandbox, section: dict, config: Config) -> {cls}State:
    state = {cls}State(sandbox)
    state.keys = list(section.get("keys", []))
    for i, thing in enumerate(section.get("things", [])):
        record = {{"id": thing.get("id") or sandbox.new_uuid(), "name": thing["name"],
                   "createdAt": thing.get("createdAt") or isoformat(sandbox.now())}}
        try:
            state.things.insert(record)
        except UniqueViolation as exc:
            raise FixtureError.at(f"{name}.things[{{i}}].{{exc.index}}",
                                  f"{{exc.value!r}} is used twice") from None
    return state


def dump_state(state: {cls}State) -> dict[str, Any]:
    return {{"keys": list(state.keys), "things": [dict(r) for r in state.things.values()]}}


def credentials(sandbox: Sandbox) -> list[dict]:
    return [{{"name": f"key {{i + 1}}", "role": "client", "headers": {{"X-API-KEY": key}}}}
            for i, key in enumerate(sandbox.state(API).keys)]


def create_thing(state: {cls}State, body: dict) -> dict:
    if state.things.is_taken("name", body["name"].casefold()):
        raise Conflict(f"A thing named {{body['name']!r}} exists already")
    return state.things.insert({{"id": state.sandbox.new_uuid(), "name": body["name"],
                                 "createdAt": isoformat(state.sandbox.now())}})


def get_thing(state: {cls}State, thing_id: str) -> dict:
    thing = state.things.get(thing_id)
    if thing is None:
        raise NotFound(f"No thing {{thing_id}}")
    return thing
'''

HANDLERS = '''"""{title} operations: HTTP in, JSON out (the rules live in models.py).

One function per operationId of openapi/{name}.yaml, named as its snake_case
(``listThings`` -> ``list_things``); the server refuses to start when one is missing.
"""

from __future__ import annotations

from typing import Any

from mock_server.apis.{name} import models
from mock_server.context import RequestContext


def _state(ctx: RequestContext) -> models.{cls}State:
    return ctx.sandbox.state(models.API)


def list_things(ctx: RequestContext) -> Any:
    return {{"things": [dict(r) for r in _state(ctx).things.values()]}}, 200


def create_thing(ctx: RequestContext, body: dict) -> Any:
    return models.create_thing(_state(ctx), body), 201


def get_thing(ctx: RequestContext, thing_id: str) -> Any:
    return models.get_thing(_state(ctx), thing_id), 200
'''

AUTH = '''"""{title} callers: an X-API-KEY from the fixture section's ``keys``.

``authenticate`` is the API's ``ApiDefinition.authenticate``: the shared identity step
asks it once per request; handlers read its answer as ``ctx.principal``.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import Scope

from mock_server.errors import NO_CREDENTIALS, Unauthorized
from mock_server.runtime import SCOPE_RUNTIME


def authenticate(scope: Scope, body: bytes | None, required: bool) -> str | None:
    """The caller's key, else 401 (None for no key where the operation allows it)."""
    key = Headers(scope=scope).get("x-api-key")
    if key is None:
        if not required:
            return None
        raise Unauthorized("No API key was sent", code=NO_CREDENTIALS)
    state = scope[SCOPE_RUNTIME].sandbox_for(scope).state("{name}")
    if key not in state.keys:
        raise Unauthorized("Unknown API key")
    return key
'''

ERRORS = '''"""{title} errors: ``{{"error": {{"status", "message", "fields"}}}}``
(make it the provider's)."""

from __future__ import annotations

from mock_server.apis.base import ErrorResponse
from mock_server.errors import ApiError


def render_error(error: ApiError) -> ErrorResponse:
    body = {{"error": {{"status": error.status, "message": error.detail,
                       "fields": [{{"field": e.field, "message": e.detail}}
                                  for e in error.errors if e.field]}}}}
    return ErrorResponse(error.status, body, "application/json", error.headers)
'''

FIXTURE_SCHEMA = '''type: object
additionalProperties: false
properties:
  keys: {{type: array, items: {{type: string, minLength: 8}}}}
  things:
    type: array
    items:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        id: {{type: string, format: uuid}}
        name: {{type: string, minLength: 1}}
        createdAt: {{type: string}}
'''

SPEC = '''openapi: 3.0.3
info:
  title: {title} (tenant-sandbox)
  version: "0.1.0"
  description: Scaffolded by mock-server scaffold. Write it from the provider's reference.
servers:
  - url: {base_path}
security:
  - apiKey: []
paths:
  /things:
    get:
      operationId: listThings
      summary: Every thing
      responses:
        "200":
          description: The things.
          content:
            application/json:
              schema:
                type: object
                required: [things]
                properties:
                  things: {{type: array, items: {{$ref: "#/components/schemas/Thing"}}}}
        "401": {{$ref: "#/components/responses/Error"}}
    post:
      operationId: createThing
      summary: Create a thing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [name]
              properties:
                name: {{type: string, minLength: 1, maxLength: 100}}
      responses:
        "201":
          description: Created.
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Thing"}}
        "400": {{$ref: "#/components/responses/Error"}}
        "401": {{$ref: "#/components/responses/Error"}}
        "409": {{$ref: "#/components/responses/Error"}}
  /things/{{thing_id}}:
    get:
      operationId: getThing
      summary: One thing
      parameters:
        - {{name: thing_id, in: path, required: true, schema: {{type: string, format: uuid}}}}
      responses:
        "200":
          description: The thing.
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Thing"}}
        "400": {{$ref: "#/components/responses/Error"}}
        "401": {{$ref: "#/components/responses/Error"}}
        "404": {{$ref: "#/components/responses/Error"}}
components:
  securitySchemes:
    apiKey:
      type: apiKey
      in: header
      name: X-API-KEY
      x-apikeyInfoFunc: mock_server.identity.confirm
  responses:
    Error:
      description: The API's error document.
      content:
        application/json:
          schema:
            type: object
            required: [error]
            properties:
              error:
                type: object
                required: [status, message, fields]
                properties:
                  status: {{type: integer}}
                  message: {{type: string}}
                  fields:
                    type: array
                    items:
                      type: object
                      properties:
                        field: {{type: string}}
                        message: {{type: string}}
  schemas:
    Thing:
      type: object
      required: [id, name, createdAt]
      properties:
        id: {{type: string, format: uuid}}
        name: {{type: string}}
        createdAt: {{type: string}}
'''

FIXTURES = '''version: 1
seed: 1
{name}:
  keys: [{name}_client_key]
  things:
    - {{id: 2a9eba0c-df56-4d80-aa75-9159fb7ff337, name: First thing}}
'''

TESTS = '''"""{title} through HTTP (scaffolded: extend as the API grows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.app import create_app
from mock_server.config import Config

FIXTURES = Path(__file__).parent / "fixtures.yaml"
KEY = {{"X-API-KEY": "{name}_client_key"}}
BASE = "{base_path}"


@pytest.fixture(scope="module", params=["async", "flask"])
def client(request):
    app = create_app(Config(fixtures=FIXTURES, validate_responses=True), flavor=request.param)
    with app.test_client() as c:
        yield c


def test_list_create_get(client):
    assert [t["name"] for t in client.get(f"{{BASE}}/things", headers=KEY).json()["things"]] \\
        == ["First thing"]
    created = client.post(f"{{BASE}}/things", json={{"name": "Second"}}, headers=KEY)
    assert created.status_code == 201
    got = client.get(f"{{BASE}}/things/{{created.json()['id']}}", headers=KEY)
    assert got.status_code == 200 and got.json()["name"] == "Second"


def test_errors_are_the_apis_own(client):
    assert client.get(f"{{BASE}}/things").status_code == 401
    duplicate = client.post(f"{{BASE}}/things", json={{"name": "first THING"}}, headers=KEY)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["status"] == 409
    bad = client.post(f"{{BASE}}/things", json={{}}, headers=KEY)
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"] == "name"
    missing = client.get(f"{{BASE}}/things/497f6eca-6276-4993-bfeb-53cbbbba6f08", headers=KEY)
    assert missing.status_code == 404
'''

DOC = '''# {title}

Scaffolded by `mock-server scaffold {name}`. Base path `{base_path}`, spec
`openapi/{name}.yaml`, package `mock_server/apis/{name}/`, tests `tests/{name}/`.
Say here what the provider publishes, and every place the sandbox differs from it.
'''


def scaffold(name: str, root: Path, base_path: str | None = None,
             title: str | None = None) -> list[Path]:
    """Write a new API package and its spec, fixtures, tests and docs under ``root``;
    returns the files written. Refuses a bad name or one that exists already."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ValueError(f"{name!r}: use 2-31 lower-case letters, digits and _ "
                         f"(a Python package name)")
    base_path = base_path or f"/{name.replace('_', '-')}"
    if not base_path.startswith("/") or base_path.endswith("/"):
        raise ValueError(f"--base-path {base_path!r}: starts with / and does not end with /")
    values = {"name": name, "base_path": base_path,
              "title": title or name.replace("_", " ").title() + " API",
              "cls": "".join(part.title() for part in name.split("_"))}
    package = root / "mock_server" / "apis" / name
    files = {
        package / "__init__.py": INIT, package / "models.py": MODELS,
        package / "handlers.py": HANDLERS, package / "auth.py": AUTH,
        package / "errors.py": ERRORS, package / "fixture_schema.yaml": FIXTURE_SCHEMA,
        root / "openapi" / f"{name}.yaml": SPEC,
        root / "tests" / name / "__init__.py": "",
        root / "tests" / name / "fixtures.yaml": FIXTURES,
        root / "tests" / name / f"test_{name}.py": TESTS,
        root / "docs" / f"{name}.md": DOC,
    }
    taken = [p for p in files if p.exists()] + ([package] if package.exists() else [])
    if taken:
        raise ValueError(f"{taken[0]} exists already")
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
    return list(files)
