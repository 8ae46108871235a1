"""The provider's list parameters: _slim, _statistics, _jsonl, tags & co., iexact,
isnull and ``!`` negation on the published operators."""

from __future__ import annotations

import json

import pytest

from tests.pigello.helpers import C1, C2, CONNECTIONS, SUBTENANTS, T1, T2, T3, TENANTS


def test_slim_answers_a_reduced_member_set(pg):
    resp = pg("GET", f"{TENANTS}?_slim=true")
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"][0] == {"id": T1, "first_name": "Anna", "last_name": "Lindqvist",
                                      "corporate_name": None, "custom_id": "T-1001"}
    resp = pg("GET", f"{CONNECTIONS}?_slim=true&_order_by=created_at")
    assert set(resp.json()["data"][0]) == {"id", "tenant", "sub_tenant", "stakeholder_type",
                                           "custom_id"}
    assert "meta" in resp.json()


def test_statistics_adds_counts(pg):
    resp = pg("GET", f"{CONNECTIONS}?_statistics=true&_page=1&_page_size=1")
    assert resp.status_code == 200, resp.text
    stats = resp.json()["meta"]["statistics"]
    assert stats["total_amount"] == 2
    assert stats["is_active"] == {"false": 1, "true": 1}
    assert stats["category"] == {"1": 1, "null": 1}
    assert len(resp.json()["data"]) == 1
    assert "statistics" not in pg("GET", CONNECTIONS).json()["meta"]


def test_jsonl_answers_json_lines(pg):
    resp = pg("GET", f"{TENANTS}?_jsonl=true&_order_by=created_at")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/jsonl")
    lines = resp.text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [T1, T2, T3]
    assert resp.text.endswith("\n")
    slim = pg("GET", f"{TENANTS}?_jsonl=true&_slim=true&first_name=Anna")
    assert [json.loads(line) for line in slim.text.splitlines()] == [
        {"id": T1, "first_name": "Anna", "last_name": "Lindqvist", "corporate_name": None,
         "custom_id": "T-1001"}]


@pytest.mark.parametrize("query, expected", [
    ("tags=vip", []), ("tags=", [C1, C2]), ("customer_columns=x", []),
    ("global_realestates=abc", [C1, C2]), ("global_segments=abc", [C1, C2]),
    ("custom_id__iexact=c-3001", [C1]), ("custom_id__iexact!=c-3001", [C2]),
    ("custom_id__isnull=true", [C2]), ("category__isnull!=true", [C1]),
    ("created_at__in=2026-01-02T10:00:00Z,2026-01-05T00:00:00Z", [C1]),
    ("created_at__isnull=false", [C1, C2]),
    ("stakeholder_type__gte=1", [C2]), ("stakeholder_type__isnull=false", [C1, C2]),
    ("id!=" + C1, [C2]), ("is_active!=true", [C2]),
])
def test_published_operators_and_negation(ids, query, expected):
    assert ids(f"{CONNECTIONS}?{query}") == expected


@pytest.mark.parametrize("query, expected", [
    ("ssn=198503121231", [T1]), ("birth_date__lt=1986-01-01", [T1]),
    ("birth_date__isnull=true", [T2]), ("org_no__startswith=556677", [T2]),
    ("first_name__iexact=ANNA", [T1]), ("invoice_email__icontains=FAKTURA", [T2]),
    ("sni_number=46.630", [T2]), ("is_active=true&anonymized=false", [T1, T2, T3]),
])
def test_tenant_filters_on_published_members(ids, query, expected):
    assert ids(f"{TENANTS}?{query}") == expected


def test_subtenant_allow_filters(ids):
    assert len(ids(f"{SUBTENANTS}?allow_my_pages_access=true")) == 2
    assert ids(f"{SUBTENANTS}?allow_contracts_access=false") == [
        "015c33b2-df14-41aa-b8eb-18b900745130"]


@pytest.mark.parametrize("query, error", [
    ("_slim=maybe", {"_slim": ["Must be a valid boolean."]}),
    ("birth_date=yesterday", {"birth_date": [
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
    ("id!=nope", {"id!": ["Must be a valid UUID."]}),
    ("nonsense!=1", {"nonsense!": ["Unknown query parameter."]}),
])
def test_bad_list_parameters_are_400_by_name(pg, query, error):
    resp = pg("GET", f"{CONNECTIONS if 'birth' not in query else TENANTS}?{query}")
    assert resp.status_code == 400, resp.text
    assert resp.json() == error
