"""Records, collections and their unique indexes: the data a sandbox holds.

A collection is not locked by itself: its sandbox's lock (mock_server/sandbox.py)
guards every read and write.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]

KeyFunc = Callable[[Record], Any]

_MISSING = object()


# Values a copy holds as they are (immutable): a container's members of these types are
# taken without a call per member, which is most of what copying a record costs.
_ATOMS = frozenset({str, int, float, bool, type(None)})
_NON_STR_ATOMS = _ATOMS - {str}


def clone(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): several times faster than
    ``copy.deepcopy``, which matters because every read hands out copies."""
    kind = type(value)
    if kind is dict or (kind not in _ATOMS and isinstance(value, dict)):
        return {k: v if type(v) in _ATOMS else clone(v) for k, v in value.items()}
    if kind is list or (kind not in _ATOMS and isinstance(value, list)):
        return [v if type(v) in _ATOMS else clone(v) for v in value]
    if isinstance(value, tuple | set):
        return type(value)(clone(v) for v in value)
    return value


# Classes whose instances' __dict__ lends a key-sharing ("split") layout to stored
# records, one per shape (tuple of keys). Bounded: records of unforeseen shapes (free
# form members a client sends) are stored as ordinary dicts. 8,192 classes cost at
# most ~8 MB. An API that leaves members out of a record should keep the key sets few
# (Pigello packs its booleans into one member): a key set per record costs a class
# per record, and past the bound the layout is lost (docs/performance.md, item 31).
_SHAPES: dict[tuple[str, ...], type] = {}
_MAX_SHAPES = 8192
_MAX_SHARED_KEYS = 30


def compact(value: Any, pool: StringPool | None = None) -> Any:
    """A deep copy like :func:`clone` whose dicts take about a third of the memory.

    CPython lets the ``__dict__`` of instances of one class share a single table of
    keys; each dict then holds only its values. A stored record, and each dict inside
    it, is built as such a dict (one class per shape). The result is an ordinary
    ``dict`` to every reader; writing a new key into it only turns it back into the
    usual layout. 100,000 records of a dozen members take ~30 MB less each way.
    With a ``pool``, string values equal to one the pool holds become that one object.
    """
    kind = type(value)
    if kind is str:
        return pool.get(value) if pool is not None else value
    if kind in _NON_STR_ATOMS:
        return value
    if isinstance(value, dict):
        out: dict[Any, Any] | None = None
        if 2 < len(value) <= _MAX_SHARED_KEYS:
            shape = tuple(value)
            cls = _SHAPES.get(shape)
            if cls is None and len(_SHAPES) < _MAX_SHAPES \
                    and all(type(k) is str for k in shape):
                cls = _SHAPES.setdefault(shape, type("StoredRecord", (), {}))
            if cls is not None:
                out = cls().__dict__
        if out is None:
            out = {}
        shared = pool.get if pool is not None else None
        for k, v in value.items():  # atoms inline: no call per member
            member = type(v)
            if member is str:
                out[k] = shared(v) if shared is not None else v
            elif member in _NON_STR_ATOMS:
                out[k] = v
            else:
                out[k] = compact(v, pool)
        return out
    if isinstance(value, list):
        return [v if type(v) in _NON_STR_ATOMS else compact(v, pool) for v in value]
    if isinstance(value, tuple | set):
        return type(value)(compact(v, pool) for v in value)
    return value


class StringPool:
    """Recently stored string values, so that records repeating one (a timestamp, a
    country, a parent's id, a billing model) hold one object instead of a copy each.

    Bounded: it forgets everything once it holds ``size`` strings, so values that
    never repeat cost nothing lasting; a value repeated across many records is then
    held once per round instead of once per record. Strings are immutable, so
    sharing one is invisible to every reader.
    """

    __slots__ = ("_values", "size")

    def __init__(self, size: int = 4096) -> None:
        self._values: dict[str, str] = {}
        self.size = size

    def get(self, value: str) -> str:
        values = self._values
        found = values.get(value)
        if found is not None:
            return found
        if len(values) >= self.size:
            values.clear()
        values[value] = value
        return value


class UniqueViolation(Exception):
    """Raised by a collection when a write would break one of its unique indexes."""

    def __init__(self, index: str, value: Any) -> None:
        super().__init__(f"duplicate value for {index}: {value!r}")
        self.index = index
        self.value = value


@dataclass
class UniqueIndex:
    """A unique index over a derived key; records whose key is None are not indexed."""

    name: str
    key: KeyFunc
    entries: dict[Any, Any] = field(default_factory=dict)


class Collection:
    """Records keyed by id, in insertion order, with any number of unique indexes.

    Records are stored as copies and handed out as copies, so that a caller can
    never change stored state by mutating what it got back.
    """

    def __init__(self, name: str, unique: dict[str, KeyFunc] | None = None,
                 index: dict[str, KeyFunc] | None = None, shared: tuple[str, ...] = (),
                 refs: dict[str, Collection] | None = None) -> None:
        """``shared``: members with few distinct values (a country, a customer id, a
        first name, a list of module names) whose equal values all records then hold
        as one object instead of one copy each. ``refs``: members holding the id of a
        record of another collection, stored as that record's own id string."""
        self.name = name
        self._shared = shared
        self._refs = tuple((refs or {}).items())
        self._memo: dict[Any, Any] = {}
        self._pool = StringPool()
        self._records: dict[Any, Record] = {}
        self._indexes = {n: UniqueIndex(n, k) for n, k in (unique or {}).items()}
        # A non-unique index maps a key to its bucket of ids in insertion order: the id
        # itself while only one record has that key (most keys of a per-parent index),
        # a dict of ids (as an ordered set) from the second one on.
        self._multi: dict[str, tuple[KeyFunc, dict[Any, Any]]] = {
            n: (k, {}) for n, k in (index or {}).items()}
        # Each record's place in insertion order, to merge and sort ids by; made on
        # first need (most collections never merge buckets), kept up to date after.
        self._pos: dict[Any, int] | None = None
        self._seq = 0

    def _stored(self, record: Record) -> Record:
        """A stored record never changes in place (writes replace it), so equal
        immutable-looking members can be one object shared by many records."""
        if self._refs:
            # Before the pool sees the record: an index keyed by the reference must
            # find the target's id string there, not the copy the caller sent.
            record = dict(record)
            for name, target in self._refs:
                value = record.get(name)
                if type(value) is str:
                    other = target._records.get(value)
                    if other is not None:
                        record[name] = other["id"]
        stored = compact(record, self._pool)
        for name in self._shared:
            value = stored.get(name)
            kind = type(value)
            if kind is str:
                stored[name] = sys.intern(value)
            elif kind is dict or kind is list:
                # By its repr, which tells [1], [1.0] and [True] apart (equal in Python,
                # different in JSON) and costs less than a typed tuple of the items.
                key = repr(value) if value else kind
                found = self._memo.get(key)
                if found is None:
                    if len(self._memo) >= 4096:
                        self._memo.clear()
                    self._memo[key] = value
                else:
                    stored[name] = found
        return stored

    def _shared_key(self, key: Any) -> Any:
        """An index key equal to a string the record holds (a name already in lower
        case, say) as that string instead of a copy: the record's strings have just
        been through the collection's pool."""
        return self._pool.get(key) if type(key) is str else key

    def _add_multi(self, record: Record) -> None:
        record_id = record["id"]
        for key, entries in self._multi.values():
            value = key(record)
            if value is None:
                continue
            bucket = entries.get(value, _MISSING)
            if bucket is _MISSING:
                entries[self._shared_key(value)] = record_id
            elif type(bucket) is dict:
                bucket[record_id] = None
            else:
                entries[value] = {bucket: None, record_id: None}

    @staticmethod
    def _drop_from(entries: dict[Any, Any], value: Any, record_id: Any) -> None:
        bucket = entries.get(value, _MISSING)
        if bucket is _MISSING:
            return
        if type(bucket) is dict:
            bucket.pop(record_id, None)
            if len(bucket) == 1:
                entries[value] = next(iter(bucket))
            elif not bucket:
                del entries[value]
        elif bucket == record_id:
            del entries[value]

    def _drop_multi(self, record: Record) -> None:
        for key, entries in self._multi.values():
            self._drop_from(entries, key(record), record["id"])

    def _bucket(self, index: str, value: Any) -> Any:
        """The ids with ``value`` as their ``index`` key, in insertion order."""
        bucket = self._multi[index][1].get(value, _MISSING)
        if bucket is _MISSING:
            return ()
        return bucket if type(bucket) is dict else (bucket,)

    def lookup(self, index: str, value: Any) -> list[Any]:
        """Ids whose (non-unique) ``index`` key equals ``value``."""
        return list(self._bucket(index, value))

    def page_by(self, index: str, values: Any, start: int, stop: int) -> tuple[int, list[Any]]:
        """Records whose ``index`` key is one of ``values``: how many, and the ids from
        ``start`` to ``stop`` in insertion order, without looking at the others."""
        buckets = [self._bucket(index, v) for v in set(values)]
        total = sum(len(b) for b in buckets)
        if len(buckets) == 1:
            return total, list(itertools.islice(buckets[0], start, stop))
        merged = heapq.merge(*(iter(b) for b in buckets), key=self._positions().__getitem__)
        return total, list(itertools.islice(merged, start, stop))

    def _positions(self) -> dict[Any, int]:
        """Record id -> a number that grows with insertion order (see ``_pos``)."""
        if self._pos is None:
            # _seq counts every insert, so it is at least len(_records): later
            # inserts still number above every record numbered here.
            self._pos = {record_id: n for n, record_id in enumerate(self._records)}
        return self._pos

    def count(self, index: str, value: Any) -> int:
        """How many records have ``value`` as their ``index`` key."""
        return len(self._bucket(index, value))

    def peek(self, record_id: Any) -> Record | None:
        """The stored record itself, for reading only (no copy)."""
        return self._records.get(record_id)

    def view(self, record_id: Any) -> Record:
        """The stored record of an id known to exist (one an index returned), for reading
        only (no copy); KeyError if there is none."""
        return self._records[record_id]

    def fetch(self, record_id: Any) -> Record:
        """A copy of the record of an id known to exist; KeyError if there is none."""
        return clone(self._records[record_id])

    def in_order(self, ids: Any) -> list[Any]:
        """``ids`` sorted by insertion order."""
        return sorted(ids, key=self._positions().__getitem__)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, record_id: Any) -> bool:
        return record_id in self._records

    def get(self, record_id: Any) -> Record | None:
        record = self._records.get(record_id)
        return clone(record) if record is not None else None

    def values(self) -> Iterator[Record]:
        """Stored records in insertion order (read-only views: do not mutate)."""
        return iter(self._records.values())

    def find_unique(self, index: str, value: Any) -> Record | None:
        record_id = self._indexes[index].entries.get(value)
        return self.get(record_id) if record_id is not None else None

    def owner(self, index: str, value: Any) -> Any:
        """The id holding ``value`` in a unique index, or None."""
        return self._indexes[index].entries.get(value)

    def is_taken(self, index: str, value: Any, *, ignore_id: Any = None) -> bool:
        owner = self._indexes[index].entries.get(value)
        return owner is not None and owner != ignore_id

    def _check_unique(self, record: Record, record_id: Any) -> list[tuple[UniqueIndex, Any]]:
        keys = []
        for index in self._indexes.values():
            value = index.key(record)
            if value is None:
                continue
            owner = index.entries.get(value)
            if owner is not None and owner != record_id:
                raise UniqueViolation(index.name, value)
            keys.append((index, value))
        return keys

    def insert(self, record: Record, *, copy: bool = True) -> Record:
        """Store a copy of ``record`` and return a copy of what was stored; with
        ``copy=False``, the stored record itself, for reading only (no copy)."""
        record_id = record["id"]
        if record_id in self._records:
            raise UniqueViolation("id", record_id)
        keys = self._check_unique(record, record_id)
        stored = self._stored(record)
        record_id = stored["id"]
        self._records[record_id] = stored
        for index, value in keys:
            index.entries[self._shared_key(value)] = record_id
        self._add_multi(stored)
        self._seq += 1
        if self._pos is not None:
            self._pos[record_id] = self._seq
        return clone(stored) if copy else stored

    def replace(self, record: Record) -> Record:
        """Replace a stored record by one with the same id, keeping indexes in step."""
        record_id = record["id"]
        old = self._records[record_id]
        keys = self._check_unique(record, record_id)
        for index in self._indexes.values():
            old_value = index.key(old)
            if old_value is not None and index.entries.get(old_value) == record_id:
                del index.entries[old_value]
        stored = self._stored(record)
        record_id = stored["id"]
        self._records[record_id] = stored
        for index, value in keys:
            index.entries[self._shared_key(value)] = record_id
        for key, entries in self._multi.values():
            before, after = key(old), key(stored)
            if before == after:
                continue
            self._drop_from(entries, before, record_id)
            if after is not None:
                self._add_in_order(entries, self._shared_key(after), record_id)
        return clone(stored)

    def _add_in_order(self, entries: dict[Any, Any], value: Any, record_id: Any) -> None:
        """Put an existing record into a bucket, keeping the bucket in insertion order
        (a record whose key changed is not the newest; the bucket is rebuilt then)."""
        bucket = entries.get(value, _MISSING)
        if bucket is _MISSING:
            entries[value] = record_id
            return
        if type(bucket) is not dict:
            if bucket == record_id:
                return
            bucket = entries[value] = {bucket: None}
        pos = self._positions().__getitem__
        if pos(record_id) < pos(next(reversed(bucket))):
            bucket[record_id] = None
            entries[value] = dict.fromkeys(sorted(bucket, key=pos))
        else:
            bucket[record_id] = None

    def delete(self, record_id: Any) -> Record | None:
        old = self._records.pop(record_id, None)
        if old is None:
            return None
        self._drop_multi(old)
        if self._pos is not None:
            self._pos.pop(record_id, None)
        for index in self._indexes.values():
            value = index.key(old)
            if value is not None and index.entries.get(value) == record_id:
                del index.entries[value]
        return old

    def dump(self) -> list[Record]:
        return [clone(r) for r in self._records.values()]
