"""Guarding the control plane with an admin token; configuration from the environment."""

from __future__ import annotations

import pytest

from mock_server.app import create_app
from mock_server.cli import build_parser
from mock_server.config import Config


@pytest.fixture(scope="module")
def guarded():
    with create_app(Config(admin_token="s3cret-admin")).test_client() as c:
        yield c


def test_health_needs_no_token(guarded):
    assert guarded.get("/_sandbox/health").status_code == 200


@pytest.mark.parametrize("path,method", [("/_sandbox/credentials", "GET"),
                                         ("/_sandbox/reset", "POST"),
                                         ("/_sandbox/requests", "GET"),
                                         ("/_sandbox/faults", "GET"),
                                         ("/_sandbox/clock", "GET")])
@pytest.mark.parametrize("auth", [None, "Bearer wrong", "s3cret-admin"])
def test_control_plane_refuses_without_the_token(guarded, path, method, auth):
    headers = {"Authorization": auth} if auth else {}
    resp = guarded.request(method, path, headers=headers)
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "s3cret-admin" not in resp.text


def test_control_plane_with_the_token(guarded):
    headers = {"Authorization": "Bearer s3cret-admin"}
    assert guarded.get("/_sandbox/credentials", headers=headers).status_code == 200
    assert guarded.post("/_sandbox/reset", headers=headers).status_code == 204


def test_emulated_apis_do_not_need_the_admin_token(guarded):
    resp = guarded.get("/bizzlink/tenants")
    assert resp.status_code == 401
    assert resp.json()["errors"][0]["source"] == {"header": "Authorization"}


def test_flags_default_from_environment(monkeypatch):
    monkeypatch.setenv("MOCK_SERVER_PORT", "9123")
    monkeypatch.setenv("MOCK_SERVER_ADMIN_TOKEN", "from-env")
    monkeypatch.setenv("MOCK_SERVER_VALIDATE_RESPONSES", "true")
    args = build_parser().parse_args(["serve"])
    assert (args.port, args.admin_token, args.validate_responses) == (9123, "from-env", True)
    args = build_parser().parse_args(["serve", "--port", "9200"])
    assert args.port == 9200
