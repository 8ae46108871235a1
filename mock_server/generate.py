"""``mock-server generate``: fixture documents with many realistic Faker records.

The base fixtures (default ``fixtures/default.yaml``) are built in a scratch
sandbox seeded with ``seed``, each API adds its generated records, and the
result is written as one explicit fixture document: the same seed and counts
give the same file, byte for byte.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

import yaml

from mock_server.apis import all_apis
from mock_server.config import Config
from mock_server.fixtures import FIXTURE_VERSION, validate_document
from mock_server.sandbox import Sandbox


def _progress(name: str, total: int, out: TextIO | None) -> Callable[[int], None]:
    if out is None or total < 1000:
        return lambda done: None
    last = [0.0]

    def show(done: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > 0.2:
            last[0] = now
            width = 30
            filled = width * done // total
            out.write(f"\r{name:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                out.write("\n")
            out.flush()

    return show


def generate_document(base: Mapping[str, Any], counts: Mapping[str, int], seed: int,
                      progress: TextIO | None = sys.stderr) -> dict[str, Any]:
    """A fixture document: ``base`` (a checked document, as :func:`load_fixture_file`
    returns) plus ``counts[api]`` generated records per API.

    Every record is explicit in the result (nothing left to generate), and the
    document carries the state of the id generator after generation (``random``),
    so that a sandbox built from it never hands out an id it already holds.
    """
    config = Config(seed=seed)
    sandbox = Sandbox("generate", seed)
    doc: dict[str, Any] = {"version": FIXTURE_VERSION, "seed": seed}
    for api in all_apis():
        section = dict(base.get(api.name) or {})
        count = int(counts.get(api.name, 0))
        if api.generate is not None and (count or section):
            section = api.generate(sandbox, section, config, count,
                                   _progress(api.name, count, progress))
        if section:
            doc[api.name] = section
    version, internal, gauss = sandbox.random.getstate()
    doc["random"] = [version, list(internal), gauss]
    if any(counts.values()):
        validate_document(doc, all_apis())
    return doc


def dump_yaml(doc: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True, width=100)
