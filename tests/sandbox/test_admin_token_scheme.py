"""The control plane's ``adminToken`` security scheme changes nothing for clients:
without ``--admin-token`` every call is accepted whatever ``Authorization`` it
carries (Connexion's check has the empty alternative); with one, health and ready
stay open and the token is what opens the rest."""

from __future__ import annotations

import pytest

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.yaml_io import spec_document

AUTHORIZATIONS = [None, "Bearer anything", "Bearer", "Basic dXNlcjpwdw==", "garbage", ""]


@pytest.fixture(scope="module")
def open_client():
    with create_app().test_client() as c:
        yield c


@pytest.fixture(scope="module")
def guarded():
    with create_app(Config(admin_token="s3cret-admin")).test_client() as c:
        yield c


def test_spec_declares_the_scheme_on_every_operation_but_health_and_ready():
    spec = spec_document("sandbox.yaml")
    assert spec["components"]["securitySchemes"]["adminToken"]["scheme"] == "bearer"
    assert spec["security"] == [{"adminToken": []}, {}]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                expected = [] if path in ("/health", "/ready") else None
                assert op.get("security") == expected, (method, path)


@pytest.mark.parametrize("auth", AUTHORIZATIONS)
@pytest.mark.parametrize("path", ["/_sandbox/clock", "/_sandbox/credentials",
                                  "/_sandbox/requests"])
def test_without_an_admin_token_every_caller_is_accepted(open_client, path, auth):
    headers = {} if auth is None else {"Authorization": auth}
    assert open_client.get(path, headers=headers).status_code == 200


@pytest.mark.parametrize("auth", AUTHORIZATIONS)
@pytest.mark.parametrize("path", ["/_sandbox/health", "/_sandbox/ready"])
def test_health_and_ready_stay_open_with_an_admin_token(guarded, path, auth):
    headers = {} if auth is None else {"Authorization": auth}
    assert guarded.get(path, headers=headers).status_code == 200


def test_the_admin_token_opens_the_rest(guarded):
    ok = guarded.get("/_sandbox/clock", headers={"Authorization": "Bearer s3cret-admin"})
    assert ok.status_code == 200
    refused = guarded.get("/_sandbox/clock", headers={"Authorization": "Bearer anything"})
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
