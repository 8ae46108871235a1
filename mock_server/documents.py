"""Fixture documents held compressed until a sandbox is built from them."""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator, Sequence
from typing import Any


class LazyItems(Sequence[Any]):
    """A long list of a fixture document, kept compressed with one JSON text per item
    and decoded one item at a time each time it is iterated."""

    def __init__(self, items: list[Any]) -> None:
        self._len = len(items)
        self._blob = zlib.compress(b"\n".join(json.dumps(i).encode() for i in items), 6)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Any]:
        for line in io.BytesIO(zlib.decompress(self._blob)):
            yield json.loads(line)

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]


class PackedDocument:
    """A fixture document held compressed until a sandbox is built from it.

    The long lists of an API's section (generated records) are kept apart as
    :class:`LazyItems`: a build then decodes one record at a time, so a big world never
    exists twice in memory (document and store), and what the build frees is reused
    for the next record instead of being left behind as holes in the heap.
    """

    LAZY_AT = 1000

    def __init__(self, document: dict[str, Any]) -> None:
        skeleton: dict[str, Any] = {}
        self._lists: dict[tuple[str, str], LazyItems] = {}
        for key, value in document.items():
            if isinstance(value, dict):
                value = dict(value)
                for name, items in value.items():
                    if isinstance(items, list) and len(items) >= self.LAZY_AT:
                        self._lists[key, name] = LazyItems(items)
                        value[name] = None
            skeleton[key] = value
        self._skeleton = zlib.compress(json.dumps(skeleton).encode(), 1)

    def open(self) -> dict[str, Any]:
        """The document, with its long lists as :class:`LazyItems`."""
        document = json.loads(zlib.decompress(self._skeleton))
        for (key, name), items in self._lists.items():
            document[key][name] = items
        return document
