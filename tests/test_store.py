"""The shared store's Collection: indexes in insertion order through every change of
bucket shape (a lone id, then a dict of ids), merges before and after positions are
first needed, and copies out (the memory-saving layouts must not show)."""

from __future__ import annotations

import zlib

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


def test_shared_lists_and_dicts_are_one_object_per_value_and_keep_their_types() -> None:
    c = Collection("t", shared=("mods", "conf"))
    for n, (mods, conf) in enumerate([(["a"], {}), (["a"], {}), ([1], {"x": 1}),
                                      ([True], {"x": True}), ([1.0], {"x": 1.0})]):
        c.insert({"id": n, "mods": mods, "conf": conf})
    stored = [c.peek(n) for n in range(5)]
    assert stored[0]["mods"] is stored[1]["mods"] and stored[0]["conf"] is stored[1]["conf"]
    # equal in Python, different in JSON: never one object
    assert [type(s["mods"][0]) for s in stored[2:]] == [int, bool, float]
    assert [type(s["conf"]["x"]) for s in stored[2:]] == [int, bool, float]
    got = c.get(0)
    got["mods"].append("b")
    got["conf"]["y"] = 2
    assert c.get(1) == {"id": 1, "mods": ["a"], "conf": {}}
    c.replace({"id": 0, "mods": ["a", "b"], "conf": {}})
    assert c.get(1)["mods"] == ["a"] and c.get(0)["mods"] == ["a", "b"]


def test_a_reference_is_held_as_the_target_records_own_id() -> None:
    tenants = Collection("tenants")
    users = Collection("users", refs={"tenantId": tenants},
                       index={"tenant": lambda r: r["tenantId"]})
    tenants.insert({"id": "".join(["ten", "ant-1"]), "name": "one"})
    users.insert({"id": "u1", "tenantId": "".join(["tenant", "-1"])})
    users.insert({"id": "u2", "tenantId": "tenant-unknown"})
    assert users.peek("u1")["tenantId"] is tenants.peek("tenant-1")["id"]
    assert users.peek("u2")["tenantId"] == "tenant-unknown"
    assert users.lookup("tenant", "tenant-1") == ["u1"]
    [key] = [k for k in users._multi["tenant"][1] if k == "tenant-1"]
    assert key is tenants.peek("tenant-1")["id"]  # the index holds no copy either
    assert users.get("u1") == {"id": "u1", "tenantId": "tenant-1"}


def test_an_index_key_equal_to_a_member_is_held_as_that_member() -> None:
    c = Collection("t", unique={"code": lambda r: r["code"].upper()},
                   index={"name": lambda r: r["name"].casefold()})
    c.insert({"id": "r1", "code": "ABC", "name": "plain"})
    c.insert({"id": "r2", "code": "def", "name": "Mixed"})
    stored = c.peek("r1")
    [code_key] = [k for k in c._indexes["code"].entries if k == "ABC"]
    [name_key] = [k for k in c._multi["name"][1] if k == "plain"]
    assert code_key is stored["code"] and name_key is stored["name"]
    assert c.owner("code", "DEF") == "r2" and c.lookup("name", "mixed") == ["r2"]
    c.replace({"id": "r1", "code": "XYZ", "name": "other"})
    assert c.owner("code", "ABC") is None and c.owner("code", "XYZ") == "r1"
    assert c.lookup("name", "plain") == [] and c.lookup("name", "other") == ["r1"]


def test_a_long_list_decodes_as_its_json_text_would() -> None:
    import json

    from mock_server.documents import LazyItems

    records = [{"id": f"r{n}", "name": None if n % 3 else f"n{n}", "flag": n % 2 == 0,
                "tags": [n, {"k": n % 5}], **({"extra": 1.5} if n % 7 == 0 else {})}
               for n in range(LazyItems.CHUNK * 2 + 17)]
    records[5] = {"flag": True, "id": "r5"}  # another member order
    items = LazyItems(records)
    decoded = list(items)
    assert decoded == json.loads(json.dumps(records)) and len(items) == len(records)
    assert [list(d) for d in decoded] == [list(r) for r in records]
    assert items[5] == {"flag": True, "id": "r5"}
    row_wise = len(zlib.compress(b"\n".join(json.dumps(r).encode() for r in records), 6))
    assert items.nbytes < row_wise
    mixed = [1, "two", [3], {4: "int key"}, {"a": None}] * 500
    assert list(LazyItems(mixed)) == json.loads(json.dumps(mixed))
