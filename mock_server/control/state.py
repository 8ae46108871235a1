"""What the control plane keeps in each sandbox: its journal and its fault rules.

A sandbox (mock_server/sandbox.py) holds one of each; the control plane's
middlewares and handlers read and change them only through these objects, always
under the sandbox's lock.
"""

from __future__ import annotations

import fnmatch
import random
from collections import deque
from collections.abc import Iterator
from typing import Any

from mock_server.apis.base import handler_name


class Journal:
    """A sandbox's request journal, bounded: at most ``maxlen`` entries and ``max_bytes``
    bytes (the sizes the caller gives); the oldest entries go first."""

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


class FaultRules:
    """A sandbox's fault rules in the order they were added, with the seeded randomness
    that decides whether a rule with a ``probability`` fires."""

    def __init__(self, seed: int) -> None:
        self._rules: list[dict[str, Any]] = []
        self.random = random.Random(f"faults:{seed}")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)

    def add(self, rule: dict[str, Any]) -> None:
        self._rules.append(rule)

    def clear(self) -> None:
        self._rules.clear()

    def remove(self, rule_id: str) -> bool:
        """Remove the rule with this id; False when there is none."""
        kept = [r for r in self._rules if r["id"] != rule_id]
        found = len(kept) != len(self._rules)
        self._rules[:] = kept
        return found

    def pick(self, api: str, operation_id: str | None, path: str,
             method: str) -> dict[str, Any] | None:
        """The first matching rule that fires, counted as fired (call under the lock)."""
        for rule in self._rules:
            if rule.get("remaining") == 0 or not matches(rule, api, operation_id, path, method):
                continue
            if self.random.random() >= rule.get("probability", 1.0):
                continue
            if rule.get("remaining") is not None:
                rule["remaining"] -= 1
            rule["fired"] = rule.get("fired", 0) + 1
            return rule
        return None


def matches(rule: dict[str, Any], api: str, operation_id: str | None, path: str,
            method: str) -> bool:
    """Whether a fault rule applies to a call (every criterion the rule gives must hold)."""
    if rule.get("api") and rule["api"] != api:
        return False
    if rule.get("method") and rule["method"].upper() != method:
        return False
    if rule.get("path") and not fnmatch.fnmatchcase(path, rule["path"]):
        return False
    wanted = rule.get("operationId")
    return not wanted or names_operation(wanted, operation_id)


def names_operation(wanted: str, operation_id: str | None) -> bool:
    """Whether ``wanted`` (a fault rule's or a journal filter's ``operationId``) names
    the operation: its id (``createTenant``) or, as when ids were Python paths (the
    control plane's spec promised "the full operationId or its last dotted part"), its
    handler's name (``create_tenant``), alone or behind a dotted module path."""
    if not operation_id:
        return False
    return wanted == operation_id or wanted.rsplit(".", 1)[-1] == handler_name(operation_id)


