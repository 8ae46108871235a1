"""Each API's Swagger UI, served by the sandbox, loads in headless Chromium and lists
every operation of its spec. Needs Debian's chromium (.ci/run installs it)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from mock_server.apis import all_apis
from mock_server.app import create_app
from mock_server.config import SPEC_DIR
from mock_server.serving import BackgroundServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(create_app()) as srv:
        yield srv


@pytest.mark.parametrize("api", all_apis(), ids=lambda a: a.name)
def test_swagger_ui_lists_every_operation(server, api, tmp_path):
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path}", "--virtual-time-budget=10000",
         "--dump-dom", f"{server.url}{api.base_path}/ui/"],
        capture_output=True, text=True, timeout=90).stdout
    assert "swagger-ui" in dom
    spec = yaml.safe_load((SPEC_DIR / api.spec).read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                assert op["operationId"] in dom, (method, path)
                assert f'data-path="{path}"' in dom, path
