"""The shared store's Collection: indexes in insertion order through every change of
bucket shape (a lone id, then a dict of ids), merges before and after positions are
first needed, and copies out (the memory-saving layouts must not show)."""

from __future__ import annotations

from mock_server.collection import Collection, StringPool


def _collection() -> Collection:
    return Collection("t", unique={"code": lambda r: r["code"].upper()},
                      index={"group": lambda r: r["group"]}, shared=("group",))


def test_buckets_keep_insertion_order_through_inserts_moves_and_deletes() -> None:
    c = _collection()
    for n, group in enumerate("abab"):
        c.insert({"id": f"r{n}", "code": f"c{n}", "group": group})
    assert c.lookup("group", "a") == ["r0", "r2"]
    assert c.page_by("group", ["a", "b"], 0, 10) == (4, ["r0", "r1", "r2", "r3"])
    c.delete("r2")
    assert c.lookup("group", "a") == ["r0"] and c.count("group", "a") == 1
    # r3 moves to "a": it is older than nothing there but r0, so it goes after it;
    # r1 moves to "a" too and lands between them (insertion order, not move order)
    c.replace({"id": "r3", "code": "c3", "group": "a"})
    c.replace({"id": "r1", "code": "c1", "group": "a"})
    assert c.lookup("group", "a") == ["r0", "r1", "r3"]
    assert c.lookup("group", "b") == [] and c.count("group", "b") == 0
    c.insert({"id": "r4", "code": "c4", "group": "b"})
    c.replace({"id": "r4", "code": "c4", "group": "a"})
    assert c.page_by("group", ["a"], 1, 3) == (4, ["r1", "r3"])
    assert c.in_order(["r4", "r0", "r3"]) == ["r0", "r3", "r4"]
    c.delete("r0")
    c.insert({"id": "r5", "code": "c5", "group": "b"})
    assert c.page_by("group", ["a", "b"], 0, 10) == (4, ["r1", "r3", "r4", "r5"])
    assert [r["id"] for r in c.values()] == ["r1", "r3", "r4", "r5"]


def test_positions_made_late_still_order_later_inserts() -> None:
    c = _collection()
    for n in range(3):
        c.insert({"id": n, "code": f"c{n}", "group": "a" if n % 2 else "b"})
    c.delete(0)
    assert c.in_order([2, 1]) == [1, 2]          # positions made here
    c.insert({"id": 0, "code": "c0", "group": "a"})
    assert c.page_by("group", ["a", "b"], 0, 10) == (3, [1, 2, 0])


def test_reads_are_copies_and_equal_strings_are_stored_once() -> None:
    c = _collection()
    when = "2026-01-01T00:00:00Z"
    first = c.insert({"id": "x", "code": "x", "group": "g", "at": when,
                      "nested": {"at": "".join(when)}})
    second = c.insert({"id": "y", "code": "y", "group": "g", "at": "".join(when),
                       "nested": {"at": when, "list": ["".join(when)]}})
    stored = [c.peek("x"), c.peek("y")]
    assert stored[0]["at"] is stored[1]["at"] is stored[1]["nested"]["list"][0]
    first["nested"]["at"] = "changed"
    second["nested"]["list"].append("more")
    assert c.get("x")["nested"] == {"at": when}
    assert c.get("y") == {"id": "y", "code": "y", "group": "g", "at": when,
                          "nested": {"at": when, "list": [when]}}
    assert c.get("y") is not c.get("y")


def test_an_insert_without_copy_returns_the_stored_record_and_the_caller_keeps_its_own(
        ) -> None:
    c = _collection()
    sent = {"id": "x", "code": "x", "group": "g", "nested": {"n": 1}}
    stored = c.insert(sent, copy=False)
    assert stored is c.peek("x") and stored == sent
    sent["nested"]["n"] = 2                      # what the caller passed is still copied in
    assert c.peek("x")["nested"] == {"n": 1}
    assert c.insert({"id": "y", "code": "y", "group": "g"}) is not c.peek("y")


def test_string_pool_forgets_when_full() -> None:
    pool = StringPool(size=2)
    a = pool.get("".join("ab"))
    assert pool.get("".join("ab")) is a
    pool.get("c")
    pool.get("d")                                # full: forgets "ab" and "c"
    assert pool.get("".join("ab")) is not a
