"""A request token that is not ``<algorithm>-<base64>`` at all is refused with that
reason (tokens.py's first check), not with a later one such as the unknown algorithm."""

from __future__ import annotations

import pytest

from tests.roomle.helpers import BASE, SUPER

SHAPE = "must be <algorithm>-<base64 of the encrypted request token>"


@pytest.mark.parametrize("token", ["garbage", "02", "02-", "-", "0202abc"])
def test_a_token_without_algorithm_and_payload_names_the_shape(client, credentials, token):
    principal = credentials("roomle", SUPER)
    resp = client.get(BASE, headers={**principal["headers"], "token": token})
    assert resp.status_code == 401, resp.text
    error = resp.json()["error"]
    assert error["message"] == f"token header {SHAPE}"
    assert error["errors"] == [{"field": "token", "message": SHAPE, "location": "header"}]


def test_an_unknown_algorithm_is_its_own_reason(client, credentials):
    principal = credentials("roomle", SUPER)
    resp = client.get(BASE, headers={**principal["headers"], "token": "09-AAAA"})
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"]["message"] != f"token header {SHAPE}"
