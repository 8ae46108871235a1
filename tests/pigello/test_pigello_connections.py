"""Subtenanttenantconnection: CRUD, bulk write, rules, references, paths and errors."""

from __future__ import annotations

import pytest

from tests.pigello.helpers import (
    BASE,
    C1,
    C2,
    CONNECTIONS,
    ORG_B,
    S1,
    S2,
    SB,
    SUBTENANTS,
    T1,
    T2,
    T3,
    TB,
    TENANTS,
    UNKNOWN,
    seed_connection,
)

READ_ONLY = ("tags", "customer_columns", "pending_monitor_approval_amount")


def test_seed_create_example_succeeds(pg):
    body = seed_connection()
    resp = pg("POST", CONNECTIONS, json=body)
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert {k: got[k] for k in body} == body
    assert all(got[k] is None for k in READ_ONLY)
    assert got["created_at"].endswith("Z")
    again = pg("GET", f"{CONNECTIONS}{got['id']}/")
    assert again.status_code == 200 and again.json() == got


def test_seed_bulk_example_succeeds(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[seed_connection()])
    assert resp.status_code == 200, resp.text
    [item] = resp.json()
    assert item["tenant"] == {"id": T3} and item["stakeholder_type"] == 0


def test_minimal_create_gets_defaults(pg):
    resp = pg("POST", CONNECTIONS, json={"tenant": {"id": T3}, "sub_tenant": {"id": S1},
                                         "stakeholder_type": 3})
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert got["is_active"] is True and got["prefer_invoice_view_only"] is False
    assert got["category"] is None and got["organization"] is None
    assert got["parent_sub_tenant"] is None and got["custom_id"] is None


def test_required_fields(pg):
    resp = pg("POST", CONNECTIONS, json={})
    assert resp.status_code == 400
    assert resp.json() == {k: ["This field is required."]
                           for k in ("sub_tenant", "tenant", "stakeholder_type")}


@pytest.mark.parametrize("field, value, ok", [
    ("stakeholder_type", 0, True), ("stakeholder_type", 3, True),
    ("stakeholder_type", -1, False), ("stakeholder_type", 4, False),
    ("category", 0, True), ("category", 9, True), ("category", None, True),
    ("category", -1, False), ("category", 10, False),
    ("custom_id", "x" * 128, True), ("custom_id", "x" * 129, False),
    ("is_active", None, False), ("stakeholder_type", "1", True),
    ("stakeholder_type", 1.5, False), ("stakeholder_type", True, False),
])
def test_enum_bounds_and_length_limits(pg, field, value, ok):
    resp = pg("POST", CONNECTIONS, json=seed_connection(**{field: value}))
    assert resp.status_code == (201 if ok else 400), resp.text
    if not ok:
        assert list(resp.json()) == [field]
        assert isinstance(resp.json()[field][0], str)


@pytest.mark.parametrize("field", ["tenant", "sub_tenant", "parent_sub_tenant", "organization"])
@pytest.mark.parametrize("ref", [UNKNOWN, TB, SB, ORG_B], ids=["unknown", "foreign-tenant",
                                                               "foreign-subtenant", "foreign-org"])
def test_unknown_and_foreign_references_are_400_on_the_field(pg, ids, field, ref):
    before = ids(CONNECTIONS)
    resp = pg("POST", CONNECTIONS, json=seed_connection(**{field: {"id": ref}}))
    assert resp.status_code == 400, resp.text
    assert resp.json() == {field: {"id": [f'Invalid pk "{ref}" - object does not exist.']}}
    assert ids(CONNECTIONS) == before


def test_a_tenant_id_is_not_a_sub_tenant(pg):
    resp = pg("POST", CONNECTIONS, json=seed_connection(sub_tenant={"id": T1}))
    assert resp.json() == {"sub_tenant": {"id": [f'Invalid pk "{T1}" - object does not exist.']}}


@pytest.mark.parametrize("body, error", [
    ({"tenant": {"id": "not-a-uuid"}}, {"tenant": {"id": ["Must be a valid UUID."]}}),
    ({"tenant": {}}, {"tenant": {"id": ["This field is required."]}}),
    ({"tenant": None}, {"tenant": ["This field may not be null."]}),
    ({"organization": "x"}, {"organization": {"non_field_errors": [
        "Invalid data. Expected a dictionary, but got str."]}}),
    ({"organization": [1]}, {"organization": {"non_field_errors": [
        "Invalid data. Expected a dictionary, but got list."]}}),
    ({"invoice_distribution_instruction": ["x"]}, {"invoice_distribution_instruction": {
        "0": ['Expected a dictionary of items but got type "str".']}}),
    ({"invoice_distribution_instruction": "x"}, {"invoice_distribution_instruction": [
        'Expected a list of items but got type "str".']}),
    ({"category": 12}, {"category": ['"12" is not a valid choice.']}),
    ({"category": "2.5"}, {"category": ['"2.5" is not a valid choice.']}),
    ({"is_active": "maybe"}, {"is_active": ["Must be a valid boolean."]}),
    ({"is_active": None}, {"is_active": ["This field may not be null."]}),
    ({"custom_id": True}, {"custom_id": ["Not a valid string."]}),
    ({"custom_id": "x" * 129}, {"custom_id": [
        "Ensure this field has no more than 128 characters."]}),
    ({"custom_id": "a\x00b"}, {"custom_id": ["Null characters are not allowed."]}),
])
def test_errors_in_drf_shape_and_wording(pg, body, error):
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json=body)
    assert resp.status_code == 400, resp.text
    assert resp.json() == error
    assert pg("GET", f"{CONNECTIONS}{C1}/").json()["category"] == 1


@pytest.mark.parametrize("sent, stored", [
    ({"category": "2"}, {"category": 2}), ({"stakeholder_type": "3"}, {"stakeholder_type": 3}),
    ({"is_active": "false"}, {"is_active": False}), ({"is_active": "TRUE"}, {"is_active": True}),
    ({"is_active": 0}, {"is_active": False}), ({"prefer_invoice_view_only": "on"},
                                               {"prefer_invoice_view_only": True}),
    ({"custom_id": "  spaced  "}, {"custom_id": "spaced"}),
    ({"custom_id": 42}, {"custom_id": "42"}),
    ({"tenant": {"id": T3.upper()}}, {"tenant": {"id": T3}}),
    ({"tenant": {"id": T3.replace("-", "")}}, {"tenant": {"id": T3}}),
])
def test_values_are_coerced_as_drf_does(pg, sent, stored):
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json=sent)
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert {k: got[k] for k in stored} == stored
    assert pg("GET", f"{CONNECTIONS}{C1}/").json() == got
    assert "x-sandbox-warning" not in resp.headers


@pytest.mark.parametrize("field", ["id", "created_at", *READ_ONLY])
def test_read_only_fields_are_ignored_with_a_warning(pg, field):
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json={field: None, "category": 5})
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-sandbox-warning"] == f"ignored read-only field '{field}'"
    got = pg("GET", f"{CONNECTIONS}{C1}/").json()
    assert got["category"] == 5 and got["id"] == C1 and got["created_at"] is not None


def test_unknown_fields_are_ignored_with_a_warning_even_nested(pg):
    resp = pg("POST", CONNECTIONS, json=seed_connection(
        invoce_email="typo", tenant={"id": T3, "name": "x"}, **{"bad\nname\u20ac": 1}))
    assert resp.status_code == 201, resp.text
    assert resp.headers["x-sandbox-warning"] == (
        "ignored unknown field 'tenant.name'; ignored unknown field 'invoce_email'; "
        "ignored unknown field 'bad\\nname\\u20ac'")
    assert "invoce_email" not in resp.json()


def test_patch_is_partial_and_rechecks_references(pg):
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json={"category": None, "tenant": {"id": T3},
                                                   "organization": None})
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert got["category"] is None and got["tenant"] == {"id": T3}
    assert got["sub_tenant"] == {"id": S1} and got["custom_id"] == "C-3001"
    # another customer's tenant: refused as unknown, and C1 keeps T3
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json={"tenant": {"id": TB}})
    assert resp.status_code == 400 and list(resp.json()) == ["tenant"]
    assert pg("GET", f"{CONNECTIONS}{C1}/").json() == got


def test_custom_id_is_unique_per_customer(pg):
    resp = pg("POST", CONNECTIONS, json=seed_connection(custom_id="C-3001"))
    assert resp.status_code == 400
    assert list(resp.json()) == ["custom_id"]
    assert pg("PATCH", f"{CONNECTIONS}{C1}/", json={"custom_id": "C-3001"}).status_code == 200
    assert pg("POST", CONNECTIONS, json=seed_connection(custom_id="C-3002")).status_code == 201


def test_bulk_mixed_create_and_update(pg, ids):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[
        {"id": C1, "category": 7},
        seed_connection(custom_id="new-1"),
        {"id": C2, "custom_id": "C-3002"},
        {"tenant": {"id": T1}, "sub_tenant": {"id": S2}, "stakeholder_type": 1},
    ])
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert len(out) == 4
    assert out[0]["id"] == C1 and out[0]["category"] == 7
    assert out[2]["id"] == C2 and out[2]["custom_id"] == "C-3002"
    assert out[1]["custom_id"] == "new-1" and out[3]["stakeholder_type"] == 1
    assert len(ids(CONNECTIONS)) == 4
    assert pg("GET", f"{CONNECTIONS}{C1}/").json()["category"] == 7


def test_bulk_swap_of_custom_ids_is_allowed(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[{"id": C1, "custom_id": "X"},
                                                  {"id": C2, "custom_id": "C-3001"}])
    assert resp.status_code == 200, resp.text
    assert pg("GET", f"{CONNECTIONS}{C2}/").json()["custom_id"] == "C-3001"


def test_bulk_is_all_or_nothing_and_names_item_and_field(pg, client, ids):
    before = client.get("/_sandbox/state").json()["pigello"]
    items = [
        seed_connection(custom_id="fine"),
        {"id": C1, "tenant": {"id": UNKNOWN}},
        {"tenant": {"id": T1}, "sub_tenant": {"id": S1}},
        {"id": UNKNOWN, "category": 1},
        {"id": C2, "custom_id": "C-3001"},
    ]
    resp = pg("POST", f"{CONNECTIONS}list/", json=items)
    assert resp.status_code == 400, resp.text
    # Field errors (types, required) come first, as DRF's field validation does.
    assert resp.json() == [{}, {}, {"stakeholder_type": ["This field is required."]}, {}, {}]
    assert client.get("/_sandbox/state").json()["pigello"] == before
    items[2]["stakeholder_type"] = 1
    resp = pg("POST", f"{CONNECTIONS}list/", json=items)
    assert resp.status_code == 400, resp.text
    assert resp.json() == [
        {},
        {"tenant": {"id": [f'Invalid pk "{UNKNOWN}" - object does not exist.']}},
        {},
        {"id": [f'Invalid pk "{UNKNOWN}" - object does not exist.']},
        {"custom_id": ["Subtenanttenantconnection with this custom id already exists."]},
    ]
    assert client.get("/_sandbox/state").json()["pigello"] == before


def test_bulk_schema_errors_name_the_item(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[seed_connection(), {"category": 12},
                                                  {"id": "nope"}])
    assert resp.status_code == 400
    assert resp.json() == [{}, {"category": ['"12" is not a valid choice.'],
                                "sub_tenant": ["This field is required."],
                                "tenant": ["This field is required."],
                                "stakeholder_type": ["This field is required."]},
                           {"id": ["Must be a valid UUID."]}]


def test_bulk_same_object_twice_is_refused(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[{"id": C1}, {"id": C1}])
    assert resp.status_code == 400
    assert resp.json() == [{}, {"id": [
        "This object is already updated by another item of this request."]}]


def test_bulk_duplicate_custom_ids_within_the_request(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[seed_connection(custom_id="dup"),
                                                  seed_connection(custom_id="dup")])
    assert resp.status_code == 400
    assert resp.json() == [{}, {"custom_id": [
        "Subtenanttenantconnection with this custom id already exists."]}]


@pytest.mark.parametrize("body, error", [
    ({}, {"non_field_errors": ['Expected a list of items but got type "dict".']}),
    ("x", {"non_field_errors": ['Expected a list of items but got type "str".']}),
    (["x"], [{"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}]),
    ([{}] * 1001, {"non_field_errors": ["Ensure this field has no more than 1000 elements."]}),
    ([], None),
])
def test_bulk_body_must_be_an_array_of_objects(pg, body, error):
    resp = pg("POST", f"{CONNECTIONS}list/", json=body)
    assert resp.status_code == (200 if error is None else 400), resp.text
    assert resp.json() == (error if error is not None else [])


def test_delete_connection_then_tenant_and_subtenants(pg):
    for path in (f"{TENANTS}{T1}/", f"{SUBTENANTS}{S1}/", f"{SUBTENANTS}{S2}/"):
        resp = pg("DELETE", path)
        assert resp.status_code == 409, resp.text
        assert "subtenanttenantconnection" in resp.json()["detail"]
    assert pg("DELETE", f"{CONNECTIONS}{C1}/").status_code == 204
    assert pg("GET", f"{CONNECTIONS}{C1}/").status_code == 404
    assert pg("DELETE", f"{CONNECTIONS}{C1}/").status_code == 404
    assert pg("DELETE", f"{TENANTS}{T1}/").status_code == 204
    assert pg("DELETE", f"{SUBTENANTS}{S1}/").status_code == 409  # still C2's parent
    assert pg("DELETE", f"{CONNECTIONS}{C2}/").status_code == 204
    assert pg("DELETE", f"{SUBTENANTS}{S1}/").status_code == 204
    assert pg("GET", f"{TENANTS}{T2}/").status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", [f"{BASE}/tenant", f"{BASE}/subtenanttenantconnection/{C1}",
                                  f"{BASE}/subtenant/list"])
def test_missing_trailing_slash_redirects_like_django(pg, method, path):
    resp = pg(method, path + "?x=1", follow_redirects=False)
    assert resp.status_code == 301
    assert resp.headers["location"] == path + "/?x=1"


def test_routing_errors_are_drf_details(pg):
    assert pg("GET", f"{BASE}/nothing/").json() == {"detail": "Not found."}
    assert pg("GET", f"{CONNECTIONS}not-a-uuid/").status_code == 404
    resp = pg("PUT", f"{CONNECTIONS}{C1}/", json={})
    assert resp.status_code == 405 and list(resp.json()) == ["detail"]
    resp = pg("POST", CONNECTIONS, content=b"{", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and list(resp.json()) == ["detail"]
    resp = pg("POST", CONNECTIONS, content=b"x", headers={"Content-Type": "text/plain"})
    assert resp.status_code == 415 and list(resp.json()) == ["detail"]


def test_connections_of_other_tenants_stay_untouched(pg):
    pg("PATCH", f"{CONNECTIONS}{C2}/", json={"tenant": {"id": T1}})
    assert pg("GET", f"{CONNECTIONS}{C2}/").json()["tenant"] == {"id": T1}
    assert pg("GET", f"{CONNECTIONS}{C1}/").json()["tenant"] == {"id": T1}
    assert pg("GET", f"{TENANTS}{T2}/").status_code == 200


@pytest.mark.parametrize("content, error", [
    (b"{bad", {"detail": "JSON parse error - Expecting property name enclosed in double "
                         "quotes: line 1 column 2 (char 1)"}),
    (b'{"custom_id": NaN}', {"detail": "JSON parse error - Out of range float values are "
                                       "not JSON compliant: 'NaN'"}),
    (b"", {k: ["This field is required."] for k in ("sub_tenant", "tenant",
                                                    "stakeholder_type")}),
])
def test_bodies_as_drf_parses_them(pg, content, error):
    resp = pg("POST", CONNECTIONS, content=content, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert resp.json() == error


@pytest.mark.parametrize("method, path, status, detail", [
    ("PUT", CONNECTIONS, 405, 'Method "PUT" not allowed.'),
    ("GET", f"{CONNECTIONS}not-a-uuid/", 404, "Not found."),
    ("POST", CONNECTIONS, 415, 'Unsupported media type "text/plain" in request.'),
])
def test_errors_without_a_field_are_detail(pg, method, path, status, detail):
    resp = pg(method, path, content=b"x", headers={"Content-Type": "text/plain"})
    assert resp.status_code == status, resp.text
    assert resp.json() == {"detail": detail}
