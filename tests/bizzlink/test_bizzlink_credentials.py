"""GET /_sandbox/credentials for Bizzlink: each account's headers and secret; a partner's
active subscriptions and `examples` (a child, its legal entity, an active Peppol ID,
SMP-registered when there is one among the first 100 children)."""

from __future__ import annotations

P1 = "11111111-1111-4111-8111-111111111111"
LE1 = "66666666-6666-4666-8666-666666666666"
LE2 = "77777777-7777-4777-8777-777777777777"
PIDS = [f"8888888{i}-8888-4888-8888-888888888888" for i in range(4)]


def _child(i: int) -> str:
    return f"44444444-4444-4444-8444-{i:012d}"


def _world(children: int = 2, legal_entities: list | None = None,
           peppol_ids: list | None = None) -> dict:
    return {"version": 1, "seed": 3, "bizzlink": {
        "accounts": [{"id": P1, "name": "Example Partner", "role": "partner",
                      "token": "ex-token-1", "hmacSecret": "ex-secret-1",
                      "subscriptions": ["FLOW"]}],
        "tenants": [{"id": _child(i), "partner": P1, "attributes": {
            "companyName": f"Kind {i}", "billingModel": "FLOW"}} for i in range(children)],
        "legalEntities": legal_entities or [], "peppolIds": peppol_ids or []}}


def _le(id_: str, tenant: str) -> dict:
    return {"id": id_, "tenant": tenant, "attributes": {"customerName": f"LE {id_[:4]}"}}


def _pid(id_: str, le: str, value: str, **attributes) -> dict:
    return {"id": id_, "legalEntity": le, "attributes": {"peppolId": value, **attributes}}


def _examples(client, world: dict) -> dict | None:
    resp = client.post("/_sandbox/fixtures", json=world)
    assert resp.status_code == 200, resp.text
    creds = client.get("/_sandbox/credentials").json()["bizzlink"]
    assert [c["name"] for c in creds] == ["Example Partner"]
    assert creds[0]["hmacSecret"] == "ex-secret-1"
    return creds[0].get("examples")


def test_no_legal_entities_no_examples(client):
    assert _examples(client, _world()) is None


def test_an_active_peppol_id_is_the_example_when_none_is_smp_registered(client):
    world = _world(legal_entities=[_le(LE1, _child(0)), _le(LE2, _child(1))], peppol_ids=[
        _pid(PIDS[0], LE1, "9938:lu00000001", active=False),
        _pid(PIDS[1], LE2, "9938:lu00000002"), _pid(PIDS[2], LE2, "9938:lu00000003")])
    assert _examples(client, world) == {"tenantId": _child(1), "legalEntityId": LE2,
                                        "peppolIdId": PIDS[1]}


def test_the_smp_registered_peppol_id_wins_over_an_earlier_one(client):
    world = _world(legal_entities=[_le(LE1, _child(0)), _le(LE2, _child(1))], peppol_ids=[
        _pid(PIDS[0], LE1, "9938:lu00000001"),
        _pid(PIDS[1], LE2, "9938:lu00000002", smpRegistered=True)])
    assert _examples(client, world) == {"tenantId": _child(1), "legalEntityId": LE2,
                                        "smpRegisteredPeppolIdId": PIDS[1]}


def test_only_the_first_hundred_children_are_looked_at(client):
    world = _world(children=101, legal_entities=[_le(LE1, _child(100))],
                   peppol_ids=[_pid(PIDS[0], LE1, "9938:lu00000001")])
    assert _examples(client, world) is None
    world = _world(children=100, legal_entities=[_le(LE1, _child(99))],
                   peppol_ids=[_pid(PIDS[0], LE1, "9938:lu00000001")])
    assert _examples(client, world) == {"tenantId": _child(99), "legalEntityId": LE1,
                                        "peppolIdId": PIDS[0]}
