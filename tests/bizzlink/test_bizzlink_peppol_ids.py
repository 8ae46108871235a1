"""Bizzlink Peppol IDs under a legal entity: create, deactivate (DELETE), 409, deregister."""

from __future__ import annotations

import pytest

from tests.bizzlink.helpers import (
    ACME_GLN_PID,
    ACME_LE,
    ACME_PIDS,
    ACME_SMP_PID,
    FLOW,
    FLUSSWERK_ID,
    FLUSSWERK_LE,
    FLUSSWERK_PID,
    KUNDE_SERVICES_LE,
    LES,
    NOT_PARTNER,
    SEATS,
    SERVICES_PID,
    le_doc,
    pid_doc,
    pointers,
)

UNKNOWN = "00000000-0000-4000-8000-000000000000"
SERVICES_PIDS = f"{LES}/{KUNDE_SERVICES_LE}/peppol-ids"
PEPPOL_ATTRIBUTES = {"active", "bcAdditionalIdScheme", "bcAdditionalIdValue",
                     "bcAdditionalInformation", "bcCountryCode", "bcGeographicalInfo", "bcName",
                     "bcRegistrationDate", "createdAt", "description", "isDefault",
                     "participantId", "peppolId", "schemeId", "smpRegistered"}


def by_id(bz, path: str) -> dict:
    return {d["id"]: d["attributes"] for d in bz("GET", f"{path}?page[size]=100").json()["data"]}


def test_list_shows_the_seeded_peppol_ids(bz):
    resp = bz("GET", ACME_PIDS)
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert [d["id"] for d in data] == [ACME_SMP_PID, ACME_GLN_PID]
    smp = data[0]["attributes"]
    assert set(smp) == PEPPOL_ATTRIBUTES
    assert data[0]["type"] == "peppol-ids"
    assert smp["peppolId"] == "9938:lu12345678"
    assert (smp["schemeId"], smp["participantId"]) == ("9938", "lu12345678")
    assert smp["smpRegistered"] is True and smp["isDefault"] is True and smp["active"] is True
    assert smp["description"] == "Hauptsitz Luxembourg"
    assert data[1]["attributes"]["isDefault"] is False
    assert resp.json()["meta"]["totalElements"] == 2


def test_create_with_documented_defaults(bz, client):
    now = client.get("/_sandbox/clock").json()["now"]
    client.post("/_sandbox/clock", json={"now": now})
    le = bz("POST", LES, json_body=le_doc()).json()["data"]["id"]
    created = bz("POST", f"{LES}/{le}/peppol-ids", json_body=pid_doc())
    assert created.status_code == 201, created.text
    pid = created.json()["data"]
    assert created.headers["location"].endswith(f"{LES}/{le}/peppol-ids/{pid['id']}")
    attrs = pid["attributes"]
    assert (attrs["schemeId"], attrs["participantId"]) == ("9938", "lu11223344")
    assert attrs["isDefault"] is True            # the legal entity's first one
    assert attrs["smpRegistered"] is False and attrs["active"] is True
    for bc in ("bcAdditionalIdScheme", "bcAdditionalIdValue", "bcAdditionalInformation",
               "bcCountryCode", "bcGeographicalInfo", "bcName"):
        assert attrs[bc] is None                 # null = the documented default
    assert attrs["bcRegistrationDate"] == now[:10]
    assert attrs["createdAt"] == now[:19] + "Z"
    assert bz("GET", f"{LES}/{le}/peppol-ids/{pid['id']}").json()["data"] == pid

    second = bz("POST", f"{LES}/{le}/peppol-ids", json_body=pid_doc(
        peppolId="0088:4012345000009", bcName="Kunde Trading", bcCountryCode="LU"))
    assert second.json()["data"]["attributes"]["isDefault"] is False
    third = bz("POST", f"{LES}/{le}/peppol-ids",
               json_body=pid_doc(peppolId="0088:4012345000016", isDefault=True))
    assert third.status_code == 201
    defaults = [a["peppolId"] for a in by_id(bz, f"{LES}/{le}/peppol-ids").values()
                if a["isDefault"]]
    assert defaults == ["0088:4012345000016"]


@pytest.mark.parametrize("value,pointer", [
    ("lu11223344", "/data/attributes/peppolId"),            # no scheme
    ("99381:lu11223344", "/data/attributes/peppolId"),      # scheme not 4 digits
    ("9938:", "/data/attributes/peppolId"),                 # no participant
    ("9938:lu 1122", "/data/attributes/peppolId"),          # whitespace
    ("1234:lu11223344", "/data/attributes/peppolId"),       # not an EAS code
    ("9938:LU12345678", "/data/attributes/peppolId"),       # taken (case-insensitive)
    ("9938:" + "x" * 51, "/data/attributes/peppolId"),      # too long
])
def test_peppol_id_is_validated(bz, value, pointer):
    before = bz("GET", SERVICES_PIDS).json()
    resp = bz("POST", SERVICES_PIDS, json_body=pid_doc(peppolId=value))
    assert resp.status_code == 422, resp.text
    assert set(pointers(resp)) == {pointer}
    assert bz("GET", SERVICES_PIDS).json() == before


@pytest.mark.parametrize("over,pointer", [
    ({"peppolId": ...}, "/data/attributes/peppolId"),
    ({"schemeId": "9938"}, "/data/attributes/schemeId"),
    ({"bcCountryCode": "XX"}, "/data/attributes/bcCountryCode"),
    ({"bcRegistrationDate": "2026-13-01"}, "/data/attributes/bcRegistrationDate"),
    ({"isDefault": "yes"}, "/data/attributes/isDefault"),
    ({"active": False}, "/data/attributes/active"),
])
def test_other_attributes_are_validated(bz, over, pointer):
    before = bz("GET", SERVICES_PIDS).json()
    resp = bz("POST", SERVICES_PIDS, json_body=pid_doc(**over))
    assert resp.status_code == 422, resp.text
    assert pointer in pointers(resp)
    assert bz("GET", SERVICES_PIDS).json() == before


def test_a_rejected_default_leaves_the_old_default(bz):
    resp = bz("POST", SERVICES_PIDS, json_body=pid_doc(peppolId="1234:x", isDefault=True))
    assert resp.status_code == 422
    assert by_id(bz, SERVICES_PIDS)[SERVICES_PID]["isDefault"] is True


def test_delete_deactivates(bz):
    resp = bz("DELETE", f"{ACME_PIDS}/{ACME_GLN_PID}")
    assert resp.status_code == 204 and resp.content == b""
    after = bz("GET", f"{ACME_PIDS}/{ACME_GLN_PID}").json()["data"]["attributes"]
    assert after["active"] is False
    assert ACME_GLN_PID in by_id(bz, ACME_PIDS)          # still listed
    again = bz("DELETE", f"{ACME_PIDS}/{ACME_GLN_PID}")
    assert again.status_code == 204
    # a deactivated ID frees its value for a new one
    reused = bz("POST", SERVICES_PIDS, json_body=pid_doc(peppolId="0088:5790000435975"))
    assert reused.status_code == 201, reused.text


def test_deactivating_the_default_clears_it(bz):
    assert bz("DELETE", f"{SERVICES_PIDS}/{SERVICES_PID}").status_code == 204
    attrs = by_id(bz, SERVICES_PIDS)[SERVICES_PID]
    assert attrs["active"] is False and attrs["isDefault"] is False
    new = bz("POST", SERVICES_PIDS, json_body=pid_doc())
    assert new.json()["data"]["attributes"]["isDefault"] is True


def test_smp_registered_id_cannot_be_deleted_until_deregistered(bz):
    refused = bz("DELETE", f"{ACME_PIDS}/{ACME_SMP_PID}")
    assert refused.status_code == 409, refused.text
    err = refused.json()["errors"][0]
    assert err["status"] == "409" and "SMP-registered" in err["detail"]
    assert by_id(bz, ACME_PIDS)[ACME_SMP_PID]["active"] is True

    dereg = bz("POST", f"{ACME_PIDS}/{ACME_SMP_PID}/deregister")
    assert dereg.status_code == 200, dereg.text
    assert dereg.headers["content-type"].startswith("application/vnd.api+json")
    attrs = dereg.json()["data"]["attributes"]
    assert attrs["smpRegistered"] is False and attrs["active"] is True
    assert bz("POST", f"{ACME_PIDS}/{ACME_SMP_PID}/deregister").status_code == 200

    assert bz("DELETE", f"{ACME_PIDS}/{ACME_SMP_PID}").status_code == 204
    assert by_id(bz, ACME_PIDS)[ACME_SMP_PID]["active"] is False


def test_a_client_may_create_an_smp_registered_id(bz):
    pid = bz("POST", SERVICES_PIDS, json_body=pid_doc(smpRegistered=True)).json()["data"]["id"]
    assert bz("DELETE", f"{SERVICES_PIDS}/{pid}").status_code == 409


def test_no_peppol_ids_for_an_inactive_legal_entity(bz):
    bz("PATCH", f"{LES}/{KUNDE_SERVICES_LE}", json_body={"data": {"attributes": {"active": False}}})
    resp = bz("POST", SERVICES_PIDS, json_body=pid_doc())
    assert resp.status_code == 422
    assert "not active" in resp.json()["errors"][0]["detail"]


FLUSSWERK_PIDS = f"/bizzlink/tenants/{FLUSSWERK_ID}/legal-entities/{FLUSSWERK_LE}/peppol-ids"


@pytest.mark.parametrize("as_,base,status", [
    (NOT_PARTNER, ACME_PIDS, 403),
    (FLOW, ACME_PIDS, 403),                                        # another partner's child
    (SEATS, FLUSSWERK_PIDS, 403),
    (SEATS, f"/bizzlink/tenants/{UNKNOWN}/legal-entities/{ACME_LE}/peppol-ids", 404),
    (SEATS, f"{LES}/{UNKNOWN}/peppol-ids", 404),                   # unknown legal entity
    (SEATS, f"{LES}/{FLUSSWERK_LE}/peppol-ids", 404),              # another tenant's
])
def test_authorization_and_unknown_parents(bz, as_, base, status):
    assert bz("GET", base, as_=as_).status_code == status
    created = bz("POST", base, as_=as_, json_body=pid_doc(peppolId="9938:lu99999999"))
    assert created.status_code == status
    pid = FLUSSWERK_PID if FLUSSWERK_LE in base else ACME_SMP_PID
    assert bz("GET", f"{base}/{pid}", as_=as_).status_code == status
    assert bz("DELETE", f"{base}/{pid}", as_=as_).status_code == status
    assert bz("POST", f"{base}/{pid}/deregister", as_=as_).status_code == status
    assert by_id(bz, ACME_PIDS)[ACME_SMP_PID]["smpRegistered"] is True
    assert bz("GET", FLUSSWERK_PIDS, as_=FLOW).json()["data"][0]["attributes"]["smpRegistered"]
    assert "lu99999999" not in bz("GET", ACME_PIDS).text


@pytest.mark.parametrize("method,suffix", [("GET", ""), ("DELETE", ""), ("POST", "/deregister")])
def test_unknown_peppol_id_is_404(bz, method, suffix):
    for pid in (UNKNOWN, FLUSSWERK_PID, SERVICES_PID):     # unknown, or of another entity
        resp = bz(method, f"{ACME_PIDS}/{pid}{suffix}")
        assert resp.status_code == 404, resp.text
    assert bz("GET", f"{ACME_PIDS}/not-a-uuid").status_code == 400


def test_generated_tenants_have_legal_entities_and_peppol_ids(bz, credentials):
    listed = bz("GET", "/bizzlink/tenants?page[size]=100").json()["data"]
    generated = [t for t in listed if t["id"] != "770e8400-e29b-41d4-a716-446655440000"]
    assert generated
    for tenant in generated:
        les = bz("GET", f"/bizzlink/tenants/{tenant['id']}/legal-entities").json()["data"]
        assert les, tenant
        for le in les:
            pids = bz("GET", f"/bizzlink/tenants/{tenant['id']}/legal-entities/{le['id']}"
                             f"/peppol-ids").json()["data"]
            assert [p["attributes"]["isDefault"] for p in pids] == [True]
            assert pids[0]["attributes"]["participantId"] == le["attributes"]["vatNumber"].lower()


def test_credentials_point_at_the_smp_registered_example(client):
    creds = client.get("/_sandbox/credentials").json()["bizzlink"]
    seats = next(c for c in creds if c["name"] == SEATS)
    assert seats["examples"] == {"tenantId": "770e8400-e29b-41d4-a716-446655440000",
                                 "legalEntityId": ACME_LE,
                                 "smpRegisteredPeppolIdId": ACME_SMP_PID}
    assert "examples" not in next(c for c in creds if c["name"] == NOT_PARTNER)
