"""Pigello's listing.py pinned through HTTP: negated filters read their values as the
positive ones do, paging with any one filter, and the published "together" phrase."""

from __future__ import annotations

import pytest

from tests.pigello.helpers import C1, C2, CONNECTIONS, T1, T2, T3, TENANTS

BOOLEAN = ["Must be a valid boolean."]


@pytest.mark.parametrize("path, query, error", [
    (CONNECTIONS, "is_active!=maybe", {"is_active!": BOOLEAN}),
    (CONNECTIONS, "category__isnull!=maybe", {"category__isnull!": BOOLEAN}),
    (CONNECTIONS, "category!=x", {"category!": ["A valid integer is required."]}),
    (CONNECTIONS, "category__gt!=1.5", {"category__gt!": ["A valid integer is required."]}),
    (CONNECTIONS, "tenant!=nope", {"tenant!": ["Must be a valid UUID."]}),
    (CONNECTIONS, "created_at!=soon", {"created_at!": [
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}),
    (TENANTS, "birth_date!=1985-02-30", {"birth_date!": [
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
])
def test_a_bad_negated_value_is_400_in_drf_words(pg, path, query, error):
    resp = pg("GET", f"{path}?{query}")
    assert resp.status_code == 400, resp.text
    assert resp.json() == error


@pytest.mark.parametrize("query, expected", [
    ("is_active!=false", [C1]), ("category__isnull!=false", [C2]),
    ("category__in=1,,2", [C1]),
])
def test_negated_and_list_values_are_read_like_the_positive_ones(ids, query, expected):
    assert ids(f"{CONNECTIONS}?{query}") == expected


@pytest.mark.parametrize("query, expected, total", [
    ("first_name=Anna&_page=1&_page_size=1", [T1], 1),
    ("custom_id__in=T-1001,T-1002&_page=2&_page_size=1", [T2], 2),
    ("custom_id__isnull=true&_page=1&_page_size=5", [T3], 1),
    ("birth_date__gte=1986-01-01&_page=1&_page_size=1", [T3], 1),
    ("last_name__iendswith=SON&_page=2&_page_size=1", [], 1),
])
def test_one_filter_that_no_index_answers_pages_too(pg, query, expected, total):
    resp = pg("GET", f"{TENANTS}?{query}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [r["id"] for r in body["data"]] == expected
    page, size = (int(p.split("=")[1]) for p in query.split("&")[-2:])
    assert body["meta"] == {"total_amount": total, "page": page, "page_size": size,
                            "page_amount": -(-total // size)}


@pytest.mark.parametrize("query, given, other", [
    ("_page=1", "_page", "_page_size"), ("_page_size=5", "_page_size", "_page"),
    ("_page_size=5&category=1", "_page_size", "_page"),
])
def test_page_and_page_size_go_together_in_the_published_words(pg, query, given, other):
    resp = pg("GET", f"{CONNECTIONS}?{query}")
    assert resp.status_code == 400, resp.text
    assert resp.json() == {given: [
        f"This value must be set together with the following fields: {other}"]}


@pytest.mark.parametrize("query, name", [
    ("tenant=nope", "tenant"), ("sub_tenant=1", "sub_tenant"), ("id=x", "id"),
    ("organization=nope", "organization"), ("parent_sub_tenant=nope", "parent_sub_tenant"),
    ("tenant!=nope", "tenant!"),
])
def test_a_reference_filter_that_is_no_uuid_is_drfs_uuid_message(pg, query, name):
    resp = pg("GET", f"{CONNECTIONS}?{query}")
    assert resp.status_code == 400, resp.text
    assert resp.json() == {name: ["Must be a valid UUID."]}


@pytest.mark.parametrize("query", ["is_active!=maybe&_page=1&_page_size=1",
                                   "tenant!=nope&_page=1&_page_size=5"])
def test_a_bad_filter_is_400_with_paging_too(pg, query):
    resp = pg("GET", f"{CONNECTIONS}?{query}")
    assert resp.status_code == 400, resp.text
    assert list(resp.json()) == [query.split("=")[0]]
