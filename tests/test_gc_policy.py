"""The serving process's GC hook: survivors of every collection are frozen; a rescan
(everything unfrozen and collected, so cyclic garbage among them is freed) is due every
``rescan`` seconds and runs only once the server has been idle for ``quiet`` seconds,
or ``patience`` seconds late under load that never pauses."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import pytest

from mock_server.runtime import FreezeSurvivors


@pytest.fixture
def hook():
    added = []

    def add(rescan: float, **options: float) -> FreezeSurvivors:
        h = FreezeSurvivors(rescan, **options)
        gc.callbacks.append(h)
        added.append(h)
        return h

    yield add
    for h in added:
        gc.callbacks.remove(h)
    gc.unfreeze()


class Node:
    pass


def _frozen_cycle() -> weakref.ref:
    """A cycle that survives a full collection (and is frozen by it), then is dropped."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    gc.collect()
    assert gc.get_freeze_count() > 0
    alive = weakref.ref(a)
    del a, b
    gc.collect()
    assert alive() is not None, "a frozen cycle is not collected"
    return alive


@pytest.mark.parametrize("generation", [0, 1, 2])
def test_every_collection_freezes_its_survivors(hook, generation):
    gc.unfreeze()
    hook(rescan=3600)
    keep = [[i] for i in range(1000)]
    gc.collect(generation)
    assert gc.get_freeze_count() >= len(keep)
    assert all(gc.is_tracked(x) for x in keep[:3])
    gc.collect(0)
    assert gc.get_freeze_count() >= len(keep), "later collections leave them frozen"


def test_a_cycle_dropped_before_any_collection_is_still_collected(hook):
    gc.unfreeze()
    hook(rescan=3600)
    gc.collect()  # everything older is frozen now
    a, b = Node(), Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    del a, b
    gc.collect(0)
    assert alive() is None, "young cyclic garbage is freed by a young collection"


def test_a_due_rescan_on_an_idle_server_collects_frozen_cycles(hook):
    gc.unfreeze()
    h = hook(rescan=3600)
    h.idle_for = lambda: 5.0
    alive = _frozen_cycle()
    assert not h.maybe_rescan(), "not due yet"
    assert alive() is not None
    h.rescan = 0
    assert h.maybe_rescan()
    assert alive() is None
    assert gc.get_freeze_count() > 0, "the survivors of the rescan are frozen again"
    h.rescan = 3600
    assert not h.maybe_rescan(), "the next one is due a rescan period later"


def test_a_busy_server_gets_its_rescan_only_when_quiet_or_overdue(hook):
    gc.unfreeze()
    h = hook(rescan=0, quiet=1.0, patience=3600)
    alive = _frozen_cycle()
    h.idle_for = lambda: 0.0          # a request in progress
    assert not h.maybe_rescan()
    h.idle_for = lambda: 0.5          # answered half a second ago: not quiet yet
    assert not h.maybe_rescan()
    assert alive() is not None
    h.patience = 0                    # waited as long as it may: runs under load too
    assert h.maybe_rescan()
    assert alive() is None


def test_after_a_thaw_young_collections_do_not_freeze_the_garbage_again(hook):
    """A dropped sandbox thaws the heap: the young collections that come before the
    next full one must not freeze its world again, or nothing would free it."""
    gc.unfreeze()
    h = hook(rescan=3600)
    alive = _frozen_cycle()
    h.unfreeze()
    for _ in range(3):
        gc.collect(0)
        gc.collect(1)
    assert gc.get_freeze_count() == 0, "held until a full collection"
    assert alive() is not None
    gc.collect()
    assert alive() is None, "the full collection frees the thawed garbage"
    assert gc.get_freeze_count() > 0 and not h.held, "and freezing resumes after it"


SERVING = """
import gc
from mock_server import patches
from mock_server.app import create_app
from mock_server.config import Config
from mock_server.runtime import FreezeSurvivors

config = Config(max_sandboxes=2)
config.tune_process = True
patches.apply()
runtime = create_app(config).runtime
hook = FreezeSurvivors.installed
assert gc.get_freeze_count() > 0 and not hook.held
for name in ("a", "b", "c"):
    runtime.store.get(name)
assert hook.held, "a dropped sandbox thaws the heap through the hook"
gc.collect()
assert not hook.held and gc.get_freeze_count() > 0
print("ok")
"""


def test_a_serving_process_thaws_the_heap_when_a_sandbox_is_dropped():
    done = subprocess.run([sys.executable, "-c", SERVING], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_runtime_counts_requests_in_progress_and_when_the_last_ended(app, client):
    runtime = app.runtime
    assert client.get("/_sandbox/health").status_code == 200
    assert runtime.in_flight == 0
    assert 0 <= runtime.idle_for() < 5
    runtime.in_flight += 1
    try:
        assert runtime.idle_for() == 0.0
    finally:
        runtime.in_flight -= 1
