"""What a sandbox promises that the mutation run of mock_server/sandbox.py found unpinned
(docs/development.md, "Mutation testing"): the journal's 4 MiB bound (README, control
plane table) at its edge, ids that are UUID version 4, and Faker-made records that the
sandbox's seed decides."""

from __future__ import annotations

import random
import uuid
from typing import Any

from mock_server.testing import BizzlinkAuth

NOWHERE = "/bizzlink/nowhere"  # unrouted: the same 404 each time, no secrets in it
JOURNAL_BYTES = 4 * 1024 * 1024  # README: "a sandbox's journal at most ... 4 MiB"
QUERY_MAX = 16 * 1024  # README: each entry keeps at most 16 KiB (of the query too)


def _charged(app: Any, name: str) -> int:
    return app.runtime.store.peek(name).journal.bytes


def _call(client: Any, query_bytes: int = 0) -> None:
    """A call to NOWHERE whose query string is ``query_bytes`` long (0: none)."""
    params = {"p": "x" * (query_bytes - 2)} if query_bytes else None
    assert client.get(NOWHERE, params=params).status_code == 404


def _total(client: Any) -> int:
    resp = client.get("/_sandbox/requests", params={"limit": 1})
    assert resp.status_code == 200, resp.text
    return resp.json()["total"]


def test_the_journal_keeps_exactly_4_mib_and_drops_the_oldest_past_it(app, sandbox_id):
    twin = sandbox_id[:-1] + ("x" if sandbox_id[-1] != "x" else "y")  # same header size
    with app.test_client(headers={"X-Sandbox-Id": twin}) as c:
        _call(c)
        bare = _charged(app, twin)  # a call without a query
        _call(c, 10)
        assert _charged(app, twin) - bare == bare + 10  # the query is charged byte for byte
    full = bare + QUERY_MAX
    sizes = []
    left = JOURNAL_BYTES
    while left > full:
        sizes.append(full)
        left -= full
    if left < bare + 3:  # too little for one more call: share the last two
        left += sizes.pop()
        sizes += [left // 2, left - left // 2]
    else:
        sizes.append(left)
    assert sum(sizes) == JOURNAL_BYTES
    with app.test_client(headers={"X-Sandbox-Id": sandbox_id}) as c:
        for size in sizes:
            _call(c, size - bare)
        assert _charged(app, sandbox_id) == JOURNAL_BYTES
        assert _total(c) == len(sizes)  # exactly 4 MiB: everything kept
        first = c.get("/_sandbox/requests", params={"limit": len(sizes)}).json()["requests"]
        _call(c)  # a small call past the bound: only the oldest goes
        assert _total(c) == len(sizes)
        kept = c.get("/_sandbox/requests", params={"limit": len(sizes)}).json()["requests"]
        assert kept[0]["id"] == first[1]["id"]
        assert _charged(app, sandbox_id) == JOURNAL_BYTES - sizes[0] + bare


def test_ids_the_sandbox_draws_are_uuid4(client):
    rule = client.post("/_sandbox/faults", json={"status": 503, "api": "wallet"})
    assert rule.status_code == 201, rule.text
    ids = [rule.json()["id"]]
    register = {"tenant": {"name": "Uuid Four", "email": "four@uuid.example",
                           "phoneNumber": "030 901820", "country": {"code": "DE"}},
                "tenantAdmin": {"fullName": "Four Admin", "email": "admin@uuid.example",
                                "password": "uuid-four-secret", "keyDuration": 1,
                                "duration": "DAYS"}}
    assert client.delete("/_sandbox/faults").status_code == 204
    resp = client.post("/api/v1/tenants/register", json=register,
                       headers={"X-API-KEY": "wk_platform_admin_key"})
    assert resp.status_code == 201, resp.text
    ids += [m["id"] for m in client.get("/_sandbox/outbox").json()["messages"]]
    assert len(ids) == 3
    for value in ids:
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, value)


def test_each_id_is_the_uuid4_of_the_next_128_random_bits(app, client, sandbox_id):
    assert client.get("/api/v1/tenants", headers={"X-API-KEY": "wk_platform_admin_key"}
                      ).status_code == 200  # the sandbox now exists
    sandbox = app.runtime.store.peek(sandbox_id)
    twin = random.Random()
    twin.setstate(sandbox.random.getstate())
    for _ in range(2000):  # the same ids, from the same seed, as uuid.UUID made them
        assert sandbox.new_uuid() == str(uuid.UUID(int=twin.getrandbits(128), version=4))


SOLO = {"version": 1, "seed": 7, "bizzlink": {"accounts": [{
    "id": "11111111-1111-4111-8111-111111111111", "name": "Solo Partner", "role": "partner",
    "token": "solo-token-1", "hmacSecret": "solo-secret-1", "subscriptions": ["FLOW"],
    "generatedChildren": 3}]}}


def test_generated_records_are_the_same_in_every_sandbox_of_one_seed(app, sandbox_id):
    def generated(name: str) -> list[dict]:
        with app.test_client(headers={"X-Sandbox-Id": name}) as c:
            assert c.post("/_sandbox/fixtures", json=SOLO).status_code == 200
            resp = c.get("/bizzlink/tenants", auth=BizzlinkAuth("solo-token-1", "solo-secret-1"))
            assert resp.status_code == 200, resp.text
            return resp.json()["data"]

    def drawn(tenants: list[dict]) -> list[dict]:
        """What the seeded randomness made (the timestamps are the build's real time)."""
        return [{**t, "attributes": {k: v for k, v in t["attributes"].items()
                                     if k not in ("createdAt", "updatedAt")}} for t in tenants]

    first, second = generated(f"{sandbox_id}-a"), generated(f"{sandbox_id}-b")
    assert len(first) == 3
    assert drawn(first) == drawn(second)
