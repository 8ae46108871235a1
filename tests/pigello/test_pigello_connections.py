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
                           for k in ("sub_tenant", "tenant", "stakeholder_type",
                                     "sub_tenant.id", "tenant.id")}


@pytest.mark.parametrize("field, value, ok", [
    ("stakeholder_type", 0, True), ("stakeholder_type", 3, True),
    ("stakeholder_type", -1, False), ("stakeholder_type", 4, False),
    ("category", 0, True), ("category", 9, True), ("category", None, True),
    ("category", -1, False), ("category", 10, False),
    ("custom_id", "x" * 128, True), ("custom_id", "x" * 129, False),
    ("is_active", None, False), ("stakeholder_type", "1", False),
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
    assert resp.json() == {f"{field}.id": [f'Invalid pk "{ref}" - object does not exist.']}
    assert ids(CONNECTIONS) == before


def test_a_tenant_id_is_not_a_sub_tenant(pg):
    resp = pg("POST", CONNECTIONS, json=seed_connection(sub_tenant={"id": T1}))
    assert list(resp.json()) == ["sub_tenant.id"]


@pytest.mark.parametrize("body, key", [
    ({"tenant": {"id": "not-a-uuid"}}, "tenant.id"),
    ({"tenant": {}}, "tenant.id"),
    ({"tenant": None}, "tenant"),
    ({"organization": "x"}, "organization"),
    ({"invoice_distribution_instruction": ["x"]}, "invoice_distribution_instruction[0]"),
    ({"nonsense": 1}, "nonsense"),
])
def test_schema_errors_are_keyed_by_field(pg, body, key):
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json=body)
    assert resp.status_code == 400, resp.text
    assert key in resp.json()


@pytest.mark.parametrize("field", ["id", "created_at", *READ_ONLY])
def test_read_only_fields_are_rejected(pg, field):
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json={field: None, "category": 5})
    assert resp.status_code == 400
    assert resp.json() == {field: ["This field is read-only and cannot be written."]}
    assert pg("GET", f"{CONNECTIONS}{C1}/").json()["category"] == 1


def test_patch_is_partial_and_rechecks_references(pg):
    resp = pg("PATCH", f"{CONNECTIONS}{C1}/", json={"category": None, "tenant": {"id": T3},
                                                   "organization": None})
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert got["category"] is None and got["tenant"] == {"id": T3}
    assert got["sub_tenant"] == {"id": S1} and got["custom_id"] == "C-3001"
    assert pg("PATCH", f"{CONNECTIONS}{C1}/", json={"tenant": {"id": TB}}).status_code == 400


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
    resp = pg("POST", f"{CONNECTIONS}list/", json=[
        seed_connection(custom_id="fine"),
        {"id": C1, "tenant": {"id": UNKNOWN}},
        {"tenant": {"id": T1}, "sub_tenant": {"id": S1}},
        {"id": UNKNOWN, "category": 1},
        {"id": C2, "custom_id": "C-3001"},
    ])
    assert resp.status_code == 400, resp.text
    assert resp.json() == {
        "[1].tenant.id": [f'Invalid pk "{UNKNOWN}" - object does not exist.'],
        "[2].stakeholder_type": ["This field is required."],
        "[3].id": [f'Invalid pk "{UNKNOWN}" - object does not exist.'],
        "[4].custom_id": ["Subtenanttenantconnection with this custom id already exists."],
    }
    assert client.get("/_sandbox/state").json()["pigello"] == before


def test_bulk_schema_errors_name_the_item(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[seed_connection(), {"category": 12},
                                                  {"id": "nope"}])
    assert resp.status_code == 400
    assert set(resp.json()) == {"[1].category", "[2].id"}


def test_bulk_same_object_twice_is_refused(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[{"id": C1}, {"id": C1}])
    assert resp.status_code == 400 and list(resp.json()) == ["[1].id"]


def test_bulk_duplicate_custom_ids_within_the_request(pg):
    resp = pg("POST", f"{CONNECTIONS}list/", json=[seed_connection(custom_id="dup"),
                                                  seed_connection(custom_id="dup")])
    assert resp.status_code == 400 and list(resp.json()) == ["[1].custom_id"]


@pytest.mark.parametrize("body", [{}, [], "x"])
def test_bulk_body_must_be_an_array_of_objects(pg, body):
    resp = pg("POST", f"{CONNECTIONS}list/", json=body)
    assert resp.status_code == (200 if body == [] else 400), resp.text


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
