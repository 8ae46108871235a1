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


ADMIN = {"X-API-KEY": "wk_platform_admin_key"}


def test_a_query_string_found_valid_before_still_has_the_other_parameters_checked(client):
    assert client.get("/api/v1/tenants?country=DE", headers=ADMIN).status_code == 200
    resp = client.get("/api/v1/tenants?country=DE", headers={**ADMIN, "X-Tenant-ID": "x" * 65})
    assert resp.status_code == 400, resp.text
    assert "X-Tenant-ID" in resp.text
    both = client.get("/api/v1/tenants?allowNotification=maybe",
                      headers={**ADMIN, "X-Tenant-ID": "x" * 65})
    assert both.status_code == 400, both.text
    fields = [e["field"] for e in both.json()["data"]["errors"]]
    assert fields == ["allowNotification", "X-Tenant-ID"]  # every error, as before


def test_an_invalid_query_string_is_refused_every_time(client):
    for _ in range(3):
        resp = client.get("/api/v1/tenants?allowNotification=maybe", headers=ADMIN)
        assert resp.status_code == 400, resp.text


def test_a_repeated_query_string_gives_the_same_answer_each_time(client):
    first = client.get("/api/v1/tenants?country=de&size=1", headers=ADMIN)
    assert first.status_code == 200, first.text
    for _ in range(3):
        again = client.get("/api/v1/tenants?country=de&size=1", headers=ADMIN)
        assert again.json() == first.json()
    assert first.json()["data"]["size"] == 1


def test_the_parsed_query_is_remembered_per_operation_and_bounded(app, client):
    from mock_server.validation import ParamValidator

    seen: list[bytes] = []
    original = ParamValidator._validate

    def counting(self, request, sent, query=True):
        if query and sent:
            seen.append(request.scope["query_string"])
        return original(self, request, sent, query)

    ParamValidator._validate = counting
    try:
        for _ in range(3):
            assert client.get("/api/v1/tenants?name=Acme", headers=ADMIN).status_code == 200
        assert seen.count(b"name=Acme&page=0&size=20") <= 1  # parsed and checked once
        for n in range(ParamValidator.KNOWN_QUERIES + 5):
            assert client.get(f"/api/v1/tenants?name=n{n}", headers=ADMIN).status_code == 200
    finally:
        ParamValidator._validate = original
    validators = [v for v in _param_validators(app) if v._known]
    assert validators and all(len(v._known) <= ParamValidator.KNOWN_QUERIES
                              for v in validators)


def _param_validators(app) -> list:
    import gc

    from mock_server.validation import CompiledValidationOperation, ParamValidator

    return [op._parameters for op in gc.get_objects()
            if isinstance(op, CompiledValidationOperation)
            and isinstance(op._parameters, ParamValidator)]
