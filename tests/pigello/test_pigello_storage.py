"""What the sandbox stores compactly reads back exactly as written: a tenant's and a
sub-tenant's booleans (held as the bits of one int), members at their default (left
out), a connection's nearly-always-null members, and the filters and the state export
that read them."""

from __future__ import annotations

from tests.pigello.helpers import ALLOW, CONNECTIONS, S1, S2, SUBTENANTS, T3, TENANTS


def test_each_permission_of_a_sub_tenant_keeps_its_own_value(pg, ids, client):
    mix = {name: n % 3 == 0 for n, name in enumerate(ALLOW)}
    resp = pg("POST", SUBTENANTS, json={"first_name": "Ida", **mix,
                                        "ssn_is_coordination_number": True})
    assert resp.status_code == 201, resp.text
    made = resp.json()
    assert {k: made[k] for k in ALLOW} == mix and made["ssn_is_coordination_number"] is True
    assert made["is_active"] is True and made["anonymized"] is False
    url = f"{SUBTENANTS}{made['id']}/"
    flipped = pg("PATCH", url, json={ALLOW[1]: True, "is_active": False})
    assert flipped.status_code == 200, flipped.text
    assert flipped.json() == {**made, ALLOW[1]: True, "is_active": False}
    assert pg("GET", url).json() == flipped.json()
    assert made["id"] in ids(f"{SUBTENANTS}?{ALLOW[1]}=true&is_active=false")
    assert made["id"] not in ids(f"{SUBTENANTS}?{ALLOW[0]}=false")
    assert made["id"] in ids(f"{SUBTENANTS}?{ALLOW[2]}=false&{ALLOW[3]}=true")
    state = client.get("/_sandbox/state").json()
    [dumped] = [s for s in state["pigello"]["subtenants"] if s["id"] == made["id"]]
    assert {k: dumped[k] for k in (*ALLOW, "is_active")} == \
        {**mix, ALLOW[1]: True, "is_active": False}
    assert "_flags" not in dumped


def test_a_tenant_s_booleans_and_defaults_read_back(pg, ids):
    resp = pg("POST", TENANTS, json={"corporate_name": "Flagga AB", "is_active": False,
                                     "autogiro_disables_invoice_distribution": True})
    assert resp.status_code == 201, resp.text
    made = resp.json()
    assert made["is_active"] is False and made["autogiro_disables_invoice_distribution"]
    assert made["anonymized"] is False and made["block_notifications_for"] == []
    assert made["id"] in ids(f"{TENANTS}?is_active=false")
    assert made["id"] not in ids(f"{TENANTS}?is_active=true")
    back = pg("PATCH", f"{TENANTS}{made['id']}/", json={"is_active": True})
    assert back.json() == {**made, "is_active": True}
    assert made["id"] in ids(f"{TENANTS}?is_active=true")


def test_a_connection_s_defaults_and_moves_between_filters(pg, ids):
    resp = pg("POST", CONNECTIONS, json={"tenant": {"id": T3}, "sub_tenant": {"id": S2},
                                         "stakeholder_type": 1})
    assert resp.status_code == 201, resp.text
    made = resp.json()  # its defaults: test_pigello_connections.py
    assert made["id"] in ids(f"{CONNECTIONS}?is_active=true&stakeholder_type=1")
    assert made["id"] in ids(f"{CONNECTIONS}?category__isnull=true")
    url = f"{CONNECTIONS}{made['id']}/"
    moved = pg("PATCH", url, json={"is_active": False, "category": 3,
                                   "parent_sub_tenant": {"id": S1}})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {**made, "is_active": False, "category": 3,
                            "parent_sub_tenant": {"id": S1}}
    assert made["id"] not in ids(f"{CONNECTIONS}?is_active=true")
    assert made["id"] in ids(f"{CONNECTIONS}?is_active=false&category=3")
    assert made["id"] in ids(f"{CONNECTIONS}?parent_sub_tenant={S1}")
    back = pg("PATCH", url, json={"parent_sub_tenant": None, "is_active": True})
    assert back.json() == {**moved.json(), "parent_sub_tenant": None, "is_active": True}
    assert made["id"] not in ids(f"{CONNECTIONS}?parent_sub_tenant={S1}")
    assert made["id"] in ids(f"{CONNECTIONS}?is_active=true")
