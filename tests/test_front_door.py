"""The front door: ``GET /`` tells a newcomer what is here, in a browser without
JavaScript (headless Chromium) and as JSON."""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.serving import BackgroundServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(create_app()) as srv:
        yield srv


def test_json_lists_every_api_with_its_links(server):
    httpx.get(f"{server.url}/_sandbox/health", headers={"X-Sandbox-Id": "front-door-seen"})
    httpx.get(f"{server.url}/api/v1/tenants", headers={"X-Sandbox-Id": "front-door-seen"})
    data = httpx.get(f"{server.url}/", headers={"Accept": "application/json"}).json()
    assert {a["name"] for a in data["apis"]} == {"bizzlink", "pigello", "roomle", "wallet"}
    for api in data["apis"]:
        assert httpx.get(server.url + api["spec"]).status_code == 200
        assert httpx.get(server.url + api["swaggerUi"]).status_code == 200
    assert httpx.get(server.url + data["credentials"]).status_code == 200
    assert "front-door-seen" in data["sandboxes"]
    same = httpx.get(f"{server.url}/_sandbox/", headers={"Accept": "application/json"}).json()
    assert same == data


def test_html_works_without_javascript(server, tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    url = f"{server.url}/"
    dom = subprocess.run([CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={tmp_path / 'p'}",
                          "--dump-dom", url],
                         capture_output=True, text=True, timeout=90).stdout
    try:
        assert "tenant-sandbox" in dom and "ready" in dom
        assert "<script" not in dom  # nothing on the page needs JavaScript
        for base in ("/bizzlink/ui/", "/v2/ui/", "/api/v1/ui/", "/accounts/users/customer/ui/",
                     "/_sandbox/credentials"):
            assert f'href="{base}"' in dom, base
    except AssertionError:
        shot = tmp_path / "front-door.png"
        subprocess.run([CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={tmp_path / 'q'}",
                        f"--screenshot={shot}", "--window-size=1200,900", url],
                       capture_output=True, timeout=90)
        print(f"screenshot of the failing page: {shot}")
        raise


def test_with_an_admin_token_the_sandboxes_are_listed_only_to_its_holder():
    with BackgroundServer(create_app(Config(admin_token="front-secret"))) as srv:
        public = httpx.get(f"{srv.url}/", headers={"Accept": "application/json"}).json()
        assert "sandboxes" not in public and public["adminToken"] is True
        assert httpx.get(f"{srv.url}/_sandbox/").status_code == 401
        held = httpx.get(f"{srv.url}/", headers={"Accept": "application/json",
                                                 "Authorization": "Bearer front-secret"}).json()
        assert "default" in held["sandboxes"]
        assert "front-secret" not in httpx.get(f"{srv.url}/").text


def test_other_methods_and_paths_are_not_the_front_door(server):
    assert httpx.post(f"{server.url}/").status_code == 404
    assert httpx.head(f"{server.url}/").status_code == 200
