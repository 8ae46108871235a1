"""Tenant and Subtenant: names rule, email, phone, lengths, custom_id, bulk write."""

from __future__ import annotations

import pytest

from tests.pigello.helpers import SODERPORT, SUBTENANTS, T1, T2, T3, TB, TENANTS, person

EMAIL_254 = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".se"


@pytest.mark.parametrize("path", [TENANTS, SUBTENANTS])
def test_create_get_patch(pg, path):
    resp = pg("POST", path, json=person(path, first_name="Greta", email="greta@example.se",
                                        phone_number="+46701112233", custom_id="new"))
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert got["first_name"] == "Greta" and got["last_name"] is None
    assert got["tags"] is None and got["customer_columns"] is None
    patched = pg("PATCH", f"{path}{got['id']}/", json={"last_name": "Garbo", "email": None})
    assert patched.status_code == 200, patched.text
    assert patched.json() == {**got, "last_name": "Garbo", "email": None}
    assert pg("GET", f"{path}{got['id']}/").json() == patched.json()


@pytest.mark.parametrize("path", [TENANTS, SUBTENANTS])
@pytest.mark.parametrize("body", [{}, {"first_name": ""}, {"email": "x@example.se"},
                                  {"first_name": "  ", "corporate_name": None}])
def test_a_name_is_required(pg, path, body):
    resp = pg("POST", path, json=person(path, **body))
    assert resp.status_code == 400, resp.text
    assert list(resp.json()) == ["non_field_errors"]


def test_patch_may_not_remove_the_last_name(pg):
    before = pg("GET", f"{TENANTS}{T2}/").json()
    assert before["corporate_name"] == "Bergström Café AB"
    resp = pg("PATCH", f"{TENANTS}{T2}/", json={"corporate_name": None})
    assert resp.status_code == 400
    assert pg("GET", f"{TENANTS}{T2}/").json() == before
    assert resp.json() == {
        "non_field_errors": ["At least one of first_name, last_name or corporate_name "
                             "must be given."],
        "sni_number": ["This value requires that the following fields are also set: "
                       "corporate_name"]}
    assert pg("PATCH", f"{TENANTS}{T2}/", json={"corporate_name": None, "sni_number": None,
                                                "last_name": "Bergström"}).status_code == 200


@pytest.mark.parametrize("field, value, ok", [
    ("email", EMAIL_254, True), ("email", "e" + EMAIL_254, False),
    ("email", "not-an-email", False), ("email", None, True),
    ("phone_number", "1234567", True), ("phone_number", "123456", False),
    ("phone_number", "+1" + "2" * 15, True), ("phone_number", "+2" + "2" * 15, False),
    ("phone_number", "+46 70 123", False), ("phone_number", None, True),
    ("first_name", "n" * 255, True), ("first_name", "n" * 256, False),
    ("last_name", "n" * 256, False), ("corporate_name", "n" * 256, False),
    ("custom_id", "c" * 128, True), ("custom_id", "c" * 129, False),
])
def test_field_limits_one_past_the_edge(pg, field, value, ok):
    resp = pg("POST", TENANTS, json={"last_name": "Edge", field: value})
    assert resp.status_code == (201 if ok else 400), resp.text
    if not ok:
        assert list(resp.json()) == [field]


def test_custom_id_unique_per_customer_and_entity(pg):
    resp = pg("POST", TENANTS, json={"first_name": "Dup", "custom_id": "T-1001"})
    assert resp.status_code == 400
    assert resp.json() == {"custom_id": ["Tenant with this custom id already exists."]}
    assert pg("POST", SUBTENANTS, json=person(SUBTENANTS, first_name="Ok", custom_id="T-1001")
              ).status_code == 201
    assert pg("POST", TENANTS, as_=SODERPORT, json={"first_name": "Ok",
                                                   "custom_id": "T-1002"}).status_code == 201
    before = pg("GET", f"{TENANTS}{T3}/").json()
    assert before["custom_id"] is None
    resp = pg("PATCH", f"{TENANTS}{T3}/", json={"custom_id": "T-1002"})
    assert resp.status_code == 400 and list(resp.json()) == ["custom_id"]
    assert pg("GET", f"{TENANTS}{T3}/").json() == before


def test_bulk_tenants_all_or_nothing(pg, ids):
    before = ids(TENANTS)
    resp = pg("POST", f"{TENANTS}list/", json=[{"first_name": "New"}, {"id": T1, "email": "bad"}])
    assert resp.status_code == 400
    assert resp.json() == [{}, {"email": ["Enter a valid email address."]}]
    resp = pg("POST", f"{TENANTS}list/", json=[{"first_name": "New"},
                                              {"id": T1, "first_name": None, "last_name": ""},
                                              {"id": TB, "first_name": "Foreign"}, {}])
    assert resp.status_code == 400
    names = ["At least one of first_name, last_name or corporate_name must be given."]
    assert resp.json() == [{}, {"non_field_errors": names},
                           {"id": [f'Invalid pk "{TB}" - object does not exist.']},
                           {"non_field_errors": names}]
    assert ids(TENANTS) == before
    resp = pg("POST", f"{TENANTS}list/", json=[{"first_name": "New"},
                                              {"id": T1, "custom_id": None}])
    assert resp.status_code == 200, resp.text
    assert [r["first_name"] for r in resp.json()] == ["New", "Anna"]
    assert resp.json()[1]["custom_id"] is None
    assert len(ids(TENANTS)) == len(before) + 1


def test_unused_tenant_can_be_deleted(pg):
    assert pg("DELETE", f"{TENANTS}{T3}/").status_code == 204
    assert pg("GET", f"{TENANTS}{T3}/").status_code == 404
