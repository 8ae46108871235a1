"""The DRF-style body reader at its edges, as the mutation run of drf.py showed them
unpinned: a boolean is no UUID, private-use characters are not surrogates, a free-form
member may nest exactly 32 containers, and the ignored-fields warning names 20."""

from __future__ import annotations

import json

import pytest

from tests.pigello.helpers import BASE

TENANTS = f"{BASE}/tenant/"
CONNECTIONS = f"{BASE}/subtenanttenantconnection/"


def _nested(levels: int) -> object:
    value: object = "leaf"
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_reference_id_is_not_a_uuid(pg, value):
    resp = pg("POST", CONNECTIONS, json={"tenant": {"id": value}, "stakeholder_type": 1,
                                         "sub_tenant": {"id": value}})
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["tenant"] == {"id": ["Must be a valid UUID."]}
    assert body["sub_tenant"] == {"id": ["Must be a valid UUID."]}


def test_private_use_characters_are_not_surrogates(pg):
    for text in ("\ue000", "\ud7ff", "A\uf8ff"):
        resp = pg("POST", TENANTS, json={"first_name": text,
                                         "profile_picture": {"k": text}})
        assert resp.status_code == 201, resp.text
        assert resp.json()["first_name"] == text
        assert resp.json()["profile_picture"] == {"k": text}


@pytest.mark.parametrize("levels, accepted", [(31, True), (32, True), (33, False)])
def test_a_free_form_member_nests_at_most_32_containers(pg, levels, accepted):
    resp = pg("POST", TENANTS, json={"first_name": "N", "profile_picture": _nested(levels)})
    if accepted:
        assert resp.status_code == 201, resp.text
        assert resp.json()["profile_picture"] == _nested(levels)
    else:
        assert resp.status_code == 400, resp.text
        assert resp.json() == {"profile_picture": ["Nested too deeply: at most 32 levels."]}
    lists: object = "leaf"
    for _ in range(levels - 1):
        lists = [lists]
    resp = pg("POST", TENANTS, json={"first_name": "L", "profile_picture": {"l": lists}})
    assert resp.status_code == (201 if accepted else 400), resp.text


@pytest.mark.parametrize("unknown, tail", [
    (20, "ignored unknown field 'x19'"),
    (21, "ignored unknown field 'x19'; and 1 more"),
    (25, "ignored unknown field 'x19'; and 5 more")])
def test_the_warning_names_twenty_ignored_fields_and_counts_the_rest(pg, unknown, tail):
    resp = pg("POST", TENANTS, content=json.dumps(
        {"first_name": "W", **{f"x{i}": 1 for i in range(unknown)}}).encode(),
        headers={"Content-Type": "application/json"})
    assert resp.status_code == 201, resp.text
    warning = resp.headers["X-Sandbox-Warning"]
    assert warning.startswith("ignored unknown field 'x0'; ")
    assert warning.endswith(tail)
    assert warning.count("ignored unknown field") == 20


@pytest.mark.parametrize("value", ["12345678901234", "ABCDEFGHIJKLM", "123456789012a"])
def test_a_gln_that_is_not_thirteen_digits_is_refused(pg, value):
    resp = pg("POST", TENANTS, json={"first_name": "G", "gln13_number": value})
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"gln13_number": [
        "Enter a valid GLN: 13 digits with a valid GS1 check digit."]}


@pytest.mark.parametrize("value, read", [(1, True), (0, False), (1.0, True), (5, None),
                                         (-1, None), (0.5, None)])
def test_a_number_is_a_boolean_only_as_one_or_zero(pg, value, read):
    resp = pg("POST", TENANTS, json={"first_name": "B", "is_active": value})
    if read is None:
        assert resp.status_code == 400, resp.text
        assert resp.json() == {"is_active": ["Must be a valid boolean."]}
    else:
        assert resp.status_code == 201, resp.text
        assert resp.json()["is_active"] is read


def test_a_null_body_is_drfs_no_data_provided(pg):
    resp = pg("POST", TENANTS, content=b"null", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"non_field_errors": ["No data provided"]}
