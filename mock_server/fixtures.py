"""Fixture documents: the YAML/JSON a sandbox world is built from, and its state.

The same format serves three uses:
- fixture files (``fixtures/*.yaml``, ``--fixtures``, ``POST /_sandbox/fixtures``);
- state snapshots (``GET/PUT /_sandbox/state``, ``--state-file``), which are
  fixture documents listing every record explicitly, plus the sandbox's clock,
  random state and outbox, so that a round trip is lossless.

Each API contributes the JSON Schema of its own section
(``ApiDefinition.fixture_schema``); :func:`document_schema` assembles them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jsonschema import Draft7Validator

from mock_server.clock import isoformat
from mock_server.sandbox import Sandbox
from mock_server.yaml_io import load_yaml

if TYPE_CHECKING:
    from mock_server.apis.base import ApiDefinition

FIXTURE_VERSION = 1


class FixtureError(ValueError):
    """A fixture document that cannot be loaded; ``errors`` name entry and field."""

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    @classmethod
    def at(cls, where: str, detail: str) -> FixtureError:
        """The error of one entry's field, e.g. ``at("roomle.tenants[2].name", "...")``."""
        return cls(f"{where}: {detail}", [(where, detail)])


def parse_fixture_document(text: str | bytes, source: str = "<fixtures>") -> dict[str, Any]:
    """Parse YAML or JSON text into a document (schema checks come later)."""
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).replace("<unicode string>", source).split())
        raise FixtureError(f"{source}: not valid YAML/JSON: {reason}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise FixtureError(f"{source}: the document must be a mapping")
    version = doc.get("version", FIXTURE_VERSION)
    if version != FIXTURE_VERSION:
        raise FixtureError(f"{source}: version {version!r} is not supported "
                           f"(expected {FIXTURE_VERSION})",
                           [("version", f"must be {FIXTURE_VERSION}")])
    return doc


def load_fixture_file(path: Path, apis: Sequence[ApiDefinition] | None = None) -> dict[str, Any]:
    """A fixture file, parsed and checked against the document schema of ``apis``
    (all mounted APIs by default): a missing, unreadable, malformed or invalid file
    is one :class:`FixtureError` whose message starts with the file's name."""
    if apis is None:
        from mock_server.apis import all_apis

        apis = all_apis()
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read the fixture file: "
                           f"{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FixtureError(f"{path}: the fixture file is not UTF-8 text") from None
    doc = parse_fixture_document(text, str(path))
    try:
        validate_document(doc, apis)
    except FixtureError as exc:
        raise FixtureError(f"{path}: {exc}", exc.errors) from None
    return doc


def document_schema(apis: Sequence[ApiDefinition]) -> dict[str, Any]:
    """The JSON Schema (draft 7) of a fixture or state document for these APIs."""
    props: dict[str, Any] = {
        "version": {"const": FIXTURE_VERSION},
        "kind": {"enum": ["fixtures", "state"]},
        "seed": {"type": "integer"},
        "clock": {
            "type": "object", "additionalProperties": False,
            "properties": {"frozenAt": {"type": ["string", "null"], "format": "date-time"},
                           "offsetSeconds": {"type": "number"}},
        },
        "random": {"type": "array"},
        "outbox": {"type": "array", "items": {"type": "object"}},
    }
    for api in apis:
        if api.fixture_schema is not None:
            props[api.name] = api.fixture_schema
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "tenant-sandbox fixture document",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
    }


def _where(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


_fast_checks: dict[tuple[int, ...], Callable[[Any], Any] | None] = {}


def _fast_check(apis: Sequence[ApiDefinition]) -> Callable[[Any], Any] | None:
    """The document schema compiled by fastjsonschema (our format checks; formats we
    do not check pass, as in jsonschema), once per set of APIs; None if it cannot."""
    key = tuple(id(api) for api in apis)
    if key not in _fast_checks:
        import fastjsonschema

        from mock_server.validation import FORMAT_CHECKER, _formats_in

        schema = document_schema(apis)
        formats: dict[str, Any] = {name: functools.partial(FORMAT_CHECKER.conforms,
                                                           format=name)
                                   for name in FORMAT_CHECKER.checkers}
        for name in _formats_in(schema):
            formats.setdefault(name, lambda value: True)
        try:
            _fast_checks[key] = fastjsonschema.compile(schema, formats=formats)
        except Exception:  # noqa: BLE001 - no fast path then
            _fast_checks[key] = None
    return _fast_checks[key]


# Records from which the fastjsonschema check pays for its compilation (~0.1 s, once
# per process): jsonschema checks ~5,000 records a second, the compiled check ~10x more.
# The default fixtures (~40 records) are checked by jsonschema, in ~8 ms.
FAST_CHECK_RECORDS = 500


def _records(doc: dict[str, Any]) -> int:
    """How many records a document holds (the entries of each API section's lists)."""
    return sum(len(entries) for section in doc.values() if isinstance(section, dict)
               for entries in section.values() if isinstance(entries, list))


def validate_document(doc: dict[str, Any], apis: Sequence[ApiDefinition]) -> None:
    """Raise FixtureError listing every schema problem as (entry.field, message).

    A big document (``FAST_CHECK_RECORDS``) that fastjsonschema accepts is valid (a
    big generated world is checked ~10x faster); one it rejects, and every small
    document, goes through jsonschema, which names every error.
    """
    from mock_server.validation import FORMAT_CHECKER

    fast = _fast_check(apis) if _records(doc) >= FAST_CHECK_RECORDS else None
    if fast is not None:
        try:
            fast(doc)
            return
        except Exception:  # noqa: BLE001 - rejected or undecided: ask jsonschema
            pass
    validator = Draft7Validator(document_schema(apis), format_checker=FORMAT_CHECKER)
    errors: list[tuple[str, str]] = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = _where(err.absolute_path)
        if err.validator == "required":
            missing = [n for n in err.validator_value if n not in err.instance]
            errors += [(f"{where}.{n}" if err.absolute_path else n, "is required")
                       for n in missing]
        elif err.validator == "additionalProperties":
            extra = [n for n in err.instance if n not in err.schema.get("properties", {})]
            errors += [(f"{where}.{n}" if err.absolute_path else n, "is not allowed")
                       for n in extra]
        else:
            errors.append((where, err.message))
    errors = list(dict.fromkeys(errors))
    if errors:
        raise FixtureError("; ".join(f"{w}: {m}" for w, m in errors[:20]), errors)


def restore_sandbox_extras(sandbox: Sandbox, doc: dict[str, Any]) -> None:
    """Clock, random state and outbox of a state document (absent in fixture files)."""
    clock = doc.get("clock")
    if clock:
        try:
            if clock.get("frozenAt"):
                when = datetime.fromisoformat(clock["frozenAt"].replace("Z", "+00:00"))
                sandbox.clock.set(when)
            elif clock.get("offsetSeconds"):
                sandbox.clock.advance(float(clock["offsetSeconds"]))
        except OverflowError:
            where = "clock.frozenAt" if clock.get("frozenAt") else "clock.offsetSeconds"
            raise FixtureError.at(where, "is out of the clock's range (years 1 to 9999 in "
                                         "UTC)") from None
    if doc.get("random"):
        version, internal, gauss = doc["random"]
        sandbox.random.setstate((version, tuple(internal), gauss))
    for message in doc.get("outbox") or []:
        sandbox.outbox.append(dict(message))


def export_document(sandbox: Sandbox, apis: Sequence[ApiDefinition]) -> dict[str, Any]:
    """The whole sandbox as a state document that rebuilds it exactly."""
    clock = sandbox.clock
    version, internal, gauss = sandbox.random.getstate()
    doc: dict[str, Any] = {
        "version": FIXTURE_VERSION,
        "kind": "state",
        "seed": sandbox.seed,
        "clock": {"frozenAt": isoformat(clock.now()) if clock.frozen else None,
                  "offsetSeconds": clock.offset_seconds},
        "random": [version, list(internal), gauss],
        "outbox": [dict(m) for m in sandbox.outbox],
    }
    for api in apis:
        if api.dump_state is not None and api.name in sandbox.apis:
            doc[api.name] = api.dump_state(sandbox.apis[api.name])
    return doc


__all__ = ["UTC", "FixtureError", "document_schema", "export_document", "load_fixture_file",
           "parse_fixture_document", "restore_sandbox_extras", "validate_document"]
