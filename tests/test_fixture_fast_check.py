"""validate_document's fast path (fastjsonschema) never accepts a fixture document that
jsonschema rejects: every member of a generated document of every API, replaced by
values of the wrong type, format or size, removed, or given an unknown member."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft7Validator

from mock_server import fixtures
from mock_server.apis import all_apis
from mock_server.config import Config
from mock_server.generate import generate_document
from mock_server.validation import FORMAT_CHECKER

VALUES = [None, -1, 1.5, "", "not-an-email", "2026-13-45", "ZZ", True, [], {"a": 1}, "a" * 300]


def _paths(node: Any, path: list[Any], out: list[list[Any]]) -> list[list[Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            out.append([*path, key])
            _paths(value, [*path, key], out)
    elif isinstance(node, list):
        for i, value in enumerate(node[:1]):
            out.append([*path, i])
            _paths(value, [*path, i], out)
    return out


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    base = fixtures.load_fixture_file(Config().fixtures)
    counts = {api.name: 3 for api in all_apis() if api.generate_option}
    doc = generate_document(base, counts, 1, None)
    doc.pop("random")
    return doc


def test_fast_check_is_never_more_lenient_than_jsonschema(document: dict[str, Any]) -> None:
    apis = all_apis()
    fast = fixtures._fast_check(apis)
    assert fast is not None
    slow = Draft7Validator(fixtures.document_schema(apis), format_checker=FORMAT_CHECKER)
    fast(document)
    lenient = []
    for path in _paths(document, [], []):
        for value in [*VALUES, "drop", "extra"]:
            doc = copy.deepcopy(document)
            parent = doc
            for key in path[:-1]:
                parent = parent[key]
            if value == "drop":
                if not isinstance(parent, dict):
                    continue
                del parent[path[-1]]
            elif value == "extra":
                if not isinstance(parent[path[-1]], dict):
                    continue
                parent[path[-1]]["zzUnknown"] = 1
            else:
                parent[path[-1]] = value
            try:
                fast(doc)
            except Exception:  # noqa: BLE001 - rejected: jsonschema decides
                continue
            if next(iter(slow.iter_errors(doc)), None) is not None:
                lenient.append((path, value))
    assert lenient == []


def _big(document: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    tenants = doc["wallet"]["tenants"]
    while fixtures._records(doc) < fixtures.FAST_CHECK_RECORDS:  # the schema's view only
        tenants.append(copy.deepcopy(tenants[-1]))
    return doc


def test_a_small_document_is_checked_without_compiling_the_fast_check(document, monkeypatch):
    """Compiling the fast check costs ~0.1 s, more than jsonschema spends on a document
    of fewer than FAST_CHECK_RECORDS records (the default fixtures: start-up)."""
    import fastjsonschema

    monkeypatch.setattr(fixtures, "_fast_checks", {})
    monkeypatch.setattr(fastjsonschema, "compile", lambda *a, **k: pytest.fail("compiled"))
    assert fixtures._records(document) < fixtures.FAST_CHECK_RECORDS
    fixtures.validate_document(document, all_apis())
    bad = copy.deepcopy(document)
    bad["wallet"]["tenants"][0]["zzUnknown"] = 1
    with pytest.raises(fixtures.FixtureError) as caught:
        fixtures.validate_document(bad, all_apis())
    assert caught.value.errors == [("wallet.tenants[0].zzUnknown", "is not allowed")]


def test_small_and_big_documents_get_the_same_errors(document, monkeypatch):
    import fastjsonschema

    compiled = []
    original = fastjsonschema.compile
    monkeypatch.setattr(fixtures, "_fast_checks", {})
    monkeypatch.setattr(fastjsonschema, "compile",
                        lambda *a, **k: compiled.append(1) or original(*a, **k))
    big = _big(document)
    fixtures.validate_document(big, all_apis())  # the fast path accepts it
    assert compiled == [1]
    for doc in (copy.deepcopy(document), big):
        doc["wallet"]["tenants"][0]["zzUnknown"] = 1
        doc["roomle"]["tenants"][0].pop("id")
        with pytest.raises(fixtures.FixtureError) as caught:
            fixtures.validate_document(doc, all_apis())
        assert caught.value.errors == [("roomle.tenants[0].id", "is required"),
                                       ("wallet.tenants[0].zzUnknown", "is not allowed")]
