"""One sandbox: an isolated world with its own data, clock, randomness and
control-plane state (outbox, journal, fault rules).

Lock discipline: every sandbox owns one re-entrant lock. A handler that reads or
writes a sandbox runs entirely under that lock (the dispatcher takes it around the
handler call), so a check-then-write (uniqueness, ownership) is atomic and a
concurrent request can never observe or produce a half-applied change.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from faker import Faker

from mock_server.clock import Clock, isoformat
from mock_server.collection import clone
from mock_server.control.state import FaultRules, Journal

# RFC 4122 version 4: the variant bits (10) and the version nibble (4), as uuid.UUID sets
# them for ``version=4``.
_UUID4_KEEP = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_UUID4_SET = (0x8000 << 48) | (4 << 76)

# The Faker providers whose methods the APIs call (names, companies, addresses, phone
# numbers; their formats only refer to each other). Faker loads every provider of every
# locale otherwise, which was a quarter of start-up; the data drawn is the same.
FAKER_PROVIDERS = ("faker.providers.person", "faker.providers.company",
                   "faker.providers.address", "faker.providers.phone_number")


def new_faker(locales: str | list[str]) -> Faker:
    """A Faker for ``locales`` with the providers the sandbox uses (unseeded)."""
    return Faker(locales, providers=list(FAKER_PROVIDERS))


class Savepoint:
    """What :meth:`Sandbox.rollback` restores: the sandbox's random state, its Faker's
    (taken on the Faker's first use after the savepoint; None if unused), and each API
    state's own point."""

    __slots__ = ("apis", "fakers", "random")

    def __init__(self, random_state: Any, apis: dict[str, Any]) -> None:
        self.random = random_state
        self.fakers: list[Any] | None = None
        self.apis = apis


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
        self._savepoint: Savepoint | None = None  # the open one (see savepoint)
        self.apis: dict[str, Any] = {}
        self.outbox: deque[dict[str, Any]] = deque(maxlen=self.OUTBOX_SIZE)
        self.journal = Journal(journal_size, self.JOURNAL_BYTES)
        self.faults = FaultRules(seed)
        self.version = 0  # moved by every accepted write (persistence saves what moved)

    @property
    def faker(self) -> Faker:
        """The sandbox's own Faker, seeded from the sandbox seed (built on first use)."""
        if self._faker is None:
            self._faker = new_faker(["de_DE", "fr_FR", "nl_NL", "en_GB", "it_IT", "es_ES"])
            self._faker.seed_instance(self.seed)
        point = self._savepoint
        if point is not None and point.fakers is None:
            point.fakers = [f.random.getstate() for f in self._faker.factories]
        return self._faker

    def savepoint(self) -> Savepoint:
        """What a request may advance besides its data: the sandbox's randomness (ids,
        keys), its Faker's, and what each API state keeps (``savepoint()`` on the state,
        e.g. a next-id counter). See :meth:`rollback`.

        The Faker's state (six generators) is taken only when a request first uses the
        Faker, which few requests do: it was a twelfth of a create's work. One
        savepoint is open at a time (the dispatcher's, under the sandbox lock)."""
        apis = {name: state.savepoint() for name, state in self.apis.items()
                if hasattr(state, "savepoint")}
        self._savepoint = point = Savepoint(self.random.getstate(), apis)
        return point

    def rollback(self, point: Savepoint) -> None:
        """Back to a :meth:`savepoint`: a rejected request leaves the ids and keys that
        later requests get exactly as if it had never been sent."""
        self.random.setstate(point.random)
        if point.fakers is not None and self._faker is not None:
            for factory, faker_state in zip(self._faker.factories, point.fakers, strict=True):
                factory.random.setstate(faker_state)
        for name, api_point in point.apis.items():
            self.apis[name].rollback(api_point)

    def new_uuid(self) -> str:
        """A UUID4 drawn from the sandbox's own seeded randomness (reproducible): what
        ``str(uuid.UUID(int=bits, version=4))`` gives, without building the object."""
        h = f"{self.random.getrandbits(128) & _UUID4_KEEP | _UUID4_SET:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

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
