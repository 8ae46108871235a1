"""From each API's Swagger UI, in headless Chromium, one authorized "Try it out"
call succeeds: Bizzlink's signed in the page (WebCrypto), Wallet's and Pigello's
with the header credentials of /_sandbox/credentials entered in Authorize, the
control plane's with the admin token; and the panel's sandbox picker sends
X-Sandbox-Id. Needs Debian's chromium (.ci/run installs it) and the Python
package playwright (dev extra), which drives that chromium (no browser download).
On failure the page's screenshot is saved and its path printed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import yaml

from mock_server.app import create_app
from mock_server.config import SPEC_DIR, Config
from mock_server.serving import BackgroundServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ADMIN_TOKEN = "ui-admin-token-123"
BIZZLINK_TOKEN = "bzl_partner_seats_token"
BIZZLINK_SECRET = "bzl_partner_seats_secret"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app()) as srv:
        yield srv


@pytest.fixture(scope="module")
def admin_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(Config(admin_token=ADMIN_TOKEN))) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def ui_page(browser: object, url: str, shots: Path) -> Iterator[object]:
    """A fresh page at a Swagger UI, its operations rendered; a screenshot on failure."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(url)
        page.wait_for_selector(".opblock")
        yield page
    except BaseException:
        shot = shots / "swagger-ui-failure.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failing page: {shot}")
        raise
    finally:
        context.close()


def authorize(page: object, values: dict[str, str]) -> None:
    """Fill schemes of the Authorize dialog, as a user does."""
    page.click(".auth-wrapper .authorize")
    for scheme, value in values.items():
        container = page.locator(".modal-ux .auth-container",
                                 has=page.locator(f"h4 code:text-is('{scheme}')"))
        container.locator("input").fill(value)
        container.locator("button[type=submit]").click()
        container.locator("button:text-is('Logout')").wait_for()
    page.click(".modal-ux .close-modal")


def execute(page: object, method: str, path: str,
            params: dict[str, str] | None = None) -> int:
    """Expand an operation, Try it out, fill parameters, Execute: the live status."""
    op = page.locator(f".opblock.opblock-{method}",
                      has=page.locator(f'.opblock-summary-path[data-path="{path}"]')).first
    if "is-open" not in (op.get_attribute("class") or ""):
        op.locator(".opblock-summary").click()
    if not op.locator(".try-out__btn.cancel").count():
        op.locator(".try-out__btn").click()
    previous = op.locator(".live-responses-table .response .response-col_status")
    if previous.count():
        op.locator(".btn-clear").click()
        previous.wait_for(state="detached")
    for name, value in (params or {}).items():
        op.locator(f'tr[data-param-name="{name}"] input').fill(value)
    op.locator(".execute").click()
    status = op.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    return int(status.inner_text().split()[0])


def credential_headers(server: BackgroundServer, api: str) -> dict[str, str]:
    return requests.get(f"{server.url}/_sandbox/credentials", timeout=10).json()[api][0]["headers"]


def schemes_by_header(spec_name: str) -> dict[str, str]:
    spec = yaml.safe_load((SPEC_DIR / spec_name).read_text(encoding="utf-8"))
    return {s["name"].lower(): name
            for name, s in spec["components"]["securitySchemes"].items() if s["type"] == "apiKey"}


def test_bizzlink_ui_signs_each_request(server, browser, tmp_path):
    with ui_page(browser, f"{server.url}/bizzlink/ui/", tmp_path) as page:
        assert execute(page, "get", "/tenants") == 401  # nothing entered yet
        page.fill("#sandbox-bizzlink-token", BIZZLINK_TOKEN)
        page.fill("#sandbox-bizzlink-secret", BIZZLINK_SECRET)
        # brackets and a query the browser encodes: signed as sent on the wire
        assert execute(page, "get", "/tenants", {"page[size]": "5"}) == 200
        curl = page.locator(".opblock.is-open .curl-command").inner_text()
        assert "X-Bizzlink-Signature: t=" in curl and "Bearer " + BIZZLINK_TOKEN in curl
        assert BIZZLINK_SECRET not in curl


def test_bizzlink_ui_with_a_wrong_secret_is_refused(server, browser, tmp_path):
    with ui_page(browser, f"{server.url}/bizzlink/ui/", tmp_path) as page:
        page.fill("#sandbox-bizzlink-token", BIZZLINK_TOKEN)
        page.fill("#sandbox-bizzlink-secret", "not-the-secret")
        assert execute(page, "get", "/tenants") == 401


def test_bizzlink_ui_signs_the_body_bytes_it_sends(server, browser, tmp_path):
    sandbox = "ui-bizzlink-post"
    body = ('{"data": {"type": "tenants", "attributes": {"billingModel": "SEATS",'
            ' "companyName": "H\u00f6lding N\u00f8rd SA", "addressCountry": "LU"}}}')
    with ui_page(browser, f"{server.url}/bizzlink/ui/", tmp_path) as page:
        page.fill("#sandbox-id", sandbox)
        page.fill("#sandbox-bizzlink-token", BIZZLINK_TOKEN)
        page.fill("#sandbox-bizzlink-secret", BIZZLINK_SECRET)
        op = page.locator(".opblock.opblock-post",
                          has=page.locator('.opblock-summary-path[data-path="/tenants"]'))
        op.locator(".opblock-summary").click()
        op.locator(".try-out__btn").click()
        op.locator("textarea.body-param__text").fill(body)
        assert execute(page, "post", "/tenants") == 201
    journal = requests.get(f"{server.url}/_sandbox/requests",
                           headers={"X-Sandbox-Id": sandbox}, timeout=10).json()["requests"]
    assert [(e["method"], e["status"]) for e in journal] == [("POST", 201)]


def test_wallet_ui_calls_with_its_api_key(server, browser, tmp_path):
    headers = credential_headers(server, "wallet")
    schemes = schemes_by_header("wallet.yaml")
    with ui_page(browser, f"{server.url}/api/v1/ui/", tmp_path) as page:
        authorize(page, {schemes[h.lower()]: v for h, v in headers.items()
                         if h.lower() in schemes})
        assert execute(page, "get", "/tenants") == 200


def test_pigello_ui_calls_with_its_client_headers(server, browser, tmp_path):
    headers = credential_headers(server, "pigello")
    schemes = schemes_by_header("pigello.yaml")
    with ui_page(browser, f"{server.url}/accounts/users/customer/ui/", tmp_path) as page:
        authorize(page, {schemes[h.lower()]: v for h, v in headers.items()})
        # the list's object-valued filters (the negated ones) are prefilled empty
        assert execute(page, "get", "/tenant/") == 200
        tenants = requests.get(f"{server.url}/accounts/users/customer/tenant/",
                               headers=headers, timeout=10).json()
        pk = tenants["data"][0]["id"]
        assert execute(page, "get", "/tenant/{pk}/", {"pk": pk}) == 200


def test_control_plane_ui_calls_with_the_admin_token(admin_server, browser, tmp_path):
    with ui_page(browser, f"{admin_server.url}/_sandbox/ui/", tmp_path) as page:
        assert execute(page, "get", "/clock") == 401
        authorize(page, {"adminToken": ADMIN_TOKEN})
        assert execute(page, "get", "/clock") == 200


def test_sandbox_picker_sends_x_sandbox_id(server, browser, tmp_path):
    sandbox = "picked-in-ui"
    headers = credential_headers(server, "wallet")
    schemes = schemes_by_header("wallet.yaml")
    with ui_page(browser, f"{server.url}/api/v1/ui/", tmp_path) as page:
        page.fill("#sandbox-id", sandbox)
        authorize(page, {schemes[h.lower()]: v for h, v in headers.items()
                         if h.lower() in schemes})
        assert execute(page, "get", "/tenants") == 200
    journal = requests.get(f"{server.url}/_sandbox/requests",
                           headers={"X-Sandbox-Id": sandbox}, timeout=10).json()
    assert [(e["method"], e["path"]) for e in journal["requests"]] == [("GET", "/api/v1/tenants")]
    assert requests.get(f"{server.url}/_sandbox/requests",
                        headers={"X-Sandbox-Id": "never-used-by-ui"},
                        timeout=10).json()["requests"] == []


def test_bizzlink_ui_signs_with_the_sandbox_clock(server, browser, tmp_path):
    sandbox = "ui-frozen-clock"
    frozen = requests.post(f"{server.url}/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"},
                           headers={"X-Sandbox-Id": sandbox}, timeout=10)
    assert frozen.status_code == 200
    with ui_page(browser, f"{server.url}/bizzlink/ui/", tmp_path) as page:
        page.fill("#sandbox-bizzlink-token", BIZZLINK_TOKEN)
        page.fill("#sandbox-bizzlink-secret", BIZZLINK_SECRET)
        page.fill("#sandbox-id", sandbox)
        assert execute(page, "get", "/tenants") == 200
        assert "t=1893456000," in page.locator(".opblock.is-open .curl-command").inner_text()


@pytest.mark.parametrize("secret,status", [(None, 200), ("Wr0ng-Secr3t-16b", 401)])
def test_roomle_ui_makes_the_request_token_per_request(server, browser, tmp_path, secret,
                                                       status):
    user = requests.get(f"{server.url}/_sandbox/credentials", timeout=10).json()["roomle"][0]
    with ui_page(browser, f"{server.url}/v2/ui/", tmp_path) as page:
        page.fill("#sandbox-roomle-apiKey", user["apiKey"])
        page.fill("#sandbox-roomle-secret", secret or user["secret"])
        page.fill("#sandbox-roomle-session", user["sessionToken"])
        assert execute(page, "get", "/tenants") == status
        curl = page.locator(".opblock.is-open .curl-command").inner_text()
        assert "token: 01-" in curl and user["secret"] not in curl
