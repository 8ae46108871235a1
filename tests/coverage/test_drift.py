"""`mock-server drift` through real servers: a journal made against one sandbox server,
replayed against a second one (no drift), one with fault rules and changed fixtures
(each injected difference, nothing else), and a proxy that changes answers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.config import DEFAULT_FIXTURES, Config
from mock_server.serving import BackgroundServer
from mock_server.testing import RoomleAuth
from tests.coverage.scenario import ROOMLE, SEEDED_BIZZLINK_CHILD, exercise

OURS = "drift-ours"
THEIRS = "drift-theirs"
# The other server's principals have other secrets than the sandbox's: a replay that
# sent the sandbox's own would be refused there.
OTHER_SECRETS = {
    "bzl_partner_seats_token": "other_seats_token",
    "bzl_partner_seats_secret": "other_seats_secret",
    "rml_platform_api_key": "other_platform_api_key",
    "rml_session_super_admin": "other_session_super_admin",
    "Pl4tf0rm-Secr3t!": "0ther-Pl4tf0rm-S",
    "wk_platform_admin_key": "other_wallet_platform_key",
    "pgl_norrsken_client_secret": "other_norrsken_secret",
}
SANDBOX_SECRETS = tuple(OTHER_SECRETS)
OTHER_PARTNER = "bd9c66b3-ad3c-4d6d-9a3d-1fa7bc8960a9"  # Carrefour Digital (SEATS, FLOW)


def _other_fixtures(tmp: Path, *, move_child: bool = False) -> Path:
    text = DEFAULT_FIXTURES.read_text(encoding="utf-8")
    for ours, theirs in OTHER_SECRETS.items():
        text = text.replace(ours, theirs)
    if move_child:
        doc = yaml.safe_load(text)
        # the seeded child belongs to another partner there (its legal entities follow)
        for tenant in doc["bizzlink"]["tenants"]:
            if tenant["id"] == SEEDED_BIZZLINK_CHILD:
                tenant["partner"] = OTHER_PARTNER
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    target = tmp / ("changed.yaml" if move_child else "other.yaml")
    target.write_text(text, encoding="utf-8")
    return target


def _credentials(url: str, tmp: Path) -> Path:
    """The other server's principals, as its /_sandbox/credentials lists them."""
    creds = httpx.get(f"{url}/_sandbox/credentials", headers={"X-Sandbox-Id": THEIRS}).json()
    doc = {
        "bizzlink": next(p for p in creds["bizzlink"]
                         if p["headers"]["Authorization"] == "Bearer other_seats_token"),
        "roomle": next(p for p in creds["roomle"] if p["role"] == "super_admin"),
        "wallet": {**next(p for p in creds["wallet"] if p["role"] == "platform_admin"),
                   "bodySecrets": {"tenantAdmin.password": "An0ther-passw0rd"}},
        "pigello": next(p for p in creds["pigello"] if p["name"] == "Norrsken Integration"),
    }
    target = tmp / "credentials.yaml"
    target.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def ours():
    """The sandbox the client's tests ran against, and its journal."""
    with BackgroundServer(create_app(Config())) as srv:
        exercise(srv.url, OURS)
        yield srv.url


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("drift")


def _drift(capsys, ours: str, against: str, creds: Path, report: Path, *extra: str):
    code = main(["drift", "--url", ours, "--sandbox", OURS, "--against", against,
                 "--credentials", str(creds), "--header", f"X-Sandbox-Id: {THEIRS}",
                 "--rate", "0", "-o", str(report), *extra])
    out = capsys.readouterr().out
    return code, out, json.loads(report.read_text(encoding="utf-8"))


def test_a_second_sandbox_shows_no_drift(ours, tmp, capsys):
    other = _other_fixtures(tmp)
    with BackgroundServer(create_app(Config(fixtures=other, seed=4242))) as srv:
        # the other server has made ids of its own already: ids must be mapped
        ahead = httpx.post(f"{srv.url}/v2/tenants", json={"name": "ahead_of_you"},
                           headers={"X-Sandbox-Id": THEIRS},
                           auth=RoomleAuth("other_platform_api_key", "0ther-Pl4tf0rm-S",
                                           session_token="other_session_super_admin"))
        assert ahead.status_code == 201
        creds = _credentials(srv.url, tmp)
        code, out, report = _drift(capsys, ours, srv.url, creds, tmp / "none.json")
        theirs = httpx.get(f"{srv.url}/_sandbox/requests", params={"limit": 100},
                           headers={"X-Sandbox-Id": THEIRS}).json()["requests"]
    assert code == 0, out
    assert report["differences"] == 0 and report["replayed"] == 14 and report["skipped"] == 0
    assert "14 call(s) replayed, 0 skipped, 0 difference(s)" in out
    # call 7 reads the Roomle tenant call 6 created: under the other server's id
    created, read = report["calls"][5], report["calls"][6]
    assert read["path"] == "/v2/tenants/100" and read["sent"] == f"{srv.url}/v2/tenants/101"
    assert (created["ours"], read["ours"], read["theirs"]) == (201, 200, 200)
    # the other server saw its own credentials only (and the refused call stayed refused)
    assert [e["status"] for e in theirs[1:]] == [c["ours"] for c in report["calls"]]
    assert not any(secret in json.dumps(report) for secret in SANDBOX_SECRETS)


def test_fault_rules_and_changed_fixtures_are_reported_and_nothing_else(ours, tmp, capsys):
    changed = _other_fixtures(tmp, move_child=True)
    with BackgroundServer(create_app(Config(fixtures=changed))) as srv:
        control = httpx.Client(base_url=f"{srv.url}/_sandbox", headers={"X-Sandbox-Id": THEIRS})
        assert control.post("/faults", json={"api": "wallet", "operationId": "listTenants",
                                             "status": 503}).status_code == 201
        assert control.post("/faults", json={"api": "pigello", "operationId": "getTenant",
                                             "delayMs": 20}).status_code == 201
        creds = _credentials(srv.url, tmp)
        code, out, report = _drift(capsys, ours, srv.url, creds, tmp / "faults.json")
        control.close()
    assert code == 1
    found = [(c["call"], d["kind"], d["ours"], d["theirs"])
             for c in report["calls"] for d in c["differences"]]
    assert found == [(4, "status", 200, 403), (11, "status", 200, 503)], out
    assert "call 4 GET /bizzlink/tenants/770e8400-e29b-41d4-a716-446655440000 [status]" in out
    assert "another status class" in out


def _changing_proxy(upstream: str) -> Starlette:
    """Forwards to a sandbox, but renames and retypes members of Bizzlink's create answer
    and answers Bizzlink's 401 in another error format."""

    async def forward(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = [(k, v) for k, v in request.headers.items()
                   if k not in ("host", "content-length")]
        async with httpx.AsyncClient(base_url=upstream) as client:
            resp = await client.request(request.method, target, headers=headers,
                                        content=await request.body())
        body, media = resp.content, resp.headers.get("content-type")
        if request.url.path == "/bizzlink/tenants" and resp.status_code == 201:
            doc = resp.json()
            attributes = doc["data"]["attributes"]
            attributes.pop("tenantCode")
            attributes["region"] = "EU"
            attributes["active"] = "yes"
            body = json.dumps(doc).encode()
        elif request.url.path.startswith("/bizzlink") and resp.status_code == 401:
            body, media = b'{"message": "Unauthorized"}', "application/json"
        return Response(body, status_code=resp.status_code, media_type=media)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


def test_changed_members_types_and_error_format_are_reported(ours, tmp, capsys):
    other = _other_fixtures(tmp)
    with BackgroundServer(create_app(Config(fixtures=other))) as srv, \
            BackgroundServer(_changing_proxy(srv.url)) as proxy:
        creds = _credentials(srv.url, tmp)
        code, out, report = _drift(capsys, ours, proxy.url, creds, tmp / "proxy.json",
                                   "--api", "bizzlink")
        _, _, ignored = _drift(capsys, ours, proxy.url, creds, tmp / "ignored.json",
                               "--api", "bizzlink", "--ignore", "data.attributes.*",
                               "--ignore", "message", "--ignore", "errors")
    assert code == 1
    calls = report["calls"]
    assert [c["call"] for c in calls if c["differences"]] == [1, 5], out
    members = {(d["kind"], d["member"], d["ours"], d["theirs"]) for d in calls[0]["differences"]
               if d["kind"] != "validity"}
    assert members == {("member", "data.attributes.tenantCode", "string", None),
                       ("member", "data.attributes.region", None, "string"),
                       ("type", "data.attributes.active", "boolean", "string")}
    assert any(d["kind"] == "validity" for d in calls[0]["differences"])
    kinds = {d["kind"] for d in calls[4]["differences"]}
    assert "error-format" in kinds and kinds <= {"error-format", "validity"}
    assert any(d["member"] == "message" and d["detail"] == "extra member"
               for d in calls[4]["differences"])
    # only Bizzlink was replayed (the other APIs' calls are left out of the report)
    assert report["replayed"] == 5 and report["skipped"] == 0 and len(calls) == 5
    # members ignored by option are not compared (their answers still break our spec)
    assert {d["kind"] for c in ignored["calls"] for d in c["differences"]} == {"validity"}


def test_several_sandboxes_replay_in_order_with_ids_mapped_per_sandbox(ours, tmp, capsys):
    made = {}
    with httpx.Client(base_url=ours, auth=ROOMLE) as c:
        for name in ("mix-a", "mix-b"):  # each sandbox gives its first tenant id 100
            made[name] = c.post("/v2/tenants", json={"name": f"{name}_t"},
                                headers={"X-Sandbox-Id": name}).json()["tenant"]["id"]
        for name in ("mix-a", "mix-b"):
            assert c.get(f"/v2/tenants/{made[name]}", headers={"X-Sandbox-Id": name}
                         ).json()["tenant"]["name"] == f"{name}_t"
    assert made == {"mix-a": 100, "mix-b": 100}
    other = _other_fixtures(tmp)
    with BackgroundServer(create_app(Config(fixtures=other))) as srv:
        creds = _credentials(srv.url, tmp)
        report = tmp / "mixed.json"
        code = main(["drift", "--url", ours, "--sandbox", "mix-a", "--sandbox", "mix-b",
                     "--against", srv.url, "--credentials", str(creds), "--header",
                     f"X-Sandbox-Id: {THEIRS}-mixed", "--rate", "0", "-o", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out
    sent = [c["sent"].removeprefix(srv.url) for c in json.loads(report.read_text())["calls"]]
    # both creates land in one sandbox there (100, 101): each read goes to its own
    assert sent == ["/v2/tenants", "/v2/tenants", "/v2/tenants/100", "/v2/tenants/101"]
