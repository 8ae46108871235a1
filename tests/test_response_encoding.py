"""Responses are encoded by orjson (dispatch.encode_json): same JSON as before,
including values orjson cannot encode itself."""

from __future__ import annotations


def test_a_free_form_value_beyond_64_bits_round_trips(client, credentials):
    admin = credentials("roomle", "super_admin")["headers"]
    big = 2 ** 70
    resp = client.put("/v2/tenants/2", headers=admin,
                      json={"configuration": {"huge": big, "nested": [{"n": -big}]}})
    assert resp.status_code == 200, resp.text
    again = client.get("/v2/tenants/2", headers=admin)
    assert again.status_code == 200
    assert again.json()["tenant"]["configuration"] == {"huge": big, "nested": [{"n": -big}]}


def test_non_ascii_text_comes_back_as_sent(client, credentials):
    admin = credentials("roomle", "super_admin")["headers"]
    label = "Möbelhaus Zürich – 家具"
    resp = client.put("/v2/tenants/2", headers=admin, json={"label": label})
    assert resp.status_code == 200, resp.text
    got = client.get("/v2/tenants/2", headers=admin)
    assert got.headers["content-type"].startswith("application/json")
    assert got.json()["tenant"]["label"] == label
