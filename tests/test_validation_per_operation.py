"""Request validation built once per operation (validation.CompiledValidationOperation)
still reads each request by its own Content-Type: what one request sent never carries
over to the next, and the media types an operation accepts stay its own."""

from __future__ import annotations

import json

import pytest


def _register(n: int, name: str) -> dict:
    return {"tenant": {"name": name, "email": f"charset{n}@example.com",
                       "phoneNumber": "030 901820", "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "Admin", "email": f"admin{n}@example.com",
                            "password": "s3cret-pw", "keyDuration": 1, "duration": "DAYS"}}


@pytest.mark.parametrize("labels", [("application/json; charset=utf-8", "application/json"),
                                    ("application/json", "application/json;charset=UTF-8")])
def test_each_request_body_is_read_by_its_own_content_type(client, labels):
    for n, label in enumerate(labels):
        body = json.dumps(_register(n, "Müller GmbH"), ensure_ascii=False).encode()
        resp = client.post("/api/v1/tenants/register", content=body,
                           headers={"Content-Type": label})
        assert resp.status_code == 201, resp.text
        assert resp.json()["data"]["name"] == "Müller GmbH"


def test_a_body_that_is_not_utf8_is_refused_each_time(client):
    # RFC 8259: JSON between systems is UTF-8, whatever charset the label names.
    body = json.dumps(_register(9, "Müller GmbH"), ensure_ascii=False).encode("latin-1")
    for label in ("application/json; charset=latin-1", "application/json"):
        resp = client.post("/api/v1/tenants/register", content=body,
                           headers={"Content-Type": label})
        assert resp.status_code == 400, resp.text
        assert resp.json()["message"] == "Request body is not valid UTF-8 text"


def test_media_types_are_judged_per_operation(client):
    # Many JSON-like types in a row, then the plain one: each judged on its own.
    for i in range(20):
        resp = client.post("/api/v1/tenants/register", content=b"{}",
                           headers={"Content-Type": f"text/x-kind{i}"})
        assert resp.status_code == 415, resp.text
    resp = client.post("/api/v1/tenants/register", json=_register(20, "Plain GmbH"))
    assert resp.status_code == 201, resp.text
