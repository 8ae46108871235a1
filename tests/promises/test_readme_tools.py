"""README promises about the tools around the server: `mock-server sign --body @-`, the
embedding snippet, the container image, and docs/pytest.md's table of fixture methods
(the doc's own example is run by tests/test_docs_pytest.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mock_server.apis.bizzlink.signing import verify

ROOT = Path(__file__).resolve().parents[2]


def test_sign_reads_the_body_from_standard_input():
    body = b'{"data": {"attributes": {"companyName": "Stdin SA"}}}'
    done = subprocess.run([sys.executable, "-m", "mock_server", "sign", "--secret", "s3cret",
                           "--method", "POST", "--path", "/bizzlink/tenants", "--body", "@-",
                           "--timestamp", "1767225600"], input=body, capture_output=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    header = done.stdout.decode().strip()
    assert header.startswith("t=1767225600,v1=")
    assert verify("s3cret", header, "POST", "/bizzlink/tenants", body)
    assert not verify("s3cret", header, "POST", "/bizzlink/tenants", body + b" ")


def test_the_embedding_snippet_gives_two_asgi_apps_that_serve():
    block = re.search(r"## Embedding: async or Flask\n\n```python\n(.*?)```",
                      (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 - the README's own code
    import flask
    from werkzeug.test import Client

    from mock_server.app import SandboxApp, SandboxFlaskApp

    assert isinstance(scope["app"], SandboxApp)
    assert isinstance(scope["flask_app"], SandboxFlaskApp)
    assert isinstance(scope["flask_app"].app, flask.Flask)
    with scope["client"] as client:
        assert client.get("/_sandbox/health").json()["status"] == "ok"
    with scope["flask_app"].test_client() as client:
        listed = client.get("/api/v1/tenants", headers={"X-API-KEY": "wk_platform_admin_key"})
        assert listed.status_code == 200 and listed.json()["data"]["totalElements"] == 2
    over_wsgi = Client(scope["wsgi"]).get("/api/v1/tenants",
                                          headers={"X-API-KEY": "wk_platform_admin_key"})
    assert over_wsgi.status_code == 200 and over_wsgi.get_json()["data"]["totalElements"] == 2


def test_the_container_image_is_as_described():
    """No container engine runs here (README): what the image is made of is read from the
    Dockerfile instead."""
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    base = next(line for line in lines if line.startswith("FROM "))
    assert re.fullmatch(r"FROM python:3\.1[1-9]-slim", base)
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1] not in ("USER root", "USER 0")
    text = "\n".join(lines)
    assert re.search(r"HEALTHCHECK .*\\\n.*/_sandbox/ready", text)
    assert "MOCK_SERVER_HOST=0.0.0.0" in text and "MOCK_SERVER_ADMIN_TOKEN" not in \
        text.split("ENV", 1)[1].split("EXPOSE", 1)[0]
    assert lines[-1] == 'CMD ["mock-server", "serve"]'


PLUGIN_METHODS = '''
import httpx
import requests

from mock_server.testing import BizzlinkRequestsAuth

PLATFORM = {"X-API-KEY": "wk_platform_admin_key"}
REGISTER = {"tenant": {"name": "Plugin Pay", "email": "team@plugin-pay.example",
                       "phoneNumber": "030 901821", "country": {"code": "DE"},
                       "allowNotification": True},
            "tenantAdmin": {"fullName": "Pia Plugin", "email": "pia@plugin-pay.example",
                            "password": "s3cret-passw0rd", "keyDuration": 1,
                            "duration": "HOURS"}}


def names(http):
    return [t["name"] for t in http.get("/api/v1/tenants", params={"size": 50}).json()[
        "data"]["content"]]


def test_methods(sandbox):
    assert sandbox.headers == {"X-Sandbox-Id": sandbox.sandbox_id}
    assert sandbox.set_clock(now="2030-01-01T00:00:00Z")["frozen"] is True
    assert sandbox.set_clock(advance=60)["now"] == "2030-01-01T00:01:00.000Z"
    with sandbox.client(auth=sandbox.auth("wallet", "platform_admin")) as http:
        assert http.post("/api/v1/tenants/register", json=REGISTER).status_code == 201
        assert "Plugin Pay" in names(http)
        assert [m["kind"] for m in sandbox.outbox(api="wallet", kind="email")] == [
            "email", "email"]
        sandbox.fault(api="wallet", status=503, times=5)
        assert http.get("/api/v1/tenants").status_code == 503
        sandbox.clear_faults()
        assert http.get("/api/v1/tenants").status_code == 200
        assert [r["status"] for r in sandbox.requests(method="GET", limit=2)] == [503, 200]
        assert len(sandbox.requests(status=201)) == 1
        sandbox.reset()
        assert "Plugin Pay" not in names(http)
        assert sandbox.outbox() == [] and sandbox.requests() != []
    assert sandbox.set_clock(advance=0)["now"] == "2030-01-01T00:01:00.000Z"  # kept


def test_every_api_auth(sandbox):
    with sandbox.client(auth=sandbox.auth("roomle", "tenant_manager")) as http:
        assert http.get("/v2/tenants/2/").status_code == 200
    with sandbox.client(auth=sandbox.auth("pigello")) as http:
        assert http.get("/accounts/users/customer/tenant/").status_code == 200
    creds = sandbox.credentials("bizzlink", "partner", subscriptions=["SEATS"])
    token = creds["headers"]["Authorization"].removeprefix("Bearer ")
    resp = requests.get(sandbox.url + "/bizzlink/tenants", headers=sandbox.headers,
                        auth=BizzlinkRequestsAuth(token, creds["hmacSecret"]), timeout=30)
    assert resp.status_code == 200


def test_new_sandboxes_are_apart(sandbox_server):
    one, two = sandbox_server.new_sandbox(), sandbox_server.new_sandbox("named-one")
    assert two.sandbox_id == "named-one" and one.sandbox_id != two.sandbox_id
    with one.client(headers=PLATFORM) as http:
        assert http.post("/api/v1/tenants/register", json=REGISTER).status_code == 201
    with two.client(headers=PLATFORM) as http:
        assert "Plugin Pay" not in names(http)
    with httpx.Client(base_url=sandbox_server.url, headers=PLATFORM) as http:
        assert "Plugin Pay" not in names(http)  # the server's default sandbox


def test_in_process_clients_are_apart(sandbox_client, sandbox_app):
    resp = sandbox_client.post("/api/v1/tenants/register", json=REGISTER)
    assert resp.status_code == 201
    with sandbox_app.test_client(headers={"X-Sandbox-Id": "elsewhere"}) as other:
        assert "Plugin Pay" not in names(_Wallet(other))


class _Wallet:
    def __init__(self, client):
        self.client = client

    def get(self, path, **kw):
        return self.client.get(path, headers=PLATFORM, **kw)
'''


def test_the_plugins_fixture_methods_do_what_the_table_says(pytester):
    pytester.makepyfile(test_plugin_methods=PLUGIN_METHODS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
