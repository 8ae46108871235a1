"""The live state of one server: configuration, the mounted APIs and the store."""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import Scope

from mock_server.apis.base import ApiDefinition
from mock_server.config import Config
from mock_server.context import request_headers
from mock_server.errors import BadRequest
from mock_server.fixtures import FixtureError, load_fixture_file, restore_sandbox_extras
from mock_server.sandbox import Sandbox
from mock_server.store import Store

SANDBOX_HEADER = "x-sandbox-id"
SANDBOX_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
SCOPE_RUNTIME = "mock_server.runtime"
SCOPE_SANDBOX = "mock_server.sandbox"


class FreezeSurvivors:
    """A ``gc.callbacks`` hook for a serving process: after each collection, of any
    generation, the survivors (stored records, journal entries, mostly) move to the
    permanent generation, so no later collection walks them again. A request leaves
    no cyclic garbage behind (measured: none in process, a few objects per ten
    thousand requests served), yet every record it stores used to be walked by a
    young, a middle and a full collection before it was frozen: one request in a
    hundred waited 1.5-40 ms for a collection that found nothing, which was the
    sequential p99. Freezing is O(1) (a list splice).

    Frozen objects that become cyclic garbage (a dropped sandbox; a closed
    connection's protocol objects) are freed only by an unfrozen collection, which
    walks the whole heap (1.5 s with a few hundred thousand tenants). :meth:`thaw`
    unfreezes the heap (a dropped sandbox: ``on_drop`` in :class:`Runtime`) and then
    holds the next freezes until a full collection has run, so that a young
    collection in between does not freeze the garbage again; the full collection
    comes as Python's own heuristics decide, or with the rescan. Every ``rescan``
    seconds one is due, and a watcher thread runs it at
    the first moment the server has been idle for ``quiet`` seconds (no request in
    progress, none answered in that time): not in the middle of the requests of a busy
    minute. A server never idle that long gets it ``patience`` seconds late all the
    same, so that what is frozen stays bounded."""

    installed: FreezeSurvivors | None = None

    def __init__(self, rescan: float = 300.0, quiet: float = 1.0,
                 patience: float = 3600.0) -> None:
        self.rescan = rescan
        self.quiet = quiet
        self.patience = patience
        self._last_rescan = time.monotonic()
        self.idle_for: Callable[[], float] = lambda: float("inf")
        self.held = False  # thawed: freeze again only after a full collection

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop":
            return
        if info.get("generation") == 2:
            self.held = False
        if not self.held:
            gc.freeze()

    def unfreeze(self) -> None:
        """Unfreeze the heap until the next full collection has looked at it."""
        self.held = True  # first: a collection may run between these two lines
        gc.unfreeze()

    @classmethod
    def thaw(cls) -> None:
        """Unfreeze the heap, for the installed hook's next full collection to free what
        became garbage in it (a dropped sandbox's world)."""
        if cls.installed is not None:
            cls.installed.unfreeze()
        else:
            gc.unfreeze()

    def maybe_rescan(self) -> bool:
        """Unfreeze everything and collect, if a rescan is due and the server is idle (or
        the rescan is ``patience`` overdue); True if it ran."""
        waited = time.monotonic() - self._last_rescan
        if waited < self.rescan:
            return False
        if waited < self.rescan + self.patience and self.idle_for() < self.quiet:
            return False
        self._last_rescan = time.monotonic()
        self.unfreeze()
        gc.collect()  # whose end (this hook) freezes the survivors again
        return True

    def _watch(self) -> None:
        while True:
            time.sleep(min(self.quiet, 1.0))
            self.maybe_rescan()

    @classmethod
    def install(cls, rescan: float = 300.0) -> FreezeSurvivors:
        """Add the hook and its watcher thread once per process."""
        if cls.installed is None:
            hook = cls(rescan)
            gc.callbacks.append(hook)
            threading.Thread(target=hook._watch, daemon=True, name="gc-rescan").start()
            cls.installed = hook
        return cls.installed

    @classmethod
    def watch(cls, idle_for: Callable[[], float]) -> None:
        """Tell the installed hook (if any) how long the server has been idle."""
        if cls.installed is not None:
            cls.installed.idle_for = idle_for


class Runtime:
    """Everything a request needs that outlives it."""

    def __init__(self, config: Config, apis: Sequence[ApiDefinition]) -> None:
        self.config = config
        self.apis = list(apis)
        self.started_at = time.time()
        self.version = 0
        self.ready = False
        self.load_error: str | None = None
        self.loaded = threading.Event()
        self.store: Store = None  # type: ignore[assignment]  # set by load()
        self.in_flight = 0  # requests begun and not yet answered (ConnectionMiddleware)
        self.last_activity = time.monotonic()  # when the last one was answered

    def idle_for(self) -> float:
        """Seconds since the last request was answered; 0 while one is in progress."""
        return 0.0 if self.in_flight else time.monotonic() - self.last_activity

    def load(self, restore: Callable[[], Any] | None = None) -> None:
        """Read (and generate) the fixtures, build the default sandbox, run ``restore``
        (the state file), and only then become ready: no call is served from a world
        that is about to be replaced. A failure is kept in ``load_error`` and raised;
        ``loaded`` is set either way."""
        try:
            from mock_server.generate import generate_document

            try:
                fixtures = load_fixture_file(self.config.fixtures)
            except FixtureError as exc:
                # Worded as POST /_sandbox/fixtures words the same problem.
                raise FixtureError(f"The fixture document was not loaded: {exc}",
                                   exc.errors) from None
            seed = self.config.seed if self.config.seed is not None \
                else int(fixtures.get("seed", 1))
            # Generate once, here: every sandbox is then built from explicit records,
            # which makes a new X-Sandbox-Id cheap.
            fixtures = generate_document(fixtures, self.config.generate, seed, None)
            self.store = Store(self._build_sandbox, fixtures, seed=self.config.seed,
                               max_sandboxes=self.config.max_sandboxes,
                               journal_size=self.config.journal_size,
                               on_drop=FreezeSurvivors.thaw if self.config.tune_process
                               else None)
            del fixtures
            self.store.get(Store.DEFAULT)
            if restore is not None:
                restore()
        except BaseException as exc:
            self.load_error = str(exc) if isinstance(exc, FixtureError) \
                else f"{type(exc).__name__}: {exc}"
            self.loaded.set()
            raise
        if self.config.tune_process:
            from mock_server.patches import tune_after_load

            tune_after_load()
            FreezeSurvivors.watch(self.idle_for)
        self.ready = True
        self.loaded.set()

    def changed(self) -> None:
        """Note that some sandbox changed (persistence saves when this moves)."""
        self.version += 1

    def _build_sandbox(self, sandbox: Sandbox, document: dict[str, Any]) -> None:
        for api in self.apis:
            if api.build_state is not None:
                section = document.get(api.name) or {}
                sandbox.apis[api.name] = api.build_state(sandbox, section, self.config)
        restore_sandbox_extras(sandbox, document)

    @property
    def control(self) -> ApiDefinition:
        return self.apis[-1]

    def api_for(self, path: str) -> ApiDefinition:
        """The API that owns a path; unknown paths belong to the control plane."""
        for api in self.apis:
            if api.owns(path):
                return api
        return self.apis[-1]

    def sandbox_name(self, scope: Scope) -> str:
        name = request_headers(scope).get(SANDBOX_HEADER)
        if name is None or name == "":
            return Store.DEFAULT
        if not SANDBOX_NAME.fullmatch(name):
            raise BadRequest("X-Sandbox-Id must be 1-128 characters: letters, digits, . _ : -")
        return name

    def sandbox_for(self, scope: Scope) -> Sandbox:
        sandbox: Sandbox | None = scope.get(SCOPE_SANDBOX)
        if sandbox is None:
            sandbox = self.store.get(self.sandbox_name(scope))
            scope[SCOPE_SANDBOX] = sandbox
        return sandbox
