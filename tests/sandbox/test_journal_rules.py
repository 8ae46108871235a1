"""The request journal as README promises it: secrets masked by name and by value
(including ones the sandbox learnt a moment ago), bodies decoded or kept as text,
documentation calls left out, and every entry and the whole journal bounded."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mock_server.serving import ServerProcess
from mock_server.store import Sandbox
from mock_server.testing import BizzlinkAuth

AUTH = BizzlinkAuth("bzl_partner_seats_token", "bzl_partner_seats_secret")
WALLET_KEY = "wk_platform_admin_key"
WALLET = {"X-API-KEY": WALLET_KEY}
MARKER = "...[truncated]"
CAPTURE_BYTES = 16 * 1024  # README: "each entry keeps at most 16 KiB of each body
HEADER_BYTES = 8 * 1024  # and 8 KiB of headers (cut with `...[truncated]`)"
REGISTER = {"tenant": {"name": "Journal Iso", "email": "iso@journal.example",
                       "phoneNumber": "030 901820", "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "Iso Admin", "email": "admin@journal.example",
                            "password": "journal-secret-pw", "keyDuration": 1,
                            "duration": "DAYS"}}


def journal(client: Any, **params: Any) -> dict:
    resp = client.get("/_sandbox/requests", params={"limit": 1000, **params})
    assert resp.status_code == 200
    return resp.json()


def test_a_key_issued_after_the_journal_was_read_is_masked_too(client):
    assert client.get("/api/v1/tenants", headers=WALLET).status_code == 200
    assert WALLET_KEY not in json.dumps(journal(client))  # the masking has run once
    resp = client.post("/api/v1/tenants/register", json=REGISTER, headers=WALLET)
    assert resp.status_code == 201
    key = resp.json()["data"]["tenantAdmin"]["apiKey"]
    client.get("/api/v1/tenants", params={"copied": key}, headers={"X-Note": f"k {key}"})
    text = json.dumps(journal(client))
    assert key not in text and "journal-secret-pw" not in text
    entry = journal(client)["requests"][-1]
    assert entry["query"] == "copied=***" and entry["headers"]["x-note"] == "k ***"


def test_members_named_like_secrets_are_masked_at_any_depth(client):
    body = {"items": [{"password": "never-seen-pw", "name": "Plain Name"}],
            "apiKey": "never-seen-key", "notes": [f"x {WALLET_KEY} y", 7],
            "hmacSecret": "never-seen-hmac"}
    resp = client.post("/api/v1/tenants/register", json=body, headers=WALLET)
    assert resp.status_code == 400
    shown = journal(client)["requests"][-1]["body"]
    assert shown == {"items": [{"password": "***", "name": "Plain Name"}], "apiKey": "***",
                     "notes": ["x *** y", 7], "hmacSecret": "***"}


def test_a_body_that_is_not_json_is_shown_as_its_text(client):
    resp = client.post("/api/v1/tenants/register", content=b"name=plain&kind=form",
                       headers={**WALLET, "Content-Type": "application/json"})
    assert resp.status_code == 400
    entry = journal(client)["requests"][-1]
    assert entry["body"] == "name=plain&kind=form"
    assert entry["responseBody"]["statusCode"] == 400


def test_a_bodyless_request_shows_null(client):
    client.get("/api/v1/tenants", headers=WALLET)
    entry = journal(client)["requests"][-1]
    assert entry["body"] is None and entry["responseBody"]["statusCode"] == 200


@pytest.mark.parametrize("path", ["/bizzlink/ui/", "/bizzlink/openapi.json",
                                  "/api/v1/openapi.json", "/v2/ui/"])
def test_documentation_is_not_journaled(client, path):
    assert client.get(path).status_code == 200
    assert journal(client)["total"] == 0
    client.get("/bizzlink/tenants", auth=AUTH)
    assert journal(client)["total"] == 1


def test_a_large_response_body_is_cut_with_a_marker(client):
    _bulk_tenants(client)
    resp = client.get("/bizzlink/tenants", params={"page[size]": 100}, auth=AUTH)
    assert len(resp.content) > CAPTURE_BYTES
    shown = journal(client)["requests"][-1]["responseBody"]
    assert isinstance(shown, str) and shown.endswith(MARKER)
    assert shown == resp.content[:CAPTURE_BYTES].decode("utf-8", "replace") + MARKER


def test_a_request_body_is_kept_up_to_the_cap_exactly(client):
    body = '{"pad": "' + "z" * (CAPTURE_BYTES * 2) + '"}'
    client.post("/api/v1/tenants/register", content=body,
                headers={**WALLET, "Content-Type": "application/json"})
    shown = journal(client)["requests"][-1]["body"]
    assert shown == body[:CAPTURE_BYTES] + MARKER


def test_duration_is_measured_in_milliseconds(client):
    resp = client.get("/bizzlink/tenants", auth=AUTH, headers={"X-Sandbox-Fault": "delay=120"})
    assert resp.status_code == 200
    duration = journal(client)["requests"][-1]["durationMs"]
    assert 120 <= duration < 60_000


def test_overflowing_headers_keep_8_kib_and_end_with_a_note(client):
    headers = {f"x-pad-{i:02d}": "p" * 1000 for i in range(20)}
    client.get("/bizzlink/nowhere", headers=headers)  # no credential header: nothing masked
    shown = journal(client)["requests"][-1]["headers"]
    assert shown.pop("x-sandbox-journal") == "further headers truncated"
    assert "x-pad-19" not in shown
    cut = [v for k, v in shown.items() if v.endswith(MARKER)]
    assert len(cut) == 1
    assert sum(len(k) + len(v) for k, v in shown.items()) == HEADER_BYTES + len(MARKER)


def _bounded_client(app: Any, sandbox_id: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(Sandbox, "JOURNAL_BYTES", 64 * 1024)  # read when a sandbox is made
    return app.test_client(headers={"X-Sandbox-Id": sandbox_id})


@pytest.mark.parametrize("kind", ["body", "path", "query"])
def test_every_part_of_an_entry_counts_against_the_byte_budget(app, sandbox_id, monkeypatch,
                                                               kind):
    """12 KiB of body, path (echoed in the 404) or query per request; 64 KiB per journal."""
    pad = "q" * (12 * 1024)
    with _bounded_client(app, sandbox_id, monkeypatch) as c:
        for _ in range(12):
            if kind == "body":
                c.post("/bizzlink/tenants", content='{"pad": "' + pad + '"}',
                       headers={"Content-Type": "application/json"})
            elif kind == "path":
                assert c.get(f"/bizzlink/tenants/{pad}/").status_code == 404
            else:
                c.get("/bizzlink/tenants", params={"pad": pad})
        kept = journal(c)["total"]
    assert 1 <= kept <= 5


def _bulk_tenants(client: Any, count: int = 40) -> None:
    """Enough children of the SEATS partner for a list response above CAPTURE_BYTES."""
    for i in range(count):
        body = {"data": {"attributes": {"billingModel": "SEATS",
                                        "companyName": f"Bulk Tenant {i:02d} " + "x" * 200}}}
        assert client.post("/bizzlink/tenants", json=body, auth=AUTH).status_code == 201


def test_a_large_response_counts_against_the_byte_budget(app, sandbox_id, monkeypatch):
    with _bounded_client(app, sandbox_id, monkeypatch) as c:
        _bulk_tenants(c)
        for _ in range(12):
            resp = c.get("/bizzlink/tenants", auth=AUTH, params={"page[size]": 100})
            assert len(resp.content) > CAPTURE_BYTES
        kept = journal(c)["total"]
    assert 1 <= kept <= 4


def test_secrets_in_the_access_log_are_masked_new_ones_too():
    srv = ServerProcess("--access-log", capture=True).start()
    try:
        httpx.get(f"{srv.url}/api/v1/tenants", params={"leak": WALLET_KEY}, headers=WALLET)
        created = httpx.post(f"{srv.url}/api/v1/tenants/register", json=REGISTER,
                             headers=WALLET)
        assert created.status_code == 201
        key = created.json()["data"]["tenantAdmin"]["apiKey"]
        httpx.get(f"{srv.url}/api/v1/tenants", params={"leak": key}, headers=WALLET)
        nested = {"X-Sandbox-Id": "nested"}  # a secret that contains another is masked whole
        doc = {"version": 1, "bizzlink": {"accounts": [{
            "id": "11111111-1111-4111-8111-111111111111", "name": "Nested Partner",
            "role": "partner", "token": "nested-token-1",
            "hmacSecret": "nested-token-1-and-the-rest", "subscriptions": ["FLOW"]}]}}
        assert httpx.post(f"{srv.url}/_sandbox/fixtures", json=doc,
                          headers=nested).status_code == 200
        httpx.get(f"{srv.url}/bizzlink/nowhere", params={"leak": "nested-token-1-and-the-rest"},
                  headers=nested)
    finally:
        srv.stop()
    output = srv.output()
    assert WALLET_KEY not in output and key not in output and "and-the-rest" not in output
    assert output.count("leak=***") == 3


def test_a_bare_bearer_token_is_masked_and_ids_are_not(client):
    partner = "bdd640fb-0667-4ad1-9c80-317fa3b1799d"  # the SEATS partner's own tenant id
    client.get(f"/bizzlink/tenants/{partner}", params={"t": "bzl_partner_seats_token"},
               auth=AUTH)
    entry = journal(client)["requests"][-1]
    assert entry["path"] == f"/bizzlink/tenants/{partner}"
    assert entry["query"] == "t=***"
    assert "bzl_partner_seats_token" not in json.dumps(entry)


def test_a_secret_that_contains_another_is_masked_whole(client):
    token, secret = "nested-token-1", "nested-token-1-and-the-rest"
    doc = {"version": 1, "bizzlink": {"accounts": [{
        "id": "11111111-1111-4111-8111-111111111111", "name": "Nested Partner",
        "role": "partner", "token": token, "hmacSecret": secret, "subscriptions": ["FLOW"]}]}}
    assert client.post("/_sandbox/fixtures", json=doc).status_code == 200
    client.get("/bizzlink/tenants", params={"s": secret}, auth=BizzlinkAuth(token, secret))
    entry = journal(client)["requests"][-1]
    assert entry["query"] == "s=***"  # never "***-and-the-rest"


def test_a_six_character_password_is_masked_too(client):
    state = client.get("/_sandbox/state").json()
    state["roomle"]["users"][0]["password"] = "pw6abc"
    assert client.put("/_sandbox/state", json=state).status_code == 200
    client.get("/bizzlink/nowhere", params={"s": "pw6abc"})
    assert journal(client)["requests"][-1]["query"] == "s=***"


def test_a_body_sent_in_many_pieces_is_kept_up_to_the_cap_exactly():
    body = b'{"pad": "' + b"w" * (256 * 1024) + b'"}'

    def pieces():
        for start in range(0, len(body), 8 * 1024):
            yield body[start:start + 8 * 1024]

    srv = ServerProcess().start()
    try:
        resp = httpx.post(f"{srv.url}/api/v1/tenants/register", content=pieces(),
                          headers={**WALLET, "Content-Type": "application/json"})
        assert resp.status_code == 400, resp.text  # read to the end, refused by validation
        shown = httpx.get(f"{srv.url}/_sandbox/requests").json()["requests"][-1]["body"]
    finally:
        srv.stop()
    assert shown == body[:CAPTURE_BYTES].decode() + MARKER
