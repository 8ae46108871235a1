"""YAML parsing with libyaml when PyYAML has it (several times faster than its pure
Python parser: specs and fixture files are read at every start-up), and the parse
cache for the YAML files shipped with the package."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from mock_server.config import SPEC_DIR

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What a cached parse depends on besides the file's bytes: a new PyYAML, another loader
# or another Python parses (or pickles) differently, so their entries never match.
_PARSER = f"{yaml.__version__} {_LOADER.__name__} {sys.version_info[:2]} 1".encode()


def load_yaml(text: str | bytes) -> Any:
    """``yaml.safe_load`` semantics (raises ``yaml.YAMLError`` on bad input)."""
    return yaml.load(text, Loader=_LOADER)


def cache_dir() -> Path:
    """Where the parse cache lives: ``$XDG_CACHE_HOME/tenant-sandbox`` (``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tenant-sandbox" / "yaml"


def load_data_file(path: Path) -> Any:
    """A YAML file shipped with the package (a spec, a fixture schema), parsed.

    Parsing the specs was a tenth of start-up, and they change only with the package:
    a parse is kept in the user's cache, one entry per file, and used again while the
    file's bytes (and the parser) are the same. The cache is best effort: one that is
    missing, unreadable, stale or corrupt means the file is parsed, as without it.
    """
    data = path.read_bytes()
    key = hashlib.blake2b(_PARSER + data, digest_size=20).digest()
    entry = cache_dir() / (hashlib.blake2b(str(path.resolve()).encode(),
                                           digest_size=12).hexdigest() + ".pickle")
    try:
        cached_key, doc = pickle.loads(entry.read_bytes())
        if cached_key == key:
            return doc
    except Exception:  # noqa: BLE001 - no entry, or one this process cannot read
        pass
    doc = load_yaml(data)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pickle.dumps((key, doc), protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, entry)  # whole or not at all, for concurrent starts too
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass
    return doc


@functools.cache
def spec_document(name: str) -> dict:
    """The spec ``openapi/<name>``, parsed once per process and shared by every reader
    (Connexion, the models' request schemas, coverage, drift): read it, never change
    it. Connexion copies what it keeps."""
    return load_data_file(SPEC_DIR / name)
