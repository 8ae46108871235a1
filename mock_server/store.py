"""The store: every sandbox of one server process, built lazily from fixtures.

The store has one lock, which guards only its table of sandboxes; each sandbox's
own lock guards its contents (mock_server/sandbox.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from mock_server.documents import PackedDocument
from mock_server.sandbox import Sandbox, SandboxBuilder


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
