"""Fixture documents held compressed until a sandbox is built from them."""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator, Sequence
from typing import Any


class LazyItems(Sequence[Any]):
    """A long list of a fixture document, kept compressed and decoded a chunk of items
    at a time each time it is iterated.

    A chunk of records (JSON objects) is held column by column: each member's values
    side by side (the ids together, the e-mail addresses together, a member at its
    default as a run of equal values), which zlib packs into about two thirds of the
    record-by-record text. Items that are not objects with string keys are held one
    JSON text per item. Either way an item decodes as ``json.loads(json.dumps(item))``.
    """

    CHUNK = 2048

    def __init__(self, items: list[Any]) -> None:
        self._len = len(items)
        self._chunks = [self._pack(items[i:i + self.CHUNK])
                        for i in range(0, len(items), self.CHUNK)]

    @staticmethod
    def _pack(items: list[Any]) -> bytes:
        if not all(type(i) is dict and all(type(k) is str for k in i) for i in items):
            return b"r" + zlib.compress(b"\n".join(json.dumps(i).encode() for i in items), 6)
        names: dict[str, int] = {}
        shapes: dict[tuple[int, ...], int] = {}
        shape_of = []
        for item in items:
            shape = tuple(names.setdefault(k, len(names)) for k in item)
            shape_of.append(shapes.setdefault(shape, len(shapes)))
        columns: list[list[Any]] = [[] for _ in names]
        for item in items:
            for column, value in zip((columns[names[k]] for k in item), item.values(),
                                     strict=True):
                column.append(value)
        text = json.dumps([list(names), [list(s) for s in shapes], shape_of, columns])
        return b"c" + zlib.compress(text.encode(), 6)

    @staticmethod
    def _unpack(chunk: bytes) -> Iterator[Any]:
        data = zlib.decompress(chunk[1:])
        if chunk[:1] == b"r":
            for line in io.BytesIO(data):
                yield json.loads(line)
            return
        names, shapes, shape_of, columns = json.loads(data)
        values = [iter(c) for c in columns]
        layouts = [[(names[j], values[j]) for j in shape] for shape in shapes]
        for n in shape_of:
            yield {name: next(column) for name, column in layouts[n]}

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Any]:
        for chunk in self._chunks:
            yield from self._unpack(chunk)

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]

    @property
    def nbytes(self) -> int:
        """Bytes held compressed."""
        return sum(len(c) for c in self._chunks)


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
