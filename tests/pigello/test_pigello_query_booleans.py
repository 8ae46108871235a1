"""Boolean query parameters read alike whether the spec validates them (``is_active``,
``_slim``) or the listing does (the negations ``is_active!``, ``category__isnull!``):
``true`` / ``false`` in any case, and anything else is DRF's 400 naming the parameter."""

from __future__ import annotations

import pytest

LIST = "/accounts/users/customer/subtenanttenantconnection/"


@pytest.mark.parametrize("name", ["is_active", "is_active!", "category__isnull",
                                  "category__isnull!", "_slim", "_statistics"])
@pytest.mark.parametrize("value", ["yes", "1", "on", "t", ""])
def test_a_boolean_that_is_not_true_or_false_is_refused(pg, name, value):
    resp = pg("GET", f"{LIST}?{name}={value}")
    assert resp.status_code == 400, resp.text
    assert resp.json() == {name: ["Must be a valid boolean."]}


def test_a_negated_boolean_filter_keeps_the_others(pg):
    every = {r["id"] for r in pg("GET", LIST).json()["data"]}
    active = {r["id"] for r in pg("GET", f"{LIST}?is_active=TRUE").json()["data"]}
    inactive = {r["id"] for r in pg("GET", f"{LIST}?is_active!=True").json()["data"]}
    assert active and inactive
    assert active | inactive == every and not active & inactive
    assert {r["id"] for r in pg("GET", f"{LIST}?is_active=false").json()["data"]} == inactive
