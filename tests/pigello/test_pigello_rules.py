"""Pigello's rules in models.py, pinned through HTTP: defaults of a new record, what a
PATCH keeps, the 409 of a used record, fixture checks and generated data."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from mock_server.cli import main
from tests.pigello.helpers import (
    ALLOW,
    CONNECTIONS,
    CUSTOMER_A,
    CUSTOMER_B,
    NORRSKEN,
    ORG_A,
    ORG_B,
    S1,
    SUBTENANTS,
    T1,
    T2,
    T3,
    TENANTS,
    person,
)

# docs/pigello.md "Defaults": block_* arrays and realestates [], is_active true, the other
# booleans false, allows_external_personal_information_sharing null, the rest null.
PERSON_DEFAULTS = {
    "popular_name": None, "anonymization_name": None,
    "custom_dimension_category_value": None, "custom_id": None, "ssn": None,
    "ssn_is_coordination_number": False, "org_no": None, "birth_date": None, "email": None,
    "invoice_email": None, "phone_number": None, "gln13_number": None, "peppol_id": None,
    "fmi": None, "sni_number": None, "current_registered_address": None,
    "future_address": None, "previous_address": None, "organization": None,
    "profile_picture": None, "active_to": None,
    "autogiro_disables_invoice_distribution": False,
    "allows_external_personal_information_sharing": None, "anonymized": False,
    "is_active": True, "block_notifications_for": [], "block_email_notifications_for": [],
    "block_sms_notifications_for": [], "realestates": [],
    "invoice_distribution_instruction": None, "reminder_distribution_instruction": None,
    "debt_distribution_instruction": None, "send_out_distribution_instruction": None,
    "status": 0, "username": None, "mfa_has_hotp": None, "tags": None,
    "customer_columns": None, "is_company": False,
}


@pytest.mark.parametrize("path", [TENANTS, SUBTENANTS])
def test_a_new_person_has_every_documented_default(pg, path):
    resp = pg("POST", path, json=person(path, first_name="Greta"))
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert {k: got[k] for k in PERSON_DEFAULTS} == PERSON_DEFAULTS
    assert pg("GET", f"{path}{got['id']}/").json() == got


# Each member set away from its default and back: what is stored is what is answered.
FLIPS = [("is_active", False), ("anonymized", True), ("ssn_is_coordination_number", True),
         ("autogiro_disables_invoice_distribution", True),
         ("allows_external_personal_information_sharing", False),
         ("block_notifications_for", [{"kind": "sms"}]), ("popular_name", "")]


@pytest.mark.parametrize("path", [TENANTS, SUBTENANTS])
@pytest.mark.parametrize("member, changed", FLIPS, ids=[m for m, _ in FLIPS])
def test_a_member_away_from_its_default_is_kept_and_can_go_back(pg, ids, path, member,
                                                                changed):
    made = pg("POST", path, json=person(path, first_name="Greta")).json()
    default = made[member]
    resp = pg("PATCH", f"{path}{made['id']}/", json={member: changed})
    assert resp.status_code == 200, resp.text
    assert resp.json()[member] == changed
    assert pg("GET", f"{path}{made['id']}/").json()[member] == changed
    if member in ("is_active", "anonymized"):
        assert made["id"] in ids(f"{path}?{member}={str(changed).lower()}")
        assert made["id"] not in ids(f"{path}?{member}={str(default).lower()}")
    resp = pg("PATCH", f"{path}{made['id']}/", json={member: default})
    assert resp.status_code == 200, resp.text
    assert pg("GET", f"{path}{made['id']}/").json() == made


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_time_outside_utcs_years_is_drfs_overflow_400(pg, client, moment):
    before = client.get("/_sandbox/state").json()["pigello"]
    resp = pg("POST", TENANTS, json={"first_name": "A", "active_to": moment})
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"active_to": ["Datetime value out of range."]}
    assert client.get("/_sandbox/state").json()["pigello"] == before


def test_a_new_subtenant_keeps_every_allow_flag_as_sent(pg):
    body = person(SUBTENANTS, first_name="Greta", allow_notifications=True)
    got = pg("POST", SUBTENANTS, json=body).json()
    assert got["allow_notifications"] is True and got["allow_brf_access"] is False


def test_deleting_a_much_used_tenant_names_five_connections(pg):
    made = [pg("POST", CONNECTIONS, json={"tenant": {"id": T3}, "sub_tenant": {"id": S1},
                                          "stakeholder_type": 1}).json()["id"]
            for _ in range(6)]
    resp = pg("DELETE", f"{TENANTS}{T3}/")
    assert resp.status_code == 409, resp.text
    named = ", ".join(sorted(made)[:5])
    assert resp.json() == {"detail": f"Cannot delete this tenant: it is used by 6 "
                                     f"subtenanttenantconnection(s) ({named}). Delete those "
                                     f"first."}
    assert pg("GET", f"{TENANTS}{T3}/").status_code == 200


def test_a_409_for_a_subtenant_names_it_a_subtenant(pg):
    resp = pg("DELETE", f"{SUBTENANTS}{S1}/")
    assert resp.status_code == 409, resp.text
    assert resp.json()["detail"].startswith("Cannot delete this subtenant: it is used by 2 ")


def test_a_patch_keeping_its_own_custom_id_and_a_new_one_in_bulk(pg):
    resp = pg("POST", f"{TENANTS}list/", json=[{"id": T1, "custom_id": "T-1001"},
                                              {"first_name": "N", "custom_id": "T-9"}])
    assert resp.status_code == 200, resp.text
    assert [r["custom_id"] for r in resp.json()] == ["T-1001", "T-9"]
    resp = pg("POST", f"{TENANTS}list/", json=[{"id": T1, "custom_id": "T-9"}])
    assert resp.status_code == 400
    assert resp.json() == [{"custom_id": ["Tenant with this custom id already exists."]}]


def test_bulk_may_swap_two_custom_ids(pg, ids):
    resp = pg("POST", f"{TENANTS}list/", json=[{"id": T1, "custom_id": "T-1002"},
                                              {"id": T2, "custom_id": "T-1001"}])
    assert resp.status_code == 200, resp.text
    assert [r["custom_id"] for r in resp.json()] == ["T-1002", "T-1001"]
    assert ids(f"{TENANTS}?custom_id=T-1001") == [T2]
    assert ids(f"{TENANTS}?custom_id=T-1002") == [T1]
    resp = pg("POST", TENANTS, json={"first_name": "N", "custom_id": "T-1001"})
    assert resp.status_code == 400, resp.text


# --- fixtures ------------------------------------------------------------------------

CUSTOMER = {"id": CUSTOMER_A, "name": "A"}
CLIENT = {"id": "87b0b125-ec1d-4da0-a6eb-8c9ebd69fe29", "name": "C", "customer": CUSTOMER_A,
          "clientCt": "accounts.integrationuseragent", "secret": "pgl_fixture_secret",
          "applicationId": "0d464138-a623-4255-bfc1-ea36f17fd374",
          "serviceId": "5f2dd97f-1cfb-40f6-a827-688de6a16a3b",
          "serviceVersionId": "617959ce-3f1f-45a8-9e52-71007814e8a2"}
ORG = {"id": ORG_A, "name": "O", "customer": CUSTOMER_A}
TENANT = {"id": T1, "customer": CUSTOMER_A, "first_name": "A"}


def _load(client, section: dict):
    return client.post("/_sandbox/fixtures", json={"version": 1, "pigello": section})


@pytest.mark.parametrize("section, field, detail", [
    ({"customers": [CUSTOMER, {**CUSTOMER, "name": "B"}]}, "pigello.customers[1].id",
     "is used twice"),
    ({"customers": [CUSTOMER], "clients": [CLIENT, {**CLIENT, "id": CLIENT["id"].upper()}]},
     "pigello.clients[1].id", "is used twice"),
    ({"customers": [CUSTOMER], "clients": [{**CLIENT, "customer": CUSTOMER_B}]},
     "pigello.clients[0].customer", "is not a customer of this section"),
    ({"customers": [CUSTOMER], "organizations": [ORG, {**ORG, "id": ORG_A.upper()}]},
     "pigello.organizations[1].id", "is used twice"),
    ({"customers": [CUSTOMER], "organizations": [{**ORG, "customer": CUSTOMER_B}]},
     "pigello.organizations[0].customer", "is not a customer of this section"),
    ({"customers": [CUSTOMER], "tenants": [{**TENANT, "email": "nope"}]},
     "pigello.tenants[0].email", "Enter a valid email address."),
    ({"customers": [CUSTOMER], "tenants": [{**TENANT, "current_registered_address": "x"}]},
     "pigello.tenants[0].current_registered_address.id", "Must be a valid UUID."),
    ({"customers": [CUSTOMER], "tenants": [{**TENANT, "first_name": None,
                                            "sni_number": "20.520"}]},
     "pigello.tenants[0].non_field_errors",
     "At least one of first_name, last_name or corporate_name must be given."),
    ({"customers": [CUSTOMER], "tenants": [TENANT, {**TENANT, "first_name": "B"}]},
     "pigello.tenants[1].id", "is used twice"),
    ({"customers": [CUSTOMER], "tenants": [{**TENANT, "custom_id": "X"},
                                           {**TENANT, "id": T2, "custom_id": "X"}]},
     "pigello.tenants[1].custom_id", "is used twice for this customer"),
])
def test_bad_fixture_entries_are_named_with_the_rule(client, section, field, detail):
    before = client.get("/_sandbox/state").json()
    resp = _load(client, section)
    assert resp.status_code == 400, resp.text
    assert resp.json()["detail"] == f"The fixture document was not loaded: {field}: {detail}"
    assert client.get("/_sandbox/state").json() == before


def test_a_fixture_organization_and_client_load_with_their_customer(client):
    resp = _load(client, {"customers": [CUSTOMER], "clients": [CLIENT],
                          "organizations": [{**ORG, "id": ORG_A.upper()}],
                          "connections": [], "tenants": [TENANT]})
    assert resp.status_code == 200, resp.text
    [cred] = client.get("/_sandbox/credentials").json()["pigello"]
    assert cred["organizationIds"] == [ORG_A] and cred["customerId"] == CUSTOMER_A
    rows = client.get(TENANTS, headers=cred["headers"]).json()["data"]
    assert [r["id"] for r in rows] == [T1]


def test_a_fixture_subtenant_without_its_allow_members_gets_false_for_each(client):
    sub = {"id": S1, "customer": CUSTOMER_A, "first_name": "A", "allow_notifications": True}
    resp = _load(client, {"customers": [CUSTOMER], "clients": [CLIENT], "subtenants": [sub]})
    assert resp.status_code == 200, resp.text
    [cred] = client.get("/_sandbox/credentials").json()["pigello"]
    got = client.get(f"{SUBTENANTS}{S1}/", headers=cred["headers"]).json()
    assert {k: got[k] for k in ALLOW} == {**dict.fromkeys(ALLOW, False),
                                          "allow_notifications": True}
    assert client.get(f"{SUBTENANTS}?allow_brf_access=false",
                      headers=cred["headers"]).json()["meta"]["total_amount"] == 1


# --- generation ----------------------------------------------------------------------

def _generate(folder, name: str, seed: str = "3", count: str = "12") -> str:
    out = folder / name
    assert main(["generate", "--seed", seed, "--quiet", "--pigello-connections", count,
                 "-o", str(out)]) == 0
    return out.read_text()


def _fold(name: str) -> str:
    """'Åsa-Öberg' -> 'asaoberg': what the generator makes of a name in an e-mail address."""
    text = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", text) or "x"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    """The default fixtures plus 40 generated connections (seed 3), as YAML text."""
    return _generate(tmp_path_factory.mktemp("gen"), "gen.yaml", count="40")


def test_generation_is_reproducible_and_each_seed_differs(tmp_path, generated):
    assert _generate(tmp_path, "again.yaml", count="40") == generated
    assert _generate(tmp_path, "other.yaml", seed="4", count="40") != generated


def test_generated_records_follow_the_documented_shape(generated):
    section = yaml.safe_load(generated)["pigello"]
    orgs = {o["id"]: o["customer"] for o in section["organizations"]}
    customers = [c["id"] for c in section["customers"]]
    new = section["connections"][3:]
    assert len(new) == 40
    base = datetime(2026, 1, 1, tzinfo=UTC)
    tenants = {t["id"]: t for t in section["tenants"]}
    subs = {s["id"]: s for s in section["subtenants"]}
    for i, conn in enumerate(new):
        # Spread over the customers round-robin, one of the customer's organizations.
        assert conn["customer"] == customers[i % len(customers)]
        assert orgs[conn["organization"]] == conn["customer"]
        assert conn["stakeholder_type"] in range(4) and conn["category"] in (None, *range(10))
        # Created one second apart, after the section's createdAt.
        created = base + timedelta(seconds=i + 1)
        assert conn["created_at"] == created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        tenant, sub = tenants[conn["tenant"]], subs[conn["sub_tenant"]]
        for who in (tenant, sub):
            assert who["customer"] == conn["customer"]
            assert who["created_at"] == conn["created_at"]
            # A Swedish mobile number: +46 7x xxx xx xx.
            assert re.fullmatch(r"\+467\d{8}", who["phone_number"]), who["phone_number"]
            born = date.fromisoformat(who["birth_date"])
            assert who["ssn"][:8] == born.strftime("%Y%m%d")
            # The e-mail address is made of the names folded to ASCII.
            first, last = _fold(who["first_name"]), _fold(who["last_name"])
            assert who["email"] == who["invoice_email"] == f"{first}.{last}@{last}.example"
        assert tenant["corporate_name"] and tenant["org_no"] and tenant["gln13_number"]
        assert tenant["peppol_id"] == "0007:" + tenant["org_no"].replace("-", "")
        assert sub["corporate_name"] is None and sub["org_no"] is None


def test_generated_glns_carry_the_gs1_check_digit(generated):
    glns = [t["gln13_number"] for t in yaml.safe_load(generated)["pigello"]["tenants"]
            if t.get("gln13_number")]
    assert len(glns) == 1 + 40
    for gln in glns:
        digits = [int(d) for d in gln]
        total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
        assert len(digits) == 13 and digits[12] == (10 - total % 10) % 10, gln


def test_generation_without_customers_is_refused(tmp_path, capsys):
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump({"version": 1, "pigello": {"customers": []}}))
    out = tmp_path / "out.yaml"
    code = main(["generate", "--fixtures", str(base), "--quiet", "--pigello-connections", "1",
                 "-o", str(out)])
    assert code == 1
    assert "pigello: generating connections needs at least one customer" in \
        capsys.readouterr().err
    assert main(["generate", "--fixtures", str(base), "--quiet", "--pigello-connections", "0",
                 "-o", str(out)]) == 0


def test_generated_connections_list_for_their_client(client, generated):
    resp = client.post("/_sandbox/fixtures", content=generated,
                       headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    creds = client.get("/_sandbox/credentials").json()["pigello"]
    headers = next(c for c in creds if c["name"] == NORRSKEN)["headers"]
    rows = client.get(f"{CONNECTIONS}?organization={ORG_A}", headers=headers).json()["data"]
    assert len(rows) == 1 + 20
    assert all(r["organization"] == {"id": ORG_A} for r in rows)
    assert ORG_B not in str(rows)
