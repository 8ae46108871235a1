"""Responses are encoded by orjson (speedups.fast_jsonifier): same JSON as before,
including values orjson cannot encode itself."""

from __future__ import annotations

ROOMLE_ADMIN = {"apiKey": "rml_platform_api_key", "token": "rml_token_super_admin"}


def test_a_free_form_value_beyond_64_bits_round_trips(client):
    big = 2 ** 70
    resp = client.put("/v2/tenants/2", headers=ROOMLE_ADMIN,
                      json={"configuration": {"huge": big, "nested": [{"n": -big}]}})
    assert resp.status_code == 200, resp.text
    again = client.get("/v2/tenants/2", headers=ROOMLE_ADMIN)
    assert again.status_code == 200
    assert again.json()["tenant"]["configuration"] == {"huge": big, "nested": [{"n": -big}]}


def test_non_ascii_text_comes_back_as_sent(client):
    label = "Möbelhaus Zürich – 家具"
    resp = client.put("/v2/tenants/2", headers=ROOMLE_ADMIN, json={"label": label})
    assert resp.status_code == 200, resp.text
    got = client.get("/v2/tenants/2", headers=ROOMLE_ADMIN)
    assert got.headers["content-type"].startswith("application/json")
    assert got.json()["tenant"]["label"] == label
