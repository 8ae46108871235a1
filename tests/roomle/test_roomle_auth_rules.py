"""Roomle authentication rules a regression could slip past (issue 19): every AES key size,
every timestamp form the pattern's ``X`` allows, strict base64, the anonymous session in
plain-token mode, and who a request token says calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mock_server.apis.roomle import tokens
from mock_server.app import create_app
from mock_server.cli import main
from mock_server.config import Config
from tests.roomle.helpers import BASE, DEMO, MANAGER, SUPER, error_fields, sandbox_now

KEYS = {16: "Sixteen-Bytes-16", 24: "Twenty-Four-Bytes-Key-24",
        32: "Thirty-Two-Bytes-Of-AES-Key-32!!"}
ADMIN = {"id": 1, "name": "Admin", "role": "super_admin", "tenant": 1,
         "email": "admin@keys.example", "password": "admin-pw", "sessionToken": "rml_s_admin"}


def key_world():
    return {"version": 1, "roomle": {
        "tenants": [{"id": i, "name": f"aes_{size}", "apiKey": f"rml_aes_{size}_key",
                     "secret": secret} for i, (size, secret) in enumerate(KEYS.items(), 1)],
        "users": [ADMIN]}}


def _principal(client, role=SUPER, **match):
    for p in client.get("/_sandbox/credentials").json()["roomle"]:
        if p["role"] == role and all(p.get(k) == v for k, v in match.items()):
            return p
    raise LookupError(role)


def _with_token(p, token):
    return {**p["headers"], "token": token}


@pytest.mark.parametrize("size", sorted(KEYS))
@pytest.mark.parametrize("algorithm", ["01", "02"])
def test_secrets_of_every_aes_key_size_open_their_api_key(client, size, algorithm):
    assert client.post("/_sandbox/fixtures", json=key_world()).status_code == 200
    anon = _principal(client, "anonymous", apiKey=f"rml_aes_{size}_key")
    sup = _principal(client)
    token = tokens.make_token(anon["secret"], tokens.ANONYMOUS, anon["apiKey"],
                              sandbox_now(client), algorithm)
    resp = client.get(f"{BASE}/1", headers=_with_token(anon, token))
    assert resp.status_code == 200, resp.text
    as_admin = tokens.make_token(anon["secret"], sup["sessionToken"], anon["apiKey"],
                                 sandbox_now(client), algorithm)
    resp = client.get(f"{BASE}/1", headers=_with_token(anon, as_admin))
    assert resp.status_code == 200 and "apiKey" in resp.json()["tenant"]


@pytest.mark.parametrize("zone,shift", [("Z", 0), ("+00", 0), ("+01", 60), ("+0100", 60),
                                        ("+01:00", 60), ("-0530", -330), ("-05:30", -330)])
def test_every_offset_form_of_the_timestamp_pattern_is_read(client, credentials, zone, shift):
    client.post("/_sandbox/clock", json={"now": "2031-03-01T08:00:00.000Z"})
    p = credentials("roomle", MANAGER, tenantId=str(DEMO))
    local = datetime(2031, 3, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=shift)
    stamp = local.strftime("%Y-%m-%dT%H:%M:%S.000") + zone
    token = tokens.encrypt(p["secret"], f"{stamp};{p['sessionToken']};{p['apiKey']}")
    resp = client.get(f"{BASE}/{DEMO}", headers=_with_token(p, token))
    assert resp.status_code == 200, (stamp, resp.text)
    wrong = f"{stamp[:-len(zone)]}+03:00;{p['sessionToken']};{p['apiKey']}"  # hours away
    resp = client.get(f"{BASE}/{DEMO}", headers=_with_token(p, tokens.encrypt(p["secret"], wrong)))
    assert resp.status_code == 401 and error_fields(resp) == ["token"], stamp


def test_a_token_with_a_character_outside_base64_is_refused(client, credentials):
    p = credentials("roomle", SUPER)
    token = p["headers"]["token"]
    assert client.get(f"{BASE}/{DEMO}", headers=_with_token(p, token)).status_code == 200
    for garbled in (token[:10] + "!" + token[10:], token[:10] + " " + token[10:],
                    token[:-2] + "=A"):
        resp = client.get(f"{BASE}/{DEMO}", headers=_with_token(p, garbled))
        assert resp.status_code == 401 and error_fields(resp) == ["token"], garbled
        assert "base64" in resp.json()["error"]["message"]


@pytest.mark.parametrize("made_at", [timedelta(seconds=-301), timedelta(seconds=301)],
                         ids=["too-old", "too-new"])
def test_expired_and_future_tokens_say_which(client, credentials, made_at):
    p = credentials("roomle", SUPER)
    token = tokens.make_token(p["secret"], p["sessionToken"], p["apiKey"],
                              sandbox_now(client) + made_at)
    resp = client.get(f"{BASE}/{DEMO}", headers=_with_token(p, token))
    assert resp.status_code == 401 and error_fields(resp) == ["token"]
    message = resp.json()["error"]["message"]
    assert ("expired" in message) is (made_at.total_seconds() < 0), message
    assert ("after the server time" in message) is (made_at.total_seconds() > 0), message


def test_plain_token_mode_also_takes_the_anonymous_session():
    app = create_app(Config(validate_responses=True, roomle_plain_tokens=True))
    with app.test_client(headers={"X-Sandbox-Id": "plain-anonymous"}) as c:
        anon = _principal(c, "anonymous", tenantId=str(DEMO))
        plain = {"apiKey": anon["apiKey"], "token": tokens.ANONYMOUS}
        one = c.get(f"{BASE}/{DEMO}", headers=plain)
        assert one.status_code == 200 and "apiKey" not in one.json()["tenant"]
        resp = c.put(f"{BASE}/{DEMO}", json={"label": "Plain Anonymous"}, headers=plain)
        assert resp.status_code == 401 and error_fields(resp) == ["token"]
        resp = c.get(f"{BASE}/{DEMO}", headers={**plain, "token": "anonymous!"})
        assert resp.status_code == 401 and error_fields(resp) == ["token"]


def test_an_empty_token_header_is_401_naming_the_token(client, credentials):
    p = credentials("roomle", SUPER)
    resp = client.get(f"{BASE}/{DEMO}", headers=_with_token(p, ""))
    assert resp.status_code == 401 and error_fields(resp) == ["token"]
    assert resp.json()["error"]["errors"][0]["message"] == "is required"


def test_a_token_decrypting_to_an_empty_part_is_refused(client, credentials):
    p = credentials("roomle", SUPER)
    now = tokens.format_timestamp(sandbox_now(client))
    for plain in (f"{now};;{p['apiKey']}", f"{now};{p['sessionToken']};",
                  f"{now};{p['sessionToken']};{p['apiKey']};extra"):
        resp = client.get(f"{BASE}/{DEMO}",
                          headers=_with_token(p, tokens.encrypt(p["secret"], plain)))
        assert resp.status_code == 401 and error_fields(resp) == ["token"], plain
        assert "<timestamp>;<sessionToken>;<apiKey>" in resp.json()["error"]["message"]


@pytest.mark.parametrize("moment,printed", [
    ("2030-01-01T00:00:00.999Z", "2030-01-01T00:00:00.999Z"),
    ("2030-01-01T00:00:00.000999Z", "2030-01-01T00:00:00.000Z"),
    ("2030-01-01T01:30:00.123+01:00", "2030-01-01T00:30:00.123Z")])
def test_tokens_carry_the_moment_in_utc_with_milliseconds(capsys, moment, printed):
    assert main(["roomle-token", "--secret", KEYS[16], "--api-key", "rml_k",
                 "--session", "rml_s", "--timestamp", moment]) == 0
    token = capsys.readouterr().out.strip()
    assert tokens.decrypt(KEYS[16], token) == ("02", f"{printed};rml_s;rml_k")
