"""Fixture documents: the YAML/JSON files a sandbox world is built from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FIXTURE_VERSION = 1


class FixtureError(ValueError):
    """A fixture document that cannot be loaded; the message names the entry."""


def parse_fixture_document(text: str, source: str = "<fixtures>") -> dict[str, Any]:
    """Parse and sanity-check a fixture document (YAML or JSON text)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FixtureError(f"{source}: not valid YAML/JSON: {exc}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise FixtureError(f"{source}: the document must be a mapping")
    version = doc.get("version", FIXTURE_VERSION)
    if version != FIXTURE_VERSION:
        raise FixtureError(f"{source}: version {version!r} is not supported "
                           f"(expected {FIXTURE_VERSION})")
    return doc


def load_fixture_file(path: Path) -> dict[str, Any]:
    return parse_fixture_document(Path(path).read_text(encoding="utf-8"), str(path))
