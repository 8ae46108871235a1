"""Tenant and Subtenant: the provider's published members, formats and validation rules,
and DRF's messages for each (through HTTP, response validation on)."""

from __future__ import annotations

import pytest

from tests.pigello.helpers import ALLOW, ORG_A, ORG_B, SUBTENANTS, T1, T2, TENANTS, person

PERSON = {"first_name": "Greta", "last_name": "Lind"}


@pytest.mark.parametrize("path", [TENANTS, SUBTENANTS])
def test_every_published_member_is_returned_with_the_read_only_ones(pg, path):
    resp = pg("POST", path, json=person(path, **PERSON))
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert got["status"] == 0 and got["username"] is None and got["mfa_has_hotp"] is None
    assert got["is_company"] is False and got["tags"] is None
    assert got["customer_columns"] is None and got["created_at"].endswith("Z")
    assert got["block_notifications_for"] == [] and got["realestates"] == []
    assert got["ssn_is_coordination_number"] is False and got["anonymized"] is False
    assert got["invoice_distribution_instruction"] is None
    assert ("allow_my_pages_access" in got) == (path == SUBTENANTS)


def test_subtenant_needs_the_twelve_allow_booleans(pg):
    resp = pg("POST", SUBTENANTS, json={"first_name": "A"})
    assert resp.status_code == 400
    assert resp.json() == {name: ["This field is required."] for name in ALLOW}
    resp = pg("POST", SUBTENANTS, json={**dict.fromkeys(ALLOW, "yes"), "first_name": "A",
                                        "allow_brf_access": "nope"})
    assert resp.json() == {"allow_brf_access": ["Must be a valid boolean."]}
    resp = pg("POST", SUBTENANTS, json={**dict.fromkeys(ALLOW, "yes"), "first_name": "A"})
    assert resp.status_code == 201, resp.text
    assert all(resp.json()[name] is True for name in ALLOW)
    sub = resp.json()["id"]
    patched = pg("PATCH", f"{SUBTENANTS}{sub}/", json={"allow_brf_access": False})
    assert patched.status_code == 200 and patched.json()["allow_brf_access"] is False
    resp = pg("POST", f"{SUBTENANTS}list/", json=[{"first_name": "B"}, {"id": sub,
                                                                        "last_name": "C"}])
    assert resp.status_code == 400
    assert resp.json() == [{name: ["This field is required."] for name in ALLOW}, {}]


LENGTH = "Ensure this field has no more than {} characters."
SHORT = "Ensure this field has at least {} characters."
PATTERN = "This value does not match the required pattern."
LUHN = "Enter a valid number: the Luhn check digit does not match."


@pytest.mark.parametrize("field, value, error", [
    ("ssn", "198503121231", None), ("ssn", "19850312-1231", None),
    ("ssn", " 198503121231 ", None),
    ("ssn", "198503121232", [LUHN]), ("ssn", "19850312123", [SHORT.format(12)]),
    ("ssn", "19850312-12311", [LENGTH.format(13)]), ("ssn", "", ["This field may not be blank."]),
    ("org_no", "556677-8899", None), ("org_no", "5566778899", None),
    ("org_no", "5566778898", [LUHN]), ("org_no", "556677889", [SHORT.format(10)]),
    ("gln13_number", "7359991000005", None),
    ("gln13_number", "7359991000006", ["Enter a valid GLN: 13 digits with a valid GS1 check "
                                       "digit."]),
    ("peppol_id", "0007:5566778899", None), ("peppol_id", "0088:1234567890123", None),
    ("peppol_id", "0009:5566778899", [PATTERN]),
    ("peppol_id", "0007:12345678901234", [PATTERN, LENGTH.format(18)]),
    ("phone_number", "+46701234567", None), ("phone_number", "070-123", [PATTERN]),
    ("fmi", "1" * 17, None), ("fmi", "1" * 16, [SHORT.format(17)]),
    ("fmi", "1" * 21, [LENGTH.format(20)]),
    ("invoice_email", "faktura@example.se", None),
    ("invoice_email", "faktura", ["Enter a valid email address."]),
    ("invoice_email", "a" * 250 + "@x.se", [LENGTH.format(254)]),
    ("popular_name", "p" * 255, None), ("popular_name", "p" * 256, [LENGTH.format(255)]),
    ("birth_date", "1985-03-12", None),
    ("birth_date", "1985-02-30", ["Date has wrong format. Use one of these formats instead: "
                                  "YYYY-MM-DD."]),
    ("birth_date", "1985-03-12T00:00", ["Date has wrong format. Use one of these formats "
                                        "instead: YYYY-MM-DD."]),
    ("active_to", "2026-05-01T12:00:00+02:00", None),
    ("active_to", "tomorrow", ["Datetime has wrong format. Use one of these formats instead: "
                               "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]),
    ("sni_number", "20.520", None), ("sni_number", "12.345", ['"12.345" is not a valid choice.']),
    ("allows_external_personal_information_sharing", "null", None),
    ("anonymized", None, ["This field may not be null."]),
    ("realestates", {"id": 1}, ['Expected a list of items but got type "dict".']),
    ("current_registered_address", {"id": "x"}, {"id": ["Must be a valid UUID."]}),
])
def test_published_formats_and_limits(pg, field, value, error):
    body = {"corporate_name": "Edge AB", field: value}
    resp = pg("POST", TENANTS, json=body)
    if error is None:
        assert resp.status_code == 201, resp.text
    else:
        assert resp.status_code == 400, resp.text
        assert resp.json() == {field: error}


def test_values_are_normalised_as_drf_does(pg):
    resp = pg("POST", TENANTS, json={
        "first_name": "  Anna  ", "active_to": "2026-05-01T12:00+02:00",
        "birth_date": "1985-3-2", "ssn_is_coordination_number": "1", "custom_id": 17,
        "allows_external_personal_information_sharing": "null",
        "current_registered_address": {"id": T1.upper()}})
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert got["first_name"] == "Anna" and got["custom_id"] == "17"
    assert got["active_to"] == "2026-05-01T10:00:00Z" and got["birth_date"] == "1985-03-02"
    assert got["ssn_is_coordination_number"] is True
    assert got["allows_external_personal_information_sharing"] is None
    assert got["current_registered_address"] == {"id": T1}


def test_sni_number_requires_corporate_name(pg):
    rule = ["This value requires that the following fields are also set: corporate_name"]
    resp = pg("POST", TENANTS, json={"first_name": "A", "sni_number": "20.520"})
    assert resp.status_code == 400 and resp.json() == {"sni_number": rule}
    resp = pg("POST", TENANTS, json={"corporate_name": "A AB", "sni_number": "20.520"})
    assert resp.status_code == 201 and resp.json()["is_company"] is True
    assert pg("GET", f"{TENANTS}{T2}/").json()["sni_number"] == "46.630"


def test_organization_reference_is_checked(pg):
    resp = pg("POST", SUBTENANTS, json=person(SUBTENANTS, first_name="A",
                                              organization={"id": ORG_B}))
    assert resp.status_code == 400
    assert resp.json() == {"organization": {"id": [
        f'Invalid pk "{ORG_B}" - object does not exist.']}}
    resp = pg("POST", SUBTENANTS, json=person(SUBTENANTS, first_name="A",
                                              organization={"id": ORG_A}))
    assert resp.status_code == 201 and resp.json()["organization"] == {"id": ORG_A}


def test_unknown_and_read_only_members_are_ignored_with_advice(pg):
    resp = pg("POST", TENANTS, json={"first_name": "A", "invoce_email": "a@example.se",
                                     "is_company": True, "status": 3})
    assert resp.status_code == 201, resp.text
    assert resp.headers["x-sandbox-warning"] == (
        "ignored unknown field 'invoce_email'; ignored read-only field 'is_company'; "
        "ignored read-only field 'status'")
    assert resp.json()["status"] == 0 and resp.json()["is_company"] is False
    clean = pg("PATCH", f"{TENANTS}{resp.json()['id']}/", json={"last_name": "B"})
    assert clean.status_code == 200 and "x-sandbox-warning" not in clean.headers
    bulk = pg("POST", f"{TENANTS}list/", json=[{"first_name": "C"}, {"id": T1, "x": 1}])
    assert bulk.status_code == 200, bulk.text
    assert bulk.headers["x-sandbox-warning"] == "ignored unknown field '[1].x'"


def test_a_rejected_write_changes_nothing(pg, client):
    before = client.get("/_sandbox/state").json()["pigello"]
    assert pg("POST", TENANTS, json={"first_name": "A", "ssn": "198503121232"}
              ).status_code == 400
    assert pg("PATCH", f"{TENANTS}{T1}/", json={"birth_date": "x"}).status_code == 400
    assert client.get("/_sandbox/state").json()["pigello"] == before


def test_a_body_without_content_type_is_415_as_drf_words_it(pg):
    resp = pg("POST", TENANTS, content=b'{"first_name": "Utan"}')
    assert resp.status_code == 415, resp.text
    assert resp.json() == {"detail": 'Unsupported media type "" in request.'}


def test_fixture_records_are_read_with_the_api_rules(client):
    customer = {"id": "5bc8fbbc-bde5-4099-8164-d8399f767c45", "name": "A"}
    tenant = {"id": T1, "customer": customer["id"], "first_name": "A", "ssn": "198503121232"}
    resp = client.post("/_sandbox/fixtures", json={"version": 1, "pigello": {
        "customers": [customer], "tenants": [tenant]}})
    assert resp.status_code == 400, resp.text
    assert "pigello.tenants[0].ssn" in resp.text
    resp = client.post("/_sandbox/fixtures", json={"version": 1, "pigello": {
        "customers": [customer], "tenants": [{**tenant, "ssn": None,
                                              "allow_brf_access": True}]}})
    assert resp.status_code == 400 and "pigello.tenants[0].allow_brf_access" in resp.text


@pytest.mark.parametrize("content, error", [
    (b'{"first_name": "A", "profile_picture": ' + b'{"a": ' * 40 + b"1" + b"}" * 41,
     {"profile_picture": ["Nested too deeply: at most 32 levels."]}),
    (b'{"first_name": "A", "profile_picture": {"x": "\\ud800"}}',
     {"profile_picture": ["Surrogate characters are not allowed: U+D800."]}),
    (b'{"first_name": "A", "realestates": [{"\\udfff": 1}]}',
     {"realestates": {"0": ["Surrogate characters are not allowed: U+DFFF."]}}),
    (b'{"first_name": "\\ud800"}', {"first_name": [
        "Surrogate characters are not allowed: U+D800."]}),
])
def test_what_cannot_be_stored_as_sent_is_400(pg, content, error):
    resp = pg("POST", TENANTS, content=content, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert resp.json() == error


def test_odd_unknown_names_are_escaped_in_the_advice(pg):
    resp = pg("POST", TENANTS, content=b'{"first_name": "A", "\\ud800\\r\\n\\u00e9": 1}',
              headers={"Content-Type": "application/json"})
    assert resp.status_code == 201, resp.text
    assert resp.headers["x-sandbox-warning"] == "ignored unknown field '\\ud800\\r\\n\\u00e9'"
    listed = pg("GET", f"{TENANTS}?_jsonl=true&first_name=A")
    assert listed.status_code == 200 and listed.text.count("\n") == 1
