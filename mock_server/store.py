"""In-memory state: collections with unique indexes, sandboxes, clocks, randomness.

Lock discipline: every sandbox owns one re-entrant lock. A handler that reads or
writes a sandbox runs entirely under that lock (the resolver takes it around the
handler call), so a check-then-write (uniqueness, ownership) is atomic and a
concurrent request can never observe or produce a half-applied change. The store
itself has one lock that guards only the table of sandboxes.
"""

from __future__ import annotations

import heapq
import io
import itertools
import json
import random
import sys
import threading
import uuid
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker

Record = dict[str, Any]

KeyFunc = Callable[[Record], Any]

_MISSING = object()


def clone(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): several times faster than
    ``copy.deepcopy``, which matters because every read hands out copies."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    if isinstance(value, tuple | set):
        return type(value)(clone(v) for v in value)
    return value


# Classes whose instances' __dict__ lends a key-sharing ("split") layout to stored
# records, one per shape (tuple of keys). Bounded: records of unforeseen shapes (free
# form members a client sends) are stored as ordinary dicts.
_SHAPES: dict[tuple[str, ...], type] = {}
_MAX_SHAPES = 512
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
    if type(value) is str:
        return pool.get(value) if pool is not None else value
    if isinstance(value, dict):
        if 2 < len(value) <= _MAX_SHARED_KEYS:
            shape = tuple(value)
            cls = _SHAPES.get(shape)
            if cls is None and len(_SHAPES) < _MAX_SHAPES \
                    and all(type(k) is str for k in shape):
                cls = _SHAPES.setdefault(shape, type("StoredRecord", (), {}))
            if cls is not None:
                out = cls().__dict__
                for k, v in value.items():
                    out[k] = compact(v, pool)
                return out
        return {k: compact(v, pool) for k, v in value.items()}
    if isinstance(value, list):
        return [compact(v, pool) for v in value]
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
                 index: dict[str, KeyFunc] | None = None, shared: tuple[str, ...] = ()) -> None:
        """``shared``: members with few distinct values (a country, a customer id) whose
        equal values all records then hold as one object instead of one copy each."""
        self.name = name
        self._shared = shared
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
        stored = compact(record, self._pool)
        for name in self._shared:
            value = stored.get(name)
            if type(value) is str:
                stored[name] = sys.intern(value)
            elif type(value) is dict:
                try:
                    stored[name] = self._memo.setdefault(tuple(value.items()), value)
                except TypeError:
                    pass
        return stored

    def _add_multi(self, record: Record) -> None:
        record_id = record["id"]
        for key, entries in self._multi.values():
            value = key(record)
            if value is None:
                continue
            bucket = entries.get(value, _MISSING)
            if bucket is _MISSING:
                entries[value] = record_id
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

    def insert(self, record: Record) -> Record:
        record_id = record["id"]
        if record_id in self._records:
            raise UniqueViolation("id", record_id)
        keys = self._check_unique(record, record_id)
        stored = self._stored(record)
        self._records[record_id] = stored
        for index, value in keys:
            index.entries[value] = record_id
        self._add_multi(stored)
        self._seq += 1
        if self._pos is not None:
            self._pos[record_id] = self._seq
        return clone(stored)

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
        self._records[record_id] = stored
        for index, value in keys:
            index.entries[value] = record_id
        for key, entries in self._multi.values():
            before, after = key(old), key(stored)
            if before == after:
                continue
            self._drop_from(entries, before, record_id)
            if after is not None:
                self._add_in_order(entries, after, record_id)
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


class Clock:
    """A sandbox's time: real UTC time, optionally frozen at or shifted by a fixed amount."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def set(self, when: datetime) -> None:
        self._frozen = when.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock; raises OverflowError (and changes nothing) past year 1..9999."""
        delta = timedelta(seconds=seconds)
        if self._frozen is not None:
            self._frozen = self._frozen + delta
        else:
            offset = self._offset + delta
            datetime.now(UTC) + offset + timedelta(days=366)
            self._offset = offset

    def reset(self) -> None:
        self._frozen = None
        self._offset = timedelta()

    def timestamp(self) -> float:
        return self.now().timestamp()


def isoformat(when: datetime) -> str:
    """ISO-8601 UTC with a Z suffix and millisecond precision."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


class Ring:
    """A bounded log: at most ``maxlen`` entries and ``max_bytes`` bytes (the sizes the
    caller gives); the oldest entries go first."""

    def __init__(self, maxlen: int, max_bytes: int) -> None:
        self.maxlen = max(1, maxlen)
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: deque[tuple[int, dict[str, Any]]] = deque()

    def append(self, entry: dict[str, Any], size: int) -> None:
        self._entries.append((size, entry))
        self.bytes += size
        while len(self._entries) > self.maxlen or \
                (self.bytes > self.max_bytes and len(self._entries) > 1):
            self.bytes -= self._entries.popleft()[0]

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (entry for _, entry in list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


class Sandbox:
    """One isolated world: its own collections, clock, randomness and per-API state."""

    OUTBOX_SIZE = 1000

    JOURNAL_BYTES = 4 * 1024 * 1024

    def __init__(self, name: str, seed: int, journal_size: int = 1000) -> None:
        self.name = name
        self.seed = seed
        self.lock = threading.RLock()
        self.clock = Clock()
        self.random = random.Random(seed)
        self._faker: Faker | None = None
        self.apis: dict[str, Any] = {}
        self.outbox: deque[dict[str, Any]] = deque(maxlen=self.OUTBOX_SIZE)
        self.journal = Ring(journal_size, self.JOURNAL_BYTES)
        self.faults: list[dict[str, Any]] = []
        self.fault_random = random.Random(f"faults:{seed}")
        self.version = 0  # moved by every accepted write (persistence saves what moved)

    @property
    def faker(self) -> Faker:
        """The sandbox's own Faker, seeded from the sandbox seed (built on first use)."""
        if self._faker is None:
            self._faker = Faker(["de_DE", "fr_FR", "nl_NL", "en_GB", "it_IT", "es_ES"])
            self._faker.seed_instance(self.seed)
        return self._faker

    def savepoint(self) -> tuple[Any, Any, dict[str, Any]]:
        """What a request may advance besides its data: the sandbox's randomness (ids,
        keys), its Faker's, and what each API state keeps (``savepoint()`` on the state,
        e.g. a next-id counter). See :meth:`rollback`."""
        fakers = [f.random.getstate() for f in self._faker.factories] \
            if self._faker is not None else None
        apis = {name: state.savepoint() for name, state in self.apis.items()
                if hasattr(state, "savepoint")}
        return self.random.getstate(), fakers, apis

    def rollback(self, point: tuple[Any, Any, dict[str, Any]]) -> None:
        """Back to a :meth:`savepoint`: a rejected request leaves the ids and keys that
        later requests get exactly as if it had never been sent."""
        state, fakers, apis = point
        self.random.setstate(state)
        if fakers is not None and self._faker is not None:
            for factory, faker_state in zip(self._faker.factories, fakers, strict=True):
                factory.random.setstate(faker_state)
        for name, api_point in apis.items():
            self.apis[name].rollback(api_point)

    def new_uuid(self) -> str:
        """A UUID4 drawn from the sandbox's own seeded randomness (reproducible)."""
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def now(self) -> datetime:
        return self.clock.now()

    def state(self, api: str) -> Any:
        return self.apis[api]

    def to_outbox(self, api: str, kind: str, to: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Record a message an API would send (email, webhook ...) instead of sending it.

        ``kind`` e.g. "email" or "webhook"; ``to`` the address or URL. The outbox is
        bounded (oldest dropped) and shown by ``GET /_sandbox/outbox``.
        """
        message = {"id": self.new_uuid(), "api": api, "kind": kind, "to": to,
                   "payload": clone(payload), "createdAt": isoformat(self.now())}
        self.outbox.append(message)
        return message


SandboxBuilder = Callable[[Sandbox, dict[str, Any]], None]


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


class Store:
    """All sandboxes of one server process, each built from a fixture document.

    A sandbox is built lazily on first use from the server's fixtures, or from
    the document last loaded into it (``replace(..., remember=True)``), which a
    reset then returns to. At most ``max_sandboxes`` are kept; beyond that the
    least recently used one (never ``default``) is dropped and rebuilt on next use.
    """

    DEFAULT = "default"

    def __init__(self, builder: SandboxBuilder, fixtures: dict[str, Any],
                 seed: int | None = None, max_sandboxes: int = 256,
                 journal_size: int = 1000, on_drop: Callable[[], Any] | None = None) -> None:
        self._builder = builder
        self._fixtures = PackedDocument(fixtures)
        self._seed = seed
        self._max = max(1, max_sandboxes)
        self._journal_size = journal_size
        self._on_drop = on_drop
        self._lock = threading.Lock()
        self._sandboxes: OrderedDict[str, Sandbox] = OrderedDict()
        self._documents: dict[str, dict[str, Any]] = {}

    def document(self, name: str) -> dict[str, Any]:
        """The fixture document a sandbox is (re)built from (long lists decoded lazily)."""
        document = self._documents.get(name)
        return document if document is not None else self._fixtures.open()

    def build(self, name: str, document: dict[str, Any]) -> Sandbox:
        """A new sandbox from a document, not yet in the store (raises if it cannot be built)."""
        seed = self._seed if self._seed is not None else int(document.get("seed", 1))
        sandbox = Sandbox(name, seed, self._journal_size)
        self._builder(sandbox, document)
        return sandbox

    def _put(self, sandbox: Sandbox) -> None:
        dropped = sandbox.name in self._sandboxes
        self._sandboxes[sandbox.name] = sandbox
        self._sandboxes.move_to_end(sandbox.name)
        while len(self._sandboxes) > self._max:
            victim = next((n for n in self._sandboxes if n != self.DEFAULT), None)
            if victim is None:
                break
            del self._sandboxes[victim]
            self._documents.pop(victim, None)
            dropped = True
        if dropped and self._on_drop is not None:
            # A serving process freezes its worlds out of the GC (patches.py); a dropped
            # world is cyclic garbage that only an unfrozen collection frees.
            self._on_drop()

    def get(self, name: str | None = None) -> Sandbox:
        name = name or self.DEFAULT
        with self._lock:
            sandbox = self._sandboxes.get(name)
            if sandbox is not None:
                self._sandboxes.move_to_end(name)
                return sandbox
            sandbox = self.build(name, self.document(name))
            self._put(sandbox)
            return sandbox

    def remembered(self, name: str) -> dict[str, Any] | None:
        """The document loaded into a sandbox with ``remember``, if any."""
        with self._lock:
            return self._documents.get(name)

    def peek(self, name: str) -> Sandbox | None:
        with self._lock:
            return self._sandboxes.get(name)

    def replace(self, name: str, document: dict[str, Any], *, remember: bool) -> Sandbox:
        """Build a sandbox from ``document`` and put it in place of the current one.

        Building happens first: a document that fails to build changes nothing.
        With ``remember`` a later reset returns to this document.
        """
        fresh = self.build(name, document)
        with self._lock:
            if remember:
                self._documents[name] = document
            self._put(fresh)
        return fresh

    def remember(self, name: str, document: dict[str, Any]) -> None:
        """Make ``document`` the one a reset of ``name`` returns to."""
        with self._lock:
            self._documents[name] = document

    def put(self, sandbox: Sandbox) -> None:
        """Put a sandbox made by :meth:`build` in place of the one of its name."""
        with self._lock:
            self._put(sandbox)

    def reset(self, name: str | None = None) -> Sandbox:
        """Rebuild a sandbox from its document: data, outbox, journal and faults start
        afresh; only its clock is kept."""
        name = name or self.DEFAULT
        old = self.peek(name)
        fresh = self.build(name, self.document(name))
        if old is not None:
            with old.lock:
                fresh.clock = old.clock
        with self._lock:
            self._put(fresh)
        return fresh

    def names(self) -> list[str]:
        with self._lock:
            return list(self._sandboxes)

    def sandboxes(self) -> list[Sandbox]:
        with self._lock:
            return list(self._sandboxes.values())
