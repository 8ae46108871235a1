"""The journal has a bound in bytes, and no secret the sandbox holds leaves through it,
wherever the client put it."""

from __future__ import annotations

import json

from mock_server.control.journal import CAPTURE_BYTES, HEADER_BYTES
from mock_server.sandbox import Sandbox

WALLET_KEY = "wk_platform_admin_key"
BIZ_SECRET = "bzl_partner_seats_secret"
PIGELLO_SECRET = "pgl_norrsken_client_secret"


def journal(client, **params) -> list[dict]:
    resp = client.get("/_sandbox/requests", params={"limit": 1000, **params})
    assert resp.status_code == 200
    return resp.json()["requests"]


def test_known_secrets_are_masked_wherever_they_stand(client):
    headers = {"X-API-KEY": WALLET_KEY, "X-Debug-Note": f"copied {BIZ_SECRET} here"}
    client.get("/api/v1/tenants", params={"q": PIGELLO_SECRET}, headers=headers)
    truncated = '{"tenant": {"name": "' + WALLET_KEY + '", "x": ['  # not JSON: kept as text
    client.post("/api/v1/tenants/register", content=truncated,
                headers={"X-API-KEY": WALLET_KEY, "Content-Type": "application/json"})
    client.get(f"/bizzlink/tenants/{BIZ_SECRET}")
    text = json.dumps(journal(client))
    for secret in (WALLET_KEY, BIZ_SECRET, PIGELLO_SECRET):
        assert secret not in text
    assert "copied *** here" in text and "q=***" in text


def test_roomle_passwords_and_key_secrets_are_masked_by_value(client):
    client.get("/v2/tenants", params={"pw": "demo-manager-pw", "s": "D3mo-Sh0p-Secr3t"})
    client.post("/v2/auth/signin", content='{"identification": "x", "password": "super-admin-pw"',
                headers={"Content-Type": "application/json"})
    text = json.dumps(journal(client))
    for secret in ("demo-manager-pw", "D3mo-Sh0p-Secr3t", "super-admin-pw"):
        assert secret not in text


def test_secrets_never_appear_in_error_bodies(client):
    # Each is refused by authentication (401), before the secret-bearing path or query
    # could be parsed: the Wallet's key is wrong, Roomle's apiKey unknown, Bizzlink's
    # Authorization missing.
    for path in (f"/api/v1/tenants?q={WALLET_KEY}", f"/v2/tenants/{BIZ_SECRET}",
                 f"/bizzlink/tenants/{PIGELLO_SECRET}"):
        resp = client.get(path, headers={"X-API-KEY": "wrong", "apiKey": WALLET_KEY})
        assert resp.status_code == 401, (path, resp.text)
        for secret in (WALLET_KEY, BIZ_SECRET, PIGELLO_SECRET):
            assert secret not in resp.text


def test_each_entry_is_capped_with_a_marker(client):
    big = "x" * (200 * 1024)
    client.get("/api/v1/tenants", headers={"X-API-KEY": WALLET_KEY, "X-Big": big})
    client.post("/api/v1/tenants/register", content='{"pad": "' + big + '"}',
                headers={"X-API-KEY": WALLET_KEY, "Content-Type": "application/json"})
    get, post = journal(client)[-2:]
    header_bytes = sum(len(k) + len(v) for k, v in get["headers"].items())
    assert header_bytes <= HEADER_BYTES + 64
    assert get["headers"]["x-big"].endswith("...[truncated]")
    assert isinstance(post["body"], str) and post["body"].endswith("...[truncated]")
    assert len(post["body"]) <= CAPTURE_BYTES + 32


def test_a_sandbox_journal_stays_within_its_byte_budget(app, sandbox_id, monkeypatch):
    monkeypatch.setattr(Sandbox, "JOURNAL_BYTES", 256 * 1024)  # read when a sandbox is made
    big = "y" * (100 * 1024)
    with app.test_client(headers={"X-Sandbox-Id": sandbox_id}) as c:
        for _ in range(200):
            c.get("/api/v1/tenants", headers={"X-API-KEY": WALLET_KEY, "X-Big": big})
        sandbox = app.runtime.store.peek(sandbox_id)
        assert sandbox.journal.bytes <= Sandbox.JOURNAL_BYTES
        assert 0 < len(sandbox.journal) < 200  # the oldest went first
        kept = c.get("/_sandbox/requests", params={"limit": 1000}).json()
        assert kept["total"] == len(sandbox.journal)
        c.delete("/_sandbox/requests")
        assert sandbox.journal.bytes == 0
