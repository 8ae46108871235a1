"""The fast body check (fastjsonschema) is never more lenient than jsonschema.

Request bodies are first checked by code fastjsonschema compiles from the schema;
only what it rejects goes through jsonschema, the authority that reports every
error. If the fast check ever accepted a body jsonschema rejects, an invalid body
would reach a handler. Here, for every JSON request body of every spec, bodies
near the schema (mostly valid, with wrong types, bad formats, boundary lengths,
unknown and missing members mixed in) are checked both ways.
"""

from __future__ import annotations

import copy
from typing import Any

import fastjsonschema
import pytest
from connexion.json_schema import Draft4RequestValidator, resolve_refs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from mock_server.config import SPEC_DIR
from mock_server.validation import FORMAT_CHECKER, _fast_checker, body_errors
from mock_server.yaml_io import spec_document

TRICKY = st.builds(copy.deepcopy, st.sampled_from([
    None, True, False, 0, 1, -1, 1.0, 0.5, 10 ** 20, "", " ", "x", "a" * 300, "ü" * 5,
    "\x00", "not an email", "someone@example.com", "2026-01-01T00:00:00Z", "2026-02-30",
    "not-a-uuid", "550e8400-e29b-41d4-a716-446655440000", "https://example.com/x",
    "http://", [], [None], [1, 1], {}, {"x": 1}]))
FORMATTED = {  # name: (valid values, invalid values)
    "email": (["someone@example.com", "a.b@sub.example.org"], ["no-at-sign", "a@b@c"]),
    "uuid": (["550e8400-e29b-41d4-a716-446655440000"],
             ["550E8400-E29B-41D4-A716-446655440000", "550e8400e29b41d4a716446655440000"]),
    "date-time": (["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123+02:00"],
                  ["2026-13-01T00:00:00Z", "yesterday"]),
    "date": (["2026-01-31"], ["2026-02-30", "20260131"]),
    "uri": (["https://example.com/hook", "http://x.example/p?q=1"], ["example.com", "https://"]),
}
ANY = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


def _valid(schema: Any, depth: int = 0) -> st.SearchStrategy:
    """Values that follow ``schema`` (as far as a generator easily can)."""
    if not isinstance(schema, dict) or depth > 5:
        return ANY
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return st.one_of(*(_valid(sub, depth + 1) for sub in schema[key]))
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = [k for k in schema.get("required", []) if k in props]
        return st.fixed_dictionaries(
            {k: _valid(props[k], depth + 1) for k in required},
            optional={k: _valid(v, depth + 1) for k, v in props.items() if k not in required})
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(_valid(schema.get("items", {}), depth + 1), min_size=low,
                        max_size=max(low, min(schema.get("maxItems", 3), 3)))
    if kind == "string":
        if schema.get("format") in FORMATTED:
            return st.sampled_from(FORMATTED[schema["format"]][0])
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        low = schema.get("minLength", 0)
        return st.text(min_size=low, max_size=max(low, min(schema.get("maxLength", 20), 20)))
    if kind == "integer":
        return st.integers(schema.get("minimum", -10), schema.get("maximum", 10 ** 6))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False,
                         allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    return ANY


def _spots(value: Any, depth: int = 0) -> list[tuple[Any, Any]]:
    """(container, key) of every member and item inside ``value``."""
    spots: list[tuple[Any, Any]] = []
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        spots.append((value, key))
        spots.extend(_spots(child, depth + 1))
    return spots


@st.composite
def _near(draw: Any, schema: Any) -> Any:
    """A body that follows ``schema``, then zero to three mutations: a member or item
    replaced by a tricky value or an invalid formatted string, a member dropped, an
    unknown member added."""
    body = draw(_valid(schema))
    for _ in range(draw(st.integers(0, 3))):
        spots = _spots(body)
        if not spots:
            return draw(TRICKY)
        container, key = draw(st.sampled_from(spots))
        action = draw(st.sampled_from(["tricky", "format", "drop", "unknown"]))
        if action == "tricky":
            container[key] = draw(TRICKY)
        elif action == "format":
            container[key] = draw(st.sampled_from([v for _, bad in FORMATTED.values()
                                                   for v in bad]))
        elif action == "drop" and isinstance(container, dict):
            del container[key]
        elif isinstance(container, dict):
            container["unknownMember"] = draw(TRICKY)
    return body


def _request_bodies() -> list[Any]:
    cases = []
    for path in sorted(SPEC_DIR.glob("*.yaml")):
        spec = resolve_refs(spec_document(path.name))
        for route, item in spec["paths"].items():
            for method, op in item.items():
                if not isinstance(op, dict) or "requestBody" not in op:
                    continue
                for media, content in op["requestBody"]["content"].items():
                    if media.endswith("json") and "schema" in content:
                        cases.append(pytest.param(content["schema"],
                                                  id=f"{path.stem} {method} {route} {media}"))
    return cases


@pytest.mark.parametrize("schema", _request_bodies())
def test_fast_check_accepts_only_what_jsonschema_accepts(schema):
    fast = _fast_checker(schema, FORMAT_CHECKER)
    assert fast is not None, "every request body should have a fast path"
    slow = Draft4RequestValidator(schema, format_checker=FORMAT_CHECKER)
    seen = {"accepted": 0, "rejected": 0}

    @settings(max_examples=150, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(_near(schema))
    def check(body: Any) -> None:
        try:
            fast(body)
        except fastjsonschema.JsonSchemaValueException:
            seen["rejected"] += 1
            return
        seen["accepted"] += 1
        assert slow.is_valid(body), body

    check()
    assert seen["accepted"] and seen["rejected"], seen


def test_body_errors_agree_with_jsonschema_where_the_fast_check_is_stricter():
    """``nullable`` is unknown to fastjsonschema: it rejects a null that the spec allows,
    and the body then goes through jsonschema, which accepts it."""
    schema = {"type": "object", "properties": {"x": {"type": "string", "nullable": True},
                                               "n": {"type": "integer", "enum": [1, 2]}},
              "additionalProperties": False}
    assert body_errors(schema, {"x": None}) == []
    assert {e.pointer for e in body_errors(schema, {"n": True})} == {"/n"}
    assert {e.pointer for e in body_errors(schema, {"n": 1.0})} == {"/n"}
    assert {e.pointer for e in body_errors(schema, {"y": 1})} == {"/y"}


def _parameter_schemas() -> list[Any]:
    seen: dict[str, Any] = {}
    for path in sorted(SPEC_DIR.glob("*.yaml")):
        spec = resolve_refs(spec_document(path.name))
        for item in spec["paths"].values():
            params = list(item.get("parameters", []))
            for op in item.values():
                if isinstance(op, dict):
                    params += op.get("parameters", [])
            for param in params:
                schema = param.get("schema", {})
                seen.setdefault(repr(sorted(schema.items(), key=str)), schema)
    return [pytest.param(s, id=str(i)) for i, s in enumerate(seen.values())]


@pytest.mark.parametrize("schema", _parameter_schemas())
def test_fast_parameter_check_accepts_only_what_jsonschema_accepts(schema):
    """Parameters (coerced from the query, path or headers) take the same fast path as
    bodies; every distinct parameter schema of every spec, against valid and tricky
    values."""
    fast = _fast_checker(schema, FORMAT_CHECKER)
    assert fast is not None
    slow = Draft4Validator(schema, format_checker=FORMAT_CHECKER)

    @settings(max_examples=60, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(_valid(schema) | TRICKY)
    def check(value: Any) -> None:
        try:
            fast(value)
        except fastjsonschema.JsonSchemaValueException:
            return
        assert slow.is_valid(value), value

    check()
