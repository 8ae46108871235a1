"""Collection behaviour the mutation run of mock_server/collection.py found unpinned
(docs/development.md, "Mutation testing"): a deleted record frees its unique keys, and a
dict that cannot take the key-sharing layout is still copied whole."""

from __future__ import annotations

from mock_server.collection import compact
from tests.roomle.helpers import BASE, DEMO, SUPER, headers


def test_a_deleted_tenant_frees_its_unique_name(client, credentials):
    sup = headers(credentials, SUPER)
    name = client.get(f"{BASE}/{DEMO}", headers=sup).json()["tenant"]["name"]
    assert client.post(BASE, json={"name": name}, headers=sup).status_code == 409
    assert client.delete(f"{BASE}/{DEMO}", headers=sup).status_code == 204
    resp = client.post(BASE, json={"name": name.upper()}, headers=sup)  # names casefold
    assert resp.status_code == 201, resp.text
    assert resp.json()["tenant"]["name"] == name.upper()


def test_a_dict_with_keys_that_are_not_strings_is_copied_as_a_plain_dict():
    original = {1: "a", 2: {"x": [1, 2]}, (3, 4): None, "s": "t"}
    copied = compact(original)
    assert copied == original and type(copied) is dict
    assert copied[2] is not original[2] and copied[2]["x"] is not original[2]["x"]
