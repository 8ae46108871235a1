"""Seeded ids of the Pigello fixtures (fixtures/default.yaml) used by the tests."""

from __future__ import annotations

BASE = "/accounts/users/customer"
TENANTS = f"{BASE}/tenant/"
SUBTENANTS = f"{BASE}/subtenant/"
CONNECTIONS = f"{BASE}/subtenanttenantconnection/"

NORRSKEN = "Norrsken Integration"
SODERPORT = "Söderport Integration"
CUSTOMER_A = "5bc8fbbc-bde5-4099-8164-d8399f767c45"
CUSTOMER_B = "d76d4330-f144-4bea-b0c1-1fdecb91ce37"
ORG_A = "3fd42359-92ed-4f45-9a1a-fe878b33e968"
ORG_B = "687c966c-377b-4aa2-bb2e-db20035b7399"
T1 = "de11cc9d-ea95-4c21-ae9c-82b1478c281d"  # Anna Lindqvist, T-1001
T2 = "c30d8b76-28db-425e-a3b2-29f1c4069545"  # Bergström Café AB, T-1002
T3 = "9e30691c-2386-42ea-926a-1e48cc11d357"  # Erik Nilsson, unused
S1 = "21da8978-206f-4c66-b1e0-c07e9e115e4b"  # Maja Lindqvist, S-2001
S2 = "015c33b2-df14-41aa-b8eb-18b900745130"  # Oskar Berg
C1 = "f5cae3bf-3729-4619-860a-3cab359eeefb"  # T1 + S1, type 0, category 1
C2 = "2a9eba0c-df56-4d80-aa75-9159fb7ff337"  # T2 + S2, type 2, inactive, parent S1
TB = "32ea6928-f623-4bf2-904b-74ba4a0fe75d"  # customer B's tenant (also T-1001)
SB = "a02fdaa1-ad86-4c44-a049-548e8a0a8c96"
CB = "f7f35634-f0e3-4d97-ae81-d66d346c6e2b"
UNKNOWN = "497f6eca-6276-4993-bfeb-53cbbbba6f08"


def seed_connection(**over: object) -> dict:
    """The seed's own request example, with its ids replaced by seeded ones."""
    body = {
        "reminder_distribution_instruction": [None],
        "organization": {"id": ORG_A},
        "is_active": True,
        "category": 0,
        "sub_tenant": {"id": S2},
        "tenant": {"id": T3},
        "custom_id": "string",
        "invoice_distribution_instruction": [None],
        "stakeholder_type": 0,
        "prefer_invoice_view_only": True,
        "parent_sub_tenant": {"id": S1},
        "debt_distribution_instruction": [None],
    }
    body.update(over)
    return body


ALLOW = ("allow_errands_access_through_connections", "allow_personal_information_access",
         "add_connection_description_on_invoice", "allow_notifications",
         "allow_revenue_row_access", "allow_brf_access", "allow_cancel_contract_access",
         "allow_errands_access", "allow_contracts_access", "allow_invoice_access",
         "allow_objects_access", "allow_my_pages_access")


def person(path: str, **body: object) -> dict:
    """A create body for ``path``: a sub-tenant also gets its twelve required allow_*."""
    if path.endswith("/subtenant/"):
        return {**dict.fromkeys(ALLOW, False), **body}
    return body
