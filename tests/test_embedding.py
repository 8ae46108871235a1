"""Embedding the sandbox as README "Embedding" says: both flavours are complete ASGI
apps (middlewares and dispatcher), the Flask flavour exposes its Flask app, and the
whole app serves WSGI through a2wsgi."""

from __future__ import annotations

import flask
import pytest
from a2wsgi import ASGIMiddleware
from werkzeug.test import Client

from mock_server.app import create_app


@pytest.mark.parametrize("flavor", ["async", "flask"])
def test_the_whole_app_serves_wsgi_with_security_and_validation(flavor):
    wsgi = Client(ASGIMiddleware(create_app(flavor=flavor)))
    assert wsgi.get("/_sandbox/health").status_code == 200
    creds = wsgi.get("/_sandbox/credentials").get_json()
    admin = next(p for p in creds["wallet"] if p["role"] == "platform_admin")["headers"]
    unauthorized = wsgi.get("/api/v1/tenants")
    assert unauthorized.status_code == 401
    assert unauthorized.get_json() == {"statusCode": 401, "message": "Unauthorized", "data": None}
    listed = wsgi.get("/api/v1/tenants", headers=admin)
    assert listed.status_code == 200
    assert listed.get_json()["statusCode"] == 200
    refused = wsgi.get("/api/v1/tenants?allowNotification=maybe", headers=admin)
    assert refused.status_code == 400


def test_the_flask_flavour_exposes_its_flask_app_and_runs_the_shared_dispatcher():
    app = create_app(flavor="flask")
    assert isinstance(app.app, flask.Flask)
    with app.test_client() as client:
        answer = client.get("/_sandbox/health")
    assert answer.status_code == 200
    assert answer.content.endswith(b"}\n")  # encoded by the dispatcher, as in the async flavour
    assert answer.headers["content-type"] == "application/json"
