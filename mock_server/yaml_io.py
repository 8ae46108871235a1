"""YAML parsing with libyaml when PyYAML has it (several times faster than its pure
Python parser: specs and fixture files are read at every start-up)."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str | bytes) -> Any:
    """``yaml.safe_load`` semantics (raises ``yaml.YAMLError`` on bad input)."""
    return yaml.load(text, Loader=_LOADER)
