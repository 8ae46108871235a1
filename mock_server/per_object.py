"""One value per long-lived object, computed on first use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class PerObject(Generic[V]):
    """``build(obj)`` computed once per object and remembered.

    For what depends only on a part of a spec that lives as long as the app (a
    schema, an operation's parameter list): those are dicts and lists, which cannot
    be hashed, and equal ones may belong to different operations, so they are looked
    up by identity. The object is kept with its value, so its id cannot be reused.
    """

    def __init__(self, build: Callable[[Any], V]) -> None:
        self._build = build
        self._values: dict[int, tuple[Any, V]] = {}

    def get(self, obj: Any) -> V:
        hit = self._values.get(id(obj))
        if hit is None or hit[0] is not obj:
            hit = self._values[id(obj)] = (obj, self._build(obj))
        return hit[1]
