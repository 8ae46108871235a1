"""Constants and document builders for the Bizzlink tests."""

from __future__ import annotations

from typing import Any

SEATS = "Alpine Seats Partner"
FLOW = "Brightflow Partner"
BOTH = "Carrefour Digital Partner"
NEW = "Echo Starter Partner (no children yet)"
NOT_PARTNER = "Delta Customer (not a partner)"
KUNDE_ID = "770e8400-e29b-41d4-a716-446655440000"  # child of SEATS
FLUSSWERK_ID = "17fc695a-07a0-4a6e-8822-e8f36c031199"  # child of FLOW


def attrs(**over: Any) -> dict:
    base = {"billingModel": "SEATS", "companyName": "Neue Kunde SA", "addressCountry": "LU",
            "contactEmail": "anna@neue.example", "contactName": "Anna Weber",
            "contactPhone": "+352 621 123 456", "addressCity": "Esch-sur-Alzette",
            "addressPostalCode": "L-4002", "addressStreet": "1 Rue de l'Alzette"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not ...}


def doc(**over: Any) -> dict:
    return {"data": {"type": "tenants", "attributes": attrs(**over)}}


def pointers(resp: Any) -> list[str]:
    return [e.get("source", {}).get("pointer") for e in resp.json()["errors"]]

# Legal entities and Peppol IDs seeded in fixtures/default.yaml
ACME_LE = "3f6d2a1e-8b4c-4d7e-9a2f-5c1b0e7d4a11"  # Kunde GmbH's, ACME Luxembourg S.A.
KUNDE_SERVICES_LE = "5a9e4c2b-1d7f-4b3a-8e6c-2f0d9b8a7c22"  # Kunde GmbH's second one
FLUSSWERK_LE = "7c2b8e4d-6a1f-4e9b-b3d5-8a0c1f2e3d33"  # Flusswerk AG's (FLOW partner)
ACME_SMP_PID = "9e1f3a5b-7c2d-4f8e-a6b4-1d3c5e7f9a44"  # 9938:lu12345678, SMP-registered
ACME_GLN_PID = "2b4d6f8a-1c3e-4a5b-9d7f-3e5a7c9b1d55"  # 0088:5790000435975, not registered
SERVICES_PID = "4d6f8a2c-3e5a-4b7d-8f9a-5a7c9e1f3b66"  # 9938:lu87654321, default
FLUSSWERK_PID = "6f8a2c4e-5a7c-4d9f-9b1c-7c9e1a3b5d77"  # 9930:de123456789, SMP-registered
LES = f"/bizzlink/tenants/{KUNDE_ID}/legal-entities"
ACME_PIDS = f"{LES}/{ACME_LE}/peppol-ids"


def le_doc(**over: Any) -> dict:
    base = {"customerName": "Kunde Trading S.A.", "vatNumber": "LU11223344",
            "tradeRegisterNumber": "B777777", "addressCountry": "LU",
            "addressCity": "Esch-sur-Alzette", "contactEmail": "ops@kunde-trading.example"}
    base.update(over)
    return {"data": {"type": "legal-entities",
                     "attributes": {k: v for k, v in base.items() if v is not ...}}}


def pid_doc(**over: Any) -> dict:
    base = {"peppolId": "9938:lu11223344", "description": "Zweigstelle Esch"}
    base.update(over)
    return {"data": {"type": "peppol-ids",
                     "attributes": {k: v for k, v in base.items() if v is not ...}}}
