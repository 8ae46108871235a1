"""The serving process's GC hook: survivors of a full collection are frozen, and a
periodic rescan unfreezes them so cyclic garbage among them is still collected."""

from __future__ import annotations

import gc
import weakref

import pytest

from mock_server.runtime import FreezeSurvivors


@pytest.fixture
def hook():
    added = []

    def add(rescan: float) -> FreezeSurvivors:
        h = FreezeSurvivors(rescan)
        gc.callbacks.append(h)
        added.append(h)
        return h

    yield add
    for h in added:
        gc.callbacks.remove(h)
    gc.unfreeze()


def test_full_collection_freezes_survivors(hook):
    gc.unfreeze()
    hook(rescan=3600)
    keep = [[i] for i in range(1000)]
    gc.collect()
    assert gc.get_freeze_count() >= len(keep)
    gc.collect(1)
    assert gc.get_freeze_count() >= len(keep)


def test_rescan_unfreezes_and_collects_frozen_cycles(hook):
    gc.unfreeze()
    h = hook(rescan=3600)

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    gc.collect()
    assert gc.get_freeze_count() > 0
    alive = weakref.ref(a)
    del a, b
    gc.collect()
    assert alive() is not None, "a frozen cycle is not collected"
    h.rescan = 0
    gc.collect()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None

