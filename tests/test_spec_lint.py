"""A second check of every spec beside openapi-spec-validator (tests/test_specs.py): the
rules of Redocly's "recommended" set that matter for generated clients and for users,
written out here (no Node tool at test time)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from mock_server.apis import all_apis
from mock_server.config import SPEC_DIR
from mock_server.resolver import handler_for, handlers_of
from mock_server.yaml_io import load_yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
APIS = {api.name: api for api in all_apis()}
SPECS = {name: load_yaml((SPEC_DIR / api.spec).read_text(encoding="utf-8"))
         for name, api in APIS.items()}
OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")


def operations(spec: dict) -> Iterator[tuple[str, str, dict, dict]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def schemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        if "nullable" in node or "type" in node or "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schemas(value, f"{where}/{i}")


@pytest.mark.parametrize("name", SPECS)
def test_nullable_always_comes_with_a_type(name):
    """OpenAPI 3.0: ``nullable`` without ``type`` has no effect (generators drop it)."""
    bad = [where for where, node in schemas(SPECS[name])
           if node.get("nullable") is True and "type" not in node
           and not any(k in node for k in ("allOf", "oneOf", "anyOf", "$ref"))]
    assert not bad, bad


@pytest.mark.parametrize("name", SPECS)
def test_every_operation_has_an_id_a_summary_and_a_4xx(name):
    seen: set[str] = set()
    missing = []
    for path, method, _, op in operations(SPECS[name]):
        where = f"{method.upper()} {path}"
        assert op.get("operationId"), where
        assert op["operationId"] not in seen, f"{where}: duplicate operationId"
        seen.add(op["operationId"])
        assert op.get("summary") or op.get("description"), f"{where}: no summary"
        codes = [str(c) for c in op.get("responses", {})]
        if not any(c.startswith("4") for c in codes):
            missing.append(where)
    assert not missing, f"operations without any 4xx response: {missing}"


@pytest.mark.parametrize("name", SPECS)
def test_operation_ids_are_short_camel_case_unique_and_resolve_to_a_handler(name):
    """``listTenants``, not ``mock_server.apis.x.handlers.list_tenants``: what generated
    clients, Swagger UI and the journal show. The API's ``handlers`` module serves each,
    as the function named in snake_case; no spec names a router controller."""
    spec, api = SPECS[name], APIS[name]
    seen: dict[str, str] = {}
    for path, method, item, op in operations(spec):
        where = f"{method.upper()} {path}"
        op_id = op.get("operationId", "")
        assert OPERATION_ID.match(op_id), f"{where}: operationId {op_id!r}"
        assert op_id not in seen, f"{where}: operationId {op_id!r} also on {seen[op_id]}"
        seen[op_id] = where
        assert "x-openapi-router-controller" not in op and \
            "x-openapi-router-controller" not in item, where
        assert callable(handler_for(api, op_id)), where
    assert set(handlers_of(api, spec)) == set(seen)


def resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@pytest.mark.parametrize("name", SPECS)
def test_every_path_template_variable_is_declared(name):
    spec = SPECS[name]
    for path, method, item, op in operations(spec):
        params = [resolve(spec, p) for p in (*item.get("parameters", ()),
                                             *op.get("parameters", ()))]
        declared = {p.get("name") for p in params if p.get("in") == "path"}
        wanted = set(re.findall(r"{([^}]+)}", path))
        assert wanted <= declared, f"{method.upper()} {path}: {wanted - declared}"


@pytest.mark.parametrize("name", SPECS)
def test_security_is_declared_where_credentials_are_needed(name):
    spec = SPECS[name]
    assert spec.get("components", {}).get("securitySchemes"), "no security scheme"
    for path, method, _, op in operations(spec):
        security = op.get("security", spec.get("security"))
        assert security is not None, f"{method.upper()} {path}: no security requirement"
