"""Spring's reading of the Wallet list's query at its edges: page and size one past a
Java int, empty filters (an empty Boolean is no filter, an empty String is the empty
string), and blank values among repeated ones."""

from __future__ import annotations

import pytest

from tests.wallet.test_wallet_api import PLATFORM, _more

LIST = "/api/v1/tenants"


def _page(client, query: str) -> dict:
    resp = client.get(f"{LIST}?{query}", headers=PLATFORM)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


@pytest.mark.parametrize("number,expected", [("2147483648", 0), ("2147483647", 2147483647),
                                             ("4294967295", 0), ("-2147483649", 0)])
def test_page_one_past_a_java_int_is_unparsable(client, number, expected):
    page = _page(client, f"page={number}&size=1")
    assert page["number"] == expected
    assert len(page["content"]) == (1 if expected == 0 else 0)


def test_size_one_past_a_java_int_is_the_default(client):
    assert _page(client, "size=2147483648")["size"] == 20
    assert _page(client, "size=2147483647")["size"] == 2000


def test_an_empty_allow_notification_is_no_filter(client):
    _more(client)
    every = _page(client, "size=50")
    assert _page(client, "allowNotification=&size=50") == every
    assert _page(client, "allowNotification=%20&size=50") == every
    assert _page(client, "allowNotification=&allowNotification=true&size=50") == \
        _page(client, "allowNotification=true&size=50")


def test_an_empty_string_filter_is_the_empty_string(client):
    _more(client)
    assert _page(client, "name=")["totalElements"] == 0
    assert _page(client, "country=&size=50")["totalElements"] == 0
    assert _page(client, "name=&name=T0")["totalElements"] == 1
