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
