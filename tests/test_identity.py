"""One caller identity: each API's ``authenticate`` is asked once per request, by the
shared identity step; Connexion's security only confirms; handlers use that answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mock_server.apis.bizzlink import auth as bizzlink_auth
from mock_server.apis.roomle import tokens
from mock_server.apis.wallet.models import WalletState
from mock_server.testing import BizzlinkAuth
from mock_server.yaml_io import spec_document

SPECS = ["bizzlink.yaml", "roomle.yaml", "wallet.yaml", "pigello.yaml", "sandbox.yaml"]
INFO_FUNCS = ("x-apikeyInfoFunc", "x-bearerInfoFunc", "x-basicInfoFunc", "x-tokenInfoFunc")


@pytest.mark.parametrize("spec", SPECS)
def test_every_security_scheme_only_confirms_the_identity_step(spec):
    schemes = spec_document(spec)["components"]["securitySchemes"]
    assert schemes
    for name, scheme in schemes.items():
        funcs = {k: v for k, v in scheme.items() if k in INFO_FUNCS}
        assert funcs, name
        assert set(funcs.values()) == {"mock_server.identity.confirm"}, (spec, name)


def _counting(monkeypatch, owner, name):
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_roomle_request_token_is_decrypted_once_per_request(client, credentials, monkeypatch):
    principal = credentials("roomle", "super_admin")
    calls = _counting(monkeypatch, tokens, "read_token")
    token = tokens.make_token(principal["secret"], principal["sessionToken"],
                              principal["apiKey"], datetime.now(UTC))
    resp = client.get("/v2/tenants", headers={**principal["headers"], "token": token})
    assert resp.status_code == 200, resp.text
    assert len(calls) == 1
    resp = client.post("/v2/tenants", headers={**principal["headers"], "token": token},
                       json={"name": "once_only"})
    assert resp.status_code == 201, resp.text
    assert len(calls) == 2


def test_a_wallet_key_is_looked_up_once_per_request(client, monkeypatch):
    calls = _counting(monkeypatch, WalletState, "principal_for")
    resp = client.get("/api/v1/tenants", headers={"X-API-KEY": "wk_platform_admin_key"})
    assert resp.status_code == 200, resp.text
    assert len(calls) == 1
    resp = client.post("/api/v1/tenants/update", headers={"X-API-KEY": "wk_acme_admin_key",
                       "X-Tenant-ID": "other"}, json={"name": "X"})
    assert resp.status_code == 403, resp.text  # the handler judged the one principal
    assert len(calls) == 2


def test_a_bizzlink_signature_is_verified_once_per_request(client, monkeypatch):
    calls = _counting(monkeypatch, bizzlink_auth, "verify")
    auth = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")
    resp = client.get("/bizzlink/tenants", auth=auth)
    assert resp.status_code == 200, resp.text
    assert len(calls) == 1
    body = json.dumps({"data": {"type": "tenants", "attributes": {}}}).encode()
    resp = client.post("/bizzlink/tenants", content=body, auth=auth,
                       headers={"Content-Type": "application/vnd.api+json"})
    assert resp.status_code == 422, resp.text  # signed, read once, then refused by the schema
    assert len(calls) == 2


def test_a_wrong_wallet_key_is_refused_before_the_body_is_judged(client):
    # Credentials first, as a NestJS guard runs before the validation pipe: on register
    # (where no key at all is fine) a wrong key is the 401 even with a broken body.
    for key in ("", "wk_no_such_key"):
        resp = client.post("/api/v1/tenants/register", headers={"X-API-KEY": key},
                           json={"tenant": 1})
        assert resp.status_code == 401, resp.text
        assert resp.json() == {"statusCode": 401, "message": "Unauthorized", "data": None}
    resp = client.post("/api/v1/tenants/register", json={"tenant": 1})
    assert resp.status_code == 400, resp.text  # no key: anyone may register, body judged


def test_a_roomle_call_without_its_token_sends_no_credentials(client, credentials):
    principal = credentials("roomle", "super_admin")
    resp = client.get("/v2/tenants", headers={"apiKey": principal["apiKey"]})
    assert resp.status_code == 401
    error = resp.json()["error"]
    assert error["code"] == "no_credentials"
    assert [e["field"] for e in error["errors"]] == ["apiKey", "token"]
    resp = client.get("/v2/tenants", headers={"apiKey": "rml_no_such_key"})
    assert resp.status_code == 401
    assert [e["field"] for e in resp.json()["error"]["errors"]] == ["apiKey"]
